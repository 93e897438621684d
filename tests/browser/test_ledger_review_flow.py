"""The ledger worked through a working week in a real browser: a head enters a 领导点评 problem for a staff
member; the staff member writes progress with evidence and asks for 销号; the head returns it; the staff
member completes it; the head confirms; the discipline office accepts (已销号)."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.factories import PASSWORD, default_campaign, make_department, make_user
from tests.tips.util import pdf_bytes

pytestmark = pytest.mark.browser


def _submit(pg, name):
    with pg.expect_navigation():
        pg.get_by_role("button", name=name).click()


def test_leader_comment_worked_by_the_person_to_closed(ctx, live_server, page, new_page, tmp_path):
    default_campaign()
    fin, disc = make_department("财务科"), make_department("机关党委（纪委）")
    make_user("office", disc, roles=("discipline", "staff"), real_name="郑清源")
    make_user("head_a", fin, roles=("dept_head", "staff"), real_name="王立新")
    staff = make_user("staff_a", fin, real_name="李明")
    base = live_server.url
    evidence = tmp_path / "整改台账照片.pdf"
    evidence.write_bytes(pdf_bytes("evidence"))

    # the head enters a 领导点评 problem for 李明
    login(page, base, "head_a", PASSWORD)
    page.goto(base + "/ledger/")
    page.get_by_role("link", name="登记问题").click()
    page.select_option("#n-source", "leader_comment")
    expect(page.locator("#n-dept option")).to_have_count(1)  # only the own department
    page.select_option("#n-person", str(staff.id))
    cat_value = page.locator("#n-cat option").nth(1).get_attribute("value")
    page.select_option("#n-cat", cat_value)
    expect(page.locator("#n-item option")).not_to_have_count(1)  # htmx filled the category's items
    item_value = page.locator("#n-item option").nth(1).get_attribute("value")
    page.select_option("#n-item", item_value)
    page.fill("#n-desc", "局长在周例会上点评：财务报销审核拖沓，群众有意见")
    _submit(page, "登记")
    expect(page).to_have_url(re.compile(r"/ledger/\d+$"))
    pid = int(page.url.rsplit("/", 1)[1])
    expect(page.locator(".detail-head")).to_contain_text("领导点评")
    detail = f"{base}/ledger/{pid}"

    # 李明 writes progress with evidence, then asks for 销号
    sp = new_page()
    login(sp, base, "staff_a", PASSWORD)
    sp.goto(detail)
    sp.fill("#d-progress", "已梳理积压报销单据 36 件，本周内全部办结")
    sp.set_input_files("#d-progress-ev", str(evidence))
    _submit(sp, "记录整改进展")
    expect(sp.locator("#timeline")).to_contain_text("已梳理积压报销单据 36 件")
    expect(sp.locator("#evidence-files")).to_contain_text("整改台账照片")
    sp.fill("#d-note", "积压单据已全部办结，建立报销时限台账")
    _submit(sp, "报告已整改，申请销号")
    expect(sp.locator(".detail-head [data-stage]")).to_have_attribute("data-stage", "head")

    # the head returns it with a reason
    page.goto(detail)
    page.fill("#d-verify", "请补充报销时限台账的截图")
    _submit(page, "退回重新整改")
    expect(page.locator(".detail-head [data-status]")).to_have_attribute("data-status", "in_progress")

    # 李明 sees why, completes it and asks again
    sp.goto(detail)
    expect(sp.locator("#rectify-form")).to_contain_text("被退回重新整改")
    expect(sp.locator("#timeline")).to_contain_text("请补充报销时限台账的截图")
    sp.fill("#d-note", "已补充报销时限台账截图")
    sp.set_input_files("#d-ev", str(evidence))
    _submit(sp, "报告已整改，申请销号")
    expect(sp.locator(".detail-head [data-stage]")).to_have_attribute("data-stage", "head")

    # the head confirms; the office accepts
    page.goto(detail)
    _submit(page, "确认整改")
    expect(page.locator(".detail-head [data-stage]")).to_have_attribute("data-stage", "office")
    op = new_page()
    login(op, base, "office", PASSWORD)
    op.goto(detail)
    op.fill("#d-verify", "验收合格")
    _submit(op, "验收销号")
    expect(op.locator(".detail-head [data-status]")).to_have_attribute("data-status", "closed")
    expect(op.locator(".detail-head")).to_contain_text("已销号")

    # 李明's bell has the whole story
    sp.goto(base + "/notices/")
    expect(sp.locator("body")).to_contain_text("被退回")
    expect(sp.locator("body")).to_contain_text("已验收销号")
