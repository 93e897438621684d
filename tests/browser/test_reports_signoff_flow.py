"""The monthly report's way upward in a real browser: the office drafts it, the 分管领导 reviews it from his
home page, the 局长 signs it from hers, the office numbers it and registers it as sent to 市纠风办; the PDF
keeps the GB/T 9704 layout and its figures equal the test's own queries. Then the office edits the campaign
settings: the header's stage and the self-check window follow."""
import datetime as dt
import io
import re

import pdfplumber
import pytest
from playwright.sync_api import expect

from portal.models import Problem, RoleAssignment, User
from portal.models.report import Report, ReportDispatch, ReportDraft, ReportFile, ReportStep
from tests.browser.conftest import login
from tests.factories import PASSWORD, make_problem
from tests.gongwen.layout import BOTTOM, DATE, Doc
from tests.reports.test_reports import layout_checks

pytestmark = pytest.mark.browser

DEC_LO, DEC_HI = dt.datetime(2026, 12, 1), dt.datetime(2027, 1, 1)


def flat_text(data):
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "".join((p.extract_text() or "") for p in pdf.pages).replace(" ", "").replace("\n", "")


def test_monthly_report_signed_numbered_sent_and_campaign_settings(bureau, live_server, page, new_page, travel,
                                                                   tmp_path):
    b = bureau
    travel(dt.datetime(2026, 12, 10, 9, 0))
    make_problem(person=b.staff_a, source="selfcheck", self_reported=True, description="报表两次延期报送")
    make_problem(person=b.staff_b, source="tip", severity="serious", description="工作时间脱岗")
    make_problem(person=b.staff_a2, source="inspection", description="值班记录不规范")
    travel(dt.datetime(2027, 1, 5, 10, 0))  # early January: December is reported
    base = live_server.url

    # 拟稿: the office drafts the December report
    login(page, base, "office", PASSWORD)
    page.goto(base + "/reports/new")
    page.check('input[name="kind"][value="monthly"]')
    page.fill("#ref_date", "2026-12-15")
    page.select_option("#reviewer", str(b.leader.id))
    page.select_option("#signer", str(b.chief.id))
    page.fill("#narrative", "局党组召开专题会议，研究部署作风纪律整顿工作。\n组织开展明察暗访两次。")
    page.fill("#typical_cases", "某科室干部工作时间脱岗，已责令检查并通报。")
    page.fill("#next_plan", "继续推进问题整改，健全长效机制。")
    page.click("#generate")
    page.wait_for_url(re.compile(r".*/reports/drafts/\d+$"))
    draft_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("#draft-status")).to_have_text("拟稿")
    page.click("#submit-review")
    expect(page.locator("#draft-status")).to_have_text("待审核")

    # 审核: the 分管领导 approves from his home page
    leader = new_page()
    login(leader, base, "leader", PASSWORD)
    queue = leader.locator("#signoff-queue")
    expect(queue).to_contain_text("待审核")
    queue.locator('input[name="comment"]').fill("同意，报局长签发。")
    with leader.expect_navigation():
        queue.locator("button:has-text('审核通过')").click()
    expect(leader.locator("#signoff-queue")).to_have_count(0)

    # 签发: the 局长 signs from hers
    chief = new_page()
    login(chief, base, "chief", PASSWORD)
    queue = chief.locator("#signoff-queue")
    expect(queue).to_contain_text("待签发")
    with chief.expect_navigation():
        queue.locator("button:has-text('签发')").click()
    assert ReportDraft.get_by_id(draft_id).status == "signed"

    # 编号归档 and 报送登记 by the office
    page.goto(f"{base}/reports/drafts/{draft_id}")
    expect(page.locator("#draft-status")).to_have_text("已签发")
    page.fill("#number", "机管报〔2026〕3号")
    page.click("#number-submit", no_wait_after=True)  # three PDFs are made (a job; immediate in tests)
    page.wait_for_url(re.compile(r".*/reports/\d+$"), timeout=120_000)
    report = Report.get_by_id(ReportDraft.get_by_id(draft_id).report_id)
    page.select_option("#recipient", "市纠风办")
    page.check('input[name="method"][value="paper"]')
    page.click("#dispatch-submit")
    expect(page.locator("#dispatch-list")).to_contain_text("市纠风办")
    page.goto(base + "/reports/register")
    row = page.locator("#register-list tbody tr").first
    expect(row).to_contain_text("市纠风办")
    expect(row).to_contain_text("纸质")
    expect(row).to_contain_text("机管报〔2026〕3号")
    x = ReportDispatch.get()
    assert (x.recipient, x.method, x.sent_on, x.sent_by_id) == ("市纠风办", "paper", dt.date(2027, 1, 5), b.office.id)
    steps = [(s.action, s.actor_id) for s in ReportStep.select().where(ReportStep.draft == draft_id).order_by(ReportStep.id)]
    assert steps == [("create", b.office.id), ("submit", b.office.id), ("approve", b.leader.id),
                     ("sign", b.chief.id), ("number", b.office.id), ("dispatch", b.office.id)]

    # the PDF addressed to 市纠风办: the official layout, and its figures equal our own queries
    pdf = ReportFile.get((ReportFile.report == report) & (ReportFile.kind == "pdf") & (ReportFile.recipient == "jiufengban"))
    page.goto(f"{base}/reports/{report.id}")
    with page.expect_download() as dl:
        page.click(f'a[data-kind="pdf"][data-recipient="jiufengban"]')
    data = open(dl.value.path(), "rb").read()
    (tmp_path / "report.pdf").write_bytes(data)
    layout_checks(data, "市纠风办")
    doc = Doc(data)
    for no, (_, _, page_lines, _) in enumerate(doc.pages[:-1], 1):
        inside = [ln for ln in page_lines if ln.top <= BOTTOM + 1]
        if inside and all(abs(ln.size - 16) < 0.1 for ln in inside) and not any(DATE.fullmatch(ln.text) for ln in inside):
            assert len(inside) == 22, no
    text = flat_text(data)
    dec = list(Problem.select().where((Problem.created_at >= DEC_LO) & (Problem.created_at < DEC_HI)
                                      & (Problem.withdrawn == False)))  # noqa: E712
    assert len(dec) == 3
    assert f"全局新登记问题{len(dec)}个" in text
    assert f"其中个人自查发现{sum(p.self_reported for p in dec)}个" in text
    serious = sum(1 for p in dec if p.severity == "serious")
    assert f"严重{serious}个" in text
    business = (User.select().join(RoleAssignment, on=(RoleAssignment.user == User.id))
                .where(RoleAssignment.role.not_in(["sysadmin", "secadmin", "auditor"])
                       & (User.is_active_flag == True)).distinct().count())  # noqa: E712
    assert f"全局应参加{business}人，已提交0人" in text
    assert "签发人：周正华" in text and "市纠风办：" in text
    assert "某科室干部工作时间脱岗" in text and "继续推进问题整改" in text

    # campaign settings: today (2027-01-05) moves into 总结, and the self-check window reopens to 01-10
    staff = new_page()
    login(staff, base, "staff_a", PASSWORD)
    expect(staff.locator("#campaign-stage")).to_have_text("当前阶段：整改提升")
    staff.goto(base + "/selfcheck/step/1")
    expect(staff.locator("body")).to_contain_text("自查已于2026年12月20日截止")
    page.goto(base + "/campaign/settings")
    page.fill("#stage-3-end", "2027-01-04")
    page.fill("#stage-4-start", "2027-01-05")
    page.fill("#window-closes", "2027-01-10")
    page.uncheck("#window-late")
    page.click("#save-settings")
    page.wait_for_url(re.compile(r".*/campaign/settings$"))
    expect(page.locator("#campaign-stage")).to_have_text("当前阶段：总结")
    staff.goto(base + "/selfcheck/step/1")
    expect(staff.locator("#campaign-stage")).to_have_text("当前阶段：总结")
    expect(staff.locator("body")).not_to_contain_text("截止，现为只读")
    expect(staff.locator("fieldset.wz-fields[disabled]")).to_have_count(0)
