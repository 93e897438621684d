"""Keyboard only: the self-check wizard (answer a step, go on), the ledger's inline editing (open, type,
save) and the tip box (every field in the Tab order up to 提交举报). Focus stays where the user was
after htmx swaps; the autosave state is announced (role=status, aria-live)."""
import pytest
from playwright.sync_api import expect

from portal.models import Department
from tests.browser.ux_helpers import en_browser, en_page, seed_demo, sign_in  # noqa: F401
from tests.browser.conftest import login
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser


def focused(page, js="e => e"):
    return page.evaluate(f"(() => {{ const e = document.activeElement; return ({js})(e); }})()")


def tab_until(page, test_js, limit=80):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page, test_js):
            return True
    return False


def test_keyboard_only(ctx, live_server, en_browser):  # noqa: F811
    seed_demo()
    base = live_server.url

    # the wizard: answer every item of step 1 with Space, go on with Enter
    fin = Department.get(Department.name == "财务科")
    make_user("kb-staff", fin, real_name="安静")
    page = en_page(en_browser)
    login(page, base, "kb-staff", PASSWORD)
    page.goto(base + "/selfcheck/wizard")
    expect(page.locator("#step-form h2")).to_contain_text("第 1 步")
    groups = page.locator("#step-form .wz-answer").count()
    assert groups >= 3
    assert tab_until(page, "e => e && e.type === 'radio'")
    for i in range(groups):
        page.keyboard.press("Space")  # the group's first radio: 未发现问题
        if i < groups - 1:
            assert tab_until(page, "e => e && e.type === 'radio' && !e.checked", 10)
    assert page.locator("#step-form input[value=no_problem]:checked").count() == groups
    expect(page.locator(".wz-save")).to_have_attribute("aria-live", "polite")
    expect(page.locator(".wz-save")).to_contain_text("保存", timeout=15000)
    assert tab_until(page, "e => e && e.value === 'next'", 20)
    page.keyboard.press("Enter")
    expect(page.locator("#step-form h2")).to_contain_text("第 2 步")
    # focus did not fall back to the page: it is on the new step's first answer (once the swap settles)
    page.wait_for_function("() => { const e = document.activeElement; "
                           "return e && e.closest('#step-form') !== null && e.type === 'radio'; }", timeout=5000)
    page.context.close()

    # the ledger's inline editing by a department head
    page = en_page(en_browser)
    sign_in(page, base, "demo-head")
    page.goto(base + "/ledger/")
    button = page.locator("tr.ledger-row button", has_text="编辑").first
    row_id = button.evaluate("b => b.closest('tr').id")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#{row_id}.editing")).to_be_visible()
    assert focused(page, f"e => e && e.tagName === 'TEXTAREA' && e.closest('tr').id === '{row_id}'")
    page.keyboard.press("Control+End")
    page.keyboard.type("（键盘补充）")
    assert tab_until(page, "e => e && e.type === 'submit'", 10)
    page.keyboard.press("Enter")
    expect(page.locator(f"#{row_id}")).not_to_have_class("ledger-row editing")
    expect(page.locator(f"#{row_id}")).to_contain_text("（键盘补充）")
    assert focused(page, f"e => e && e.closest('tr') && e.closest('tr').id === '{row_id}'")
    # the counters' update is announced
    page.select_option("#f-status", "pending")
    expect(page.locator("#live-status")).to_contain_text("已更新")
    page.context.close()

    # the tip box: every field in the Tab order, up to the submit button
    page = en_page(en_browser)
    page.goto(base + "/tips/")
    names = set()
    reached = False
    for _ in range(120):
        page.keyboard.press("Tab")
        name = focused(page, "e => e && (e.name || e.textContent.trim())")
        names.add(name)
        if name == "提交举报":
            reached = True
            break
    assert reached, names
    fields = set(page.eval_on_selector_all(".tip-form [name]:not([type=hidden])", "els => els.filter(e => e.offsetParent !== null || e.classList.contains('cn-file-input')).map(e => e.name)"))
    assert fields <= names, fields - names
