"""An anonymous tip with a file, through a real browser: the reporter notes the code, the office accepts,
assigns and replies, the reporter reads the reply with code + password, the office concludes 属实 with
two linked Problems (一案双查)."""
import pytest
from playwright.sync_api import expect

from portal.models import Problem
from portal.models.tip import Clue, TipFile
from tests.browser.conftest import login
from tests.factories import PASSWORD
from tests.tips.util import org, pdf_bytes

pytestmark = pytest.mark.browser


def test_anonymous_tip_to_substantiated_conclusion(ctx, live_server, page, new_page, tmp_path):
    o = org()
    base = live_server.url
    evidence = tmp_path / "考勤截图.pdf"
    evidence.write_bytes(pdf_bytes("browser evidence"))

    # the reporter, not logged in
    page.goto(base + "/tips/")
    expect(page.locator("h1")).to_have_text("作风纪律问题举报箱")
    expect(page.locator("[data-show-when='identity=named']")).to_be_hidden()
    page.fill("#subject_name", "李明")
    page.select_option("#subject_department", label="财务科")
    page.select_option("#item", index=18)
    page.fill("#body", "李明上班时间多次用办公电脑玩网络游戏，一玩就是一个多小时。")
    page.set_input_files("#files", str(evidence))
    page.click("button[type=submit]")
    code = page.locator("[data-receipt-code]").inner_text()
    password = page.locator("[data-receipt-password]").inner_text()
    assert len(code.replace(" ", "")) == 16
    expect(page.locator("[data-noted-button]")).to_be_disabled()
    page.check("[data-noted]")
    page.click("[data-noted-button]")
    expect(page.locator("h1")).to_contain_text("感谢您的监督")
    assert TipFile.select().count() == 1

    # the office accepts, assigns and replies
    office = new_page()
    login(office, base, "office", PASSWORD)
    office.click("text=问题线索")
    office.click("text=XS-2026-0001")
    expect(office.locator("[data-clue-body]")).to_contain_text("李明上班时间")
    office.click("text=查看举报人信息（留痕）")
    expect(office.locator("[data-identity]")).to_contain_text("匿名举报")
    office.click("button:has-text('受理')")
    expect(office.locator("[data-clue-status]")).to_have_text("已受理")
    office.select_option("#disposal", label="初步核实")
    office.select_option("#handler_id", value=str(o["office2"].id))
    office.fill("#workdays", "10")
    office.click("button:has-text('交办')")
    expect(office.locator("[data-clue-status]")).to_have_text("已交办")
    office.fill("#text", "您反映的问题已受理并交办核查，请耐心等待。")
    office.click("button:has-text('发送答复')")
    expect(office.locator("body")).to_contain_text("答复已发送")

    # the reporter comes back with code + password
    page.goto(base + "/tips/track")
    page.fill("#code", code)
    page.fill("#password", password)
    page.click("button[type=submit]")
    expect(page.locator("[data-tip-status]")).to_have_text("办理中")
    messages = page.locator("[data-message]").all_inner_texts()
    assert any("受理" in m for m in messages) and any("已受理并交办核查" in m for m in messages)

    # the office verifies and concludes 属实 with 一案双查
    office.click("button:has-text('开始核查')")
    expect(office.locator("[data-clue-status]")).to_have_text("核查中")
    office.select_option("#conclusion", label="属实")
    office.fill("#finding", "经调取上网记录并谈话核实，反映问题属实。")
    office.click("form[action$='/to/concluded'] button[type=submit]")
    expect(office.locator("[data-error-message]")).to_contain_text("一案双查")  # refused without Problems
    office.select_option("#conclusion", label="属实")
    office.fill("#finding", "经调取上网记录并谈话核实，反映问题属实。")
    office.select_option("#person_id", value=str(o["staff"].id))
    office.fill("#description", "上班时间用办公电脑玩网络游戏。")
    office.select_option("#leader_id", value=str(o["leader"].id))
    office.fill("#reply", "经核查，您反映的问题属实，已责令整改。")
    office.click("form[action$='/to/concluded'] button[type=submit]")
    expect(office.locator("[data-clue-status]")).to_have_text("已办结")
    expect(office.locator("[data-linked-problem]")).to_have_count(2)
    clue = Clue.get()
    assert clue.conclusion == "true"
    person = Problem.get(Problem.origin == f"clue:{clue.id}:person")
    assert person.partner.is_accountability and person.partner.person_id == o["leader"].id

    page.reload()
    expect(page.locator("[data-tip-status]")).to_have_text("已办结")
    expect(page.locator("[data-tip-reply]")).to_contain_text("问题属实")
