"""The office opens the dashboard, sees a count change after a new Problem, generates the monthly report
and downloads the PDF and the spreadsheet."""
import datetime as dt

import pytest
from playwright.sync_api import expect

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
    page.go_back()

    page.click("nav.mainnav >> text=定期报送")
    page.click("a.button.primary[href$='/reports/new']")
    page.check("input[name=kind][value=monthly]")
    page.fill("input[name=signer]", "周正华")
    page.fill("textarea[name=narrative]", "各科室认真开展自查自纠。\n机关党委（纪委）开展明察暗访一次。")
    page.wait_for_selector("#preview h3")
    with page.expect_navigation(url="**/reports/*", timeout=120000):
        page.click("#generate", timeout=120000)
    assert "已生成报告并归档" in page.content()
    rows = page.locator("#report-files tbody tr")
    expect(rows).to_have_count(7)
    with page.expect_download() as dl:
        page.click("#report-files a[data-kind=pdf][data-recipient=jijianzu]")
    pdf = dl.value
    assert pdf.suggested_filename.endswith("（报市纪委监委派驻纪检组）.pdf")
    with open(pdf.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
    with page.expect_download() as dl:
        page.click("#report-files a[data-kind=xlsx]")
    x = dl.value
    assert x.suggested_filename.endswith(".xlsx")
    with open(x.path(), "rb") as f:
        assert f.read(2) == b"PK"
