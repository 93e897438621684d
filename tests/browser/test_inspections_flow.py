"""The office plans a spot check and draws 5 people with a witness number, verifies the draw; an inspector
records a finding; the Problem appears in the ledger, the dashboard's count goes up by one, and the office
generates the monthly report and downloads the PDF and the spreadsheet."""
import re

import pytest
from playwright.sync_api import expect

from portal.models import Notice, Problem, User
from portal.models.inspection import Draw, Finding
from tests.browser.conftest import login
from tests.factories import PASSWORD
from tests.inspections.helpers import bureau
from tests.reports.test_reports import sign_latest

pytestmark = pytest.mark.browser


def test_spot_check_to_dashboard_and_monthly_report(ctx, live_server, page, new_page):
    bureau(people_per_dept=3)
    base = live_server.url
    login(page, base, "disc", PASSWORD)
    page.goto(base + "/dashboard/")
    before = int(page.locator("#n-total").inner_text())
    page.click("nav.mainnav >> text=明察暗访")
    page.click("text=新建检查计划")
    page.fill("#title", "十一月工作纪律明察暗访")
    page.check("input[name=checks][value='preset:0']")
    page.check("input[name=checks][value='preset:4']")
    page.fill("#target_count", "5")
    page.click("button:has-text('建立计划')")
    page.wait_for_url("**/inspections/*")
    expect(page.locator(".flashes")).to_contain_text("检查计划已建立")
    page.select_option("select[name=user]", label="检查员乙（纪委办）")
    page.click("button:has-text('指派')")
    expect(page.locator(".flashes")).to_contain_text("已指派检查员乙")

    page.click("text=随机抽取检查对象")
    roster_hash = page.inner_text("[data-roster-hash]")  # waits for the draw page
    assert len(roster_hash) == 64
    page.fill("#witness_number", "73519")
    page.fill("#witnesses", "办公室 张见证、工会 李见证")
    page.click("button:has-text('抽取')")
    page.wait_for_url("**/inspections/draws/*")
    expect(page.locator("ol.insp-result li")).to_have_count(5)
    d = Draw.get()
    assert d.witness_number == "73519" and d.roster_hash == roster_hash and len(d.result_keys()) == 5
    page.click("text=公开核验页面")
    page.wait_for_url("**/verify")
    expect(page.locator("[data-verdict]")).to_have_attribute("data-verdict", "match")
    expect(page.locator("h2").first).to_contain_text("核验一致")

    # the inspector (notified of the assignment) records a finding from the home page
    insp = new_page()
    login(insp, base, "inspB", PASSWORD)
    expect(insp.locator(".bell-count")).to_have_attribute("data-unread", "1")
    expect(insp.locator(".panels")).to_contain_text("明察暗访任务")
    insp.click(".insp-todo li:first-child a")
    insp.wait_for_url("**/finding")
    insp.select_option("#check", label="上班迟到早退")
    insp.fill("#description", "8:52 尚未到岗，未履行请假手续")
    insp.fill("#place", "二楼办公区")
    insp.fill("#deadline", "2026-12-31")
    insp.click("button:has-text('登记')")
    insp.wait_for_url("**/inspections/*")
    expect(insp.locator(".flashes")).to_contain_text("问题已列入整改台账")
    f = Finding.get()
    prob = Problem.get_by_id(f.problem_id)
    assert prob.source == "inspection" and not prob.self_reported and "8:52 尚未到岗" in prob.description
    expect(insp.locator("table.grid").first).to_contain_text(f"台账 #{prob.id}")
    # the office sees the Problem in the ledger and one more on the dashboard
    page.goto(base + "/ledger/")
    expect(page.locator("main")).to_contain_text("8:52 尚未到岗")
    page.goto(base + "/dashboard/")
    expect(page.locator("#n-total")).to_have_text(str(before + 1))
    assert Notice.select().where(Notice.kind == "draw").count() == 1

    # the monthly report upward: an official-format PDF per recipient and the ledger spreadsheet
    page.click("nav.mainnav >> text=定期报送")
    page.click("a.button.primary[href$='/reports/new']")
    # this month so far (a month that has not ended is reported as a custom period up to today)
    from portal import clock
    today = clock.today()
    page.check("input[name=kind][value=range]")
    page.fill("#start", today.replace(day=1).isoformat())
    page.fill("#end", today.isoformat())
    page.select_option("#reviewer", str(User.get(User.username == "leader").id))
    page.select_option("#signer", str(User.get(User.username == "chief").id))
    page.fill("textarea[name=narrative]", "各科室认真开展自查自纠。\n机关党委（纪委）开展明察暗访一次。")
    page.wait_for_selector("#preview h3")
    page.click("#generate")
    page.wait_for_url(re.compile(r".*/reports/drafts/\d+$"))
    draft_id = int(page.url.rsplit("/", 1)[1])
    sign_latest()  # 审核 and 签发 (walked in the browser by test_reports_signoff_flow.py)
    page.goto(f"{base}/reports/drafts/{draft_id}")
    page.fill("#number", "机管报〔2026〕3号")
    page.click("#number-submit", no_wait_after=True)  # the PDFs are made by a job (immediate in tests)
    page.wait_for_url(re.compile(r".*/reports/\d+$"), timeout=120_000)
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
    from openpyxl import load_workbook
    with open(x.path(), "rb") as fh:
        cells = [str(c) for ws in load_workbook(fh, read_only=True).worksheets
                 for row in ws.iter_rows(values_only=True) for c in row if c]
    assert any("8:52 尚未到岗" in c for c in cells)                      # the finding is in the ledger sheet
