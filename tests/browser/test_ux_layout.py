"""Phones (390×844) and desktops (1366×768): the collapsible menu, the ledger's folded filters with the
number of active ones, tables that scroll inside their box (first column kept), a thumb-friendly wizard
and tip box. Screenshots go to $UX_SHOTS (default /tmp/ux_shots) to be looked at."""
import pytest
from playwright.sync_api import expect

from tests.browser.ux_helpers import en_browser, en_page, seed_demo, shot, sign_in  # noqa: F401

pytestmark = pytest.mark.browser
PHONE, DESKTOP = (390, 844), (1366, 768)


def no_page_overflow(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, width


def small_targets(page, selector):
    """Visible buttons/links of `selector` shorter than 40 px (a thumb needs ~44)."""
    return page.evaluate("""(sel) => Array.from(document.querySelectorAll(sel))
        .filter(e => e.offsetParent !== null)
        .map(e => [e.textContent.trim().slice(0, 20), Math.round(e.getBoundingClientRect().height)])
        .filter(([t, h]) => h < 40)""", selector)


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390x844", "1366x768"])
def test_layout_at_phone_and_desktop_width(ctx, live_server, en_browser, size):  # noqa: F811
    seed_demo()
    base = live_server.url
    w, h = size
    tag = f"{w}x{h}"
    page = en_page(en_browser, w, h)
    phone = w < 900

    sign_in(page, base, "demo-discipline")
    toggle = page.locator(".menu-toggle")
    nav = page.locator("#topnav")
    if phone:
        expect(toggle).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(nav).to_be_hidden()
        shot(page, f"home-{tag}")
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(nav.locator(".mainnav a").first).to_be_visible()
        expect(nav.locator("a.help-link")).to_be_visible()
        shot(page, f"menu-open-{tag}")
        page.keyboard.press("Escape")
        expect(toggle).to_have_attribute("aria-expanded", "false")
    else:
        expect(toggle).to_be_hidden()
        expect(nav.locator(".mainnav a").first).to_be_visible()
        shot(page, f"home-{tag}")
    no_page_overflow(page)

    # the ledger: filters folded behind one button that counts the active ones
    page.goto(base + "/ledger/?status=pending&overdue=1")
    button = page.locator(".filters-toggle")
    form = page.locator("#ledger-filters")
    if phone:
        expect(button).to_be_visible()
        expect(button).to_have_text("筛选（已选 2 项）")
        expect(form).to_be_hidden()
        shot(page, f"ledger-{tag}")
        button.click()
        expect(button).to_have_attribute("aria-expanded", "true")
        expect(form).to_be_visible()
        with page.expect_response(lambda r: "/ledger/" in r.url and "severity=" in r.url):
            page.select_option("#f-severity", index=1)
        # measure the swapped-in table, not the one htmx is about to detach
        page.wait_for_function("!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
        expect(button).to_have_text("筛选（已选 3 项）")
        expect(form).to_be_visible()  # still open after the results (and the filters) were swapped
        shot(page, f"ledger-filters-open-{tag}")
        # the table scrolls inside its box, its first column stays in view
        wrap = page.locator(".ledger-wrap")
        assert page.evaluate("(e) => e.scrollWidth > e.clientWidth", wrap.element_handle())
        first = page.locator("table.ledger tbody tr:first-child td:first-child")
        assert first.evaluate("(e) => getComputedStyle(e).position") == "sticky"
        wrap.evaluate("(e) => e.scrollLeft = 400")
        box = first.bounding_box()
        assert box["x"] >= 0 and box["x"] < 40, box
        shot(page, f"ledger-scrolled-{tag}")
    else:
        expect(button).to_be_hidden()
        expect(form).to_be_visible()
        shot(page, f"ledger-{tag}")
    no_page_overflow(page)

    page.goto(base + "/dashboard/")
    no_page_overflow(page)
    shot(page, f"dashboard-{tag}")

    # the wizard, as a staff member, and the tip box
    page.context.clear_cookies()
    sign_in(page, base, "demo-staff")
    page.goto(base + "/selfcheck/wizard")
    no_page_overflow(page)
    shot(page, f"wizard-{tag}")
    if phone:
        assert small_targets(page, "main button, main .button") == []
    page.context.clear_cookies()
    page.goto(base + "/tips/")
    no_page_overflow(page)
    shot(page, f"tips-{tag}")
    if phone:
        assert small_targets(page, "main button, main .button") == []
    assert page.csp_errors == []
