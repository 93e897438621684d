"""The ledger in a real browser: the office filters (URL changes, reload keeps it); a head moves a row
to 已整改 with evidence and the counters change without a reload; the office returns it; two people edit
the same row and the second sees the conflict with their input kept."""
import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.factories import PASSWORD, make_department, make_problem, make_user
from tests.tips.util import pdf_bytes

pytestmark = pytest.mark.browser

PDF = pdf_bytes("ledger evidence")


def counter(page, key):
    return int(page.locator(f'[data-counter="{key}"] b').inner_text())


def expect_counter(page, key, n):
    expect(page.locator(f'[data-counter="{key}"] b')).to_have_text(str(n))


def test_ledger_flow(ctx, live_server, page, new_page, tmp_path):
    a, b, d = make_department("财务科"), make_department("资产管理科"), make_department("机关党委（纪委）")
    make_user("office", d, roles=("discipline", "staff"), real_name="郑清源")
    head = make_user("head_a", a, roles=("dept_head", "staff"), real_name="王立新")
    staff = make_user("staff_a", a, real_name="李明")
    other = make_user("staff_b", b, real_name="孙丽")
    soon = dt.date.today() + dt.timedelta(days=20)
    target = make_problem(staff, description="甲：公文办理超时限", deadline=soon, status="in_progress")
    make_problem(staff, description="甲：值班期间脱岗", deadline=soon)
    make_problem(other, description="乙：公务用车私用", deadline=soon, status="in_progress")
    base = live_server.url

    # the office filters by department and status; the URL follows; a reload keeps the filter
    login(page, base, "office", PASSWORD)
    page.goto(base + "/ledger/")
    expect(page.locator("tr.ledger-row")).to_have_count(3)
    page.select_option("#f-dept", str(a.id))
    page.wait_for_url(re.compile(rf"dept={a.id}"))
    page.select_option("#f-status", "in_progress")
    page.wait_for_url(re.compile(r"status=in_progress"))
    expect(page.locator("tr.ledger-row")).to_have_count(1)
    expect_counter(page, "in_progress", 1)
    expect_counter(page, "pending", 1)
    page.reload()
    assert page.locator("#f-dept").input_value() == str(a.id)
    assert page.locator("#f-status").input_value() == "in_progress"
    expect(page.locator("tr.ledger-row")).to_have_count(1)
    expect(page.locator(f"#row-{target.id}")).to_contain_text("甲：公文办理超时限")

    # the head reports it rectified with evidence; counters change without a reload
    hp = new_page()
    login(hp, base, "head_a", PASSWORD)
    hp.goto(base + "/ledger/")
    hp.evaluate("window.__marker = 1")  # survives only if the page is never reloaded
    before = counter(hp, "rectified")
    row = hp.locator(f"#row-{target.id}")
    row.get_by_role("button", name="报告已整改").click()
    editor = hp.locator(f"#row-{target.id} form")
    editor.locator("textarea[name=note]").fill("已建立公文办理时限台账，逐件督办")
    evidence = tmp_path / "整改报告.pdf"
    evidence.write_bytes(PDF)
    editor.locator("input[type=file]").set_input_files(str(evidence))
    editor.get_by_role("button", name="提交已整改").click()
    hp.wait_for_selector(f"#row-{target.id} [data-status=rectified]")
    expect_counter(hp, "rectified", before + 1)
    assert hp.evaluate("window.__marker") == 1

    # the office returns it with a reason
    page.goto(base + "/ledger/?status=rectified")
    page.locator(f"#row-{target.id}").get_by_role("button", name="退回").click()
    page.locator(f"#row-{target.id} textarea[name=note]").fill("佐证材料不足，请补充督办记录")
    page.locator(f"#row-{target.id}").get_by_role("button", name="退回").click()
    page.wait_for_selector(f"#row-{target.id} [data-status=in_progress]")
    expect_counter(page, "rectified", 0)

    # two people open the same row's editor; the second save is refused with the current state shown
    page.goto(base + "/ledger/")
    hp.goto(base + "/ledger/")
    page.locator(f"#row-{target.id}").get_by_role("button", name="编辑").click()
    hp.locator(f"#row-{target.id}").get_by_role("button", name="编辑").click()
    hp.locator(f"#row-{target.id} textarea[name=measures]").fill("负责人先保存的措施")
    hp.locator(f"#row-{target.id}").get_by_role("button", name="保存").click()
    hp.wait_for_selector(f"#row-{target.id} [data-status]")
    page.locator(f"#row-{target.id} textarea[name=measures]").fill("办公室后保存的措施")
    page.locator(f"#row-{target.id}").get_by_role("button", name="保存").click()
    page.wait_for_selector("[data-conflict]")
    expect(page.locator(f"#row-{target.id}")).to_contain_text("已被他人修改")
    expect(page.locator(f"#row-{target.id}")).to_contain_text("负责人先保存的措施")
    assert page.locator(f"#row-{target.id} textarea[name=measures]").input_value() == "办公室后保存的措施"
    page.screenshot(path=str(tmp_path / "conflict.png"))
