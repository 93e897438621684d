"""The office opens the dashboard, sees a count change after a new Problem, and a bar opens the ledger
filtered to exactly its number of rows. (Spot check → dashboard → monthly report: test_inspections_flow.)"""
import datetime as dt

import pytest

from portal import clock
from tests.browser.conftest import login
from tests.dashboard.seed import seed
from tests.factories import PASSWORD, make_problem

pytestmark = pytest.mark.browser


def test_office_dashboard_to_monthly_report(ctx, live_server, page):
    w = seed(n=30)
    base = live_server.url
    login(page, base, "office", PASSWORD)
    page.click("nav.mainnav >> text=工作看板")
    page.wait_for_url("**/dashboard/")
    before = int(page.locator("#n-total").inner_text())
    assert before == sum(1 for p in w["problems"] if not p.withdrawn)
    assert page.locator("svg.chart-svg").count() >= 5
    # a spot-check finding becomes a Problem
    make_problem(person=w["staff"][3], department=w["staff"][3].department, source="inspection",
                 status="pending", deadline=clock.today() - dt.timedelta(days=2), description="工作日中午饮酒")
    page.reload()
    assert int(page.locator("#n-total").inner_text()) == before + 1
    # a bar opens the ledger filtered to it
    bar = page.locator("a.bar-link[href^='/ledger/?']").first
    href = bar.get_attribute("href")
    assert href.startswith("/ledger/?") and "dept=" in href
    n = int(bar.get_attribute("aria-label").rsplit("：", 1)[1].rstrip("件"))
    page.goto(page.url.split("/dashboard/")[0] + href)
    assert int(page.locator("[data-total]").first.inner_text()) == n
