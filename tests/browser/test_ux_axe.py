"""axe-core 4.14.1 (vendored from npm: static/vendor/axe-core-4.14.1.min.js, injected by the test only)
on every role's main pages of the demo bureau, and on pages after an htmx swap: no serious or critical
violation. The results are printed per page (run with -s to see them)."""
import re

import pytest

from tests.browser.ux_helpers import en_browser, en_page, run_axe, seed_demo, sign_in  # noqa: F401

pytestmark = pytest.mark.browser

PAGES = {
    "demo-staff": ["/", "/selfcheck/", "/selfcheck/wizard", "/ledger/", "/notices/", "/help/"],
    "demo-head": ["/", "/selfcheck/department", "/ledger/", "/selfcheck/report"],
    "demo-leader": ["/", "/dashboard/", "/selfcheck/department", "/ledger/?scope=depts"],
    "demo-chief": ["/", "/dashboard/", "/reports/"],
    "demo-discipline": ["/", "/ledger/", "/dashboard/", "/clues/", "/inspections/", "/documents/", "/reports/",
                        "/selfcheck/department"],
    "demo-inspector": ["/", "/inspections/"],
    "demo-clerk": ["/", "/documents/"],
    "demo-custodian": ["/"],
    "demo-sysadmin": ["/"],
    "demo-secadmin": ["/"],
    "demo-auditor": ["/"],
}


def test_axe_on_every_roles_main_pages(ctx, live_server, en_browser):  # noqa: F811
    seed_demo()
    base = live_server.url
    failures = {}
    anon = en_page(en_browser, axe=True)
    anon.goto(base + "/tips/")
    failures["(匿名) /tips/"] = run_axe(anon, "(匿名) /tips/")
    anon.goto(base + "/login")
    failures["(匿名) /login"] = run_axe(anon, "(匿名) /login")
    for username, urls in PAGES.items():
        page = en_page(en_browser, axe=True)
        sign_in(page, base, username)
        for url in urls:
            page.goto(base + url)
            label = f"{username} {url}"
            failures[label] = run_axe(page, label)
        page.context.close()

    # after htmx swaps: the ledger filtered (results and counters swapped), a person's row opened for
    # editing, the wizard's next step
    page = en_page(en_browser, axe=True)
    sign_in(page, base, "demo-discipline")
    page.goto(base + "/ledger/")
    with page.expect_response(re.compile(r"/ledger/\?")):
        page.select_option("#f-status", "pending")
    page.wait_for_timeout(300)
    failures["demo-discipline /ledger/ (htmx 筛选后)"] = run_axe(page, "demo-discipline /ledger/ (htmx 筛选后)")
    edit = page.locator("tr.ledger-row button, tr.ledger-row a[hx-get]").first
    if edit.count():
        edit.click()
        page.wait_for_timeout(500)
        failures["demo-discipline /ledger/ (htmx 行内编辑)"] = run_axe(page, "demo-discipline /ledger/ (htmx 行内编辑)")
    page.context.close()
    page = en_page(en_browser, axe=True)
    sign_in(page, base, "demo-staff")
    page.goto(base + "/selfcheck/wizard")
    nxt = page.locator("button[value=next], button:has-text('下一步')").first
    if nxt.count():
        nxt.click()
        page.wait_for_timeout(500)
        failures["demo-staff /selfcheck/wizard (下一步后)"] = run_axe(page, "demo-staff /selfcheck/wizard (下一步后)")
    bad = {k: [v["id"] for v in vs] for k, vs in failures.items() if vs}
    print(f"[axe] {len(failures)} pages checked; pages with serious/critical violations: {len(bad)}")
    assert bad == {}
