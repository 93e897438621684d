"""Shared pieces of the usability browser tests (tests/browser/test_ux_*.py): an en-US browser, the demo
bureau, screenshots, axe-core."""
import json
import os

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, login

DEMO_PASSWORD = "Demo#Pass2026"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AXE = os.path.join(ROOT, "static", "vendor", "axe-core-4.14.1.min.js")
SHOTS = os.environ.get("UX_SHOTS", "/tmp/ux_shots")


@pytest.fixture(scope="module")
def en_browser(_playwright):
    """Chromium in English (--lang=en-US): its own date and file controls would be English."""
    b = _playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + ["--lang=en-US"])
    yield b
    b.close()


def en_page(browser, width=1366, height=768, axe=False):
    """A page in an English browser context; axe=True lets the test inject axe-core (bypass_csp: the
    portal's CSP forbids inline scripts, which add_script_tag uses)."""
    ctx = browser.new_context(locale="en-US", viewport={"width": width, "height": height}, bypass_csp=axe)
    ctx.set_default_timeout(10000)
    page = ctx.new_page()
    page.csp_errors = []
    page.on("console", lambda m: "Content Security Policy" in m.text and page.csp_errors.append(m.text))
    return page


def seed_demo():
    from portal import demo
    demo.seed(DEMO_PASSWORD, people=40)


def sign_in(page, base, username):
    login(page, base, username, DEMO_PASSWORD)


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    path = os.path.join(SHOTS, name + ".png")
    page.screenshot(path=path, full_page=False)
    return path


def run_axe(page, label):
    """axe-core on the page as it is now; prints the violations and returns the serious/critical ones."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=AXE)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + (n.any[0] && n.any[0].data && n.any[0].data.fgColor ? ' ' + n.any[0].data.fgColor + '/' + n.any[0].data.bgColor + ' ' + n.any[0].data.contrastRatio : ''))}));
    }""")
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    print(f"[axe] {label}: {len(result)} violations, {len(bad)} serious/critical"
          + "".join(f"\n    {v['impact']:8} {v['id']}: {v['help']} {json.dumps(v['nodes'], ensure_ascii=False)}"
                    for v in result))
    return bad
