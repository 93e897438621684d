"""The system administrator edits a person in place, is refused a 三员分立 combination, and creates a
department — all through htmx in Debian's chromium."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.factories import PASSWORD, make_department, make_user

pytestmark = pytest.mark.browser


def test_sysadmin_edits_users_and_departments(ctx, live_server, page):
    office = make_department("办公室")
    make_user("sys", office, roles=("sysadmin",), real_name="钱志远")
    target = make_user("li", office, roles=("staff",), real_name="李明", phone="13800001111")
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, live_server.url, "sys", PASSWORD)
    page.goto(live_server.url + "/admin/")
    row = page.locator(f"#user-{target.id}")
    expect(row).to_contain_text("138****1111")
    row.get_by_text("编辑").click()
    editor = page.locator(f"tr#user-{target.id}.editing")
    editor.wait_for()
    editor.locator("input[name=title]").fill("一级主任科员")
    # 三员分立: the system administrator cannot grant an administrator role (the server refuses it too,
    # tests/admin/test_separation.py); the box is shown greyed out
    expect(editor.locator("input[value=auditor]")).to_be_disabled()
    editor.get_by_role("button", name="保存").click()
    page.locator(f"tr#user-{target.id}:not(.editing)").wait_for()
    expect(page.locator(f"#user-{target.id}")).to_contain_text("一级主任科员")
    page.locator(".toast-success").first.wait_for()

    page.goto(live_server.url + "/admin/departments")
    page.fill("#dept-area input[name=name]", "资产管理科")
    page.get_by_role("button", name="新建").click()
    page.locator("#dept-area td:has-text('资产管理科')").wait_for()
    assert errors == []
