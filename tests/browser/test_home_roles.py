"""Three roles log in through a real browser and each sees their own home page."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.factories import PASSWORD, make_department, make_user

pytestmark = pytest.mark.browser


def test_three_roles_see_their_home(ctx, live_server, page):
    dept = make_department("综合科")
    make_user("b-staff", dept, roles=("staff",), real_name="张三")
    make_user("b-head", dept, roles=("dept_head", "staff"), real_name="李四")
    make_user("b-auditor", dept, roles=("auditor",), real_name="王五")
    for username, name, role in (("b-staff", "张三", "干部职工"), ("b-head", "李四", "科室（单位）负责人"),
                                 ("b-auditor", "王五", "审计管理员")):
        login(page, live_server.url, username, PASSWORD)
        assert page.url.rstrip("/") == live_server.url
        expect(page.locator("h1.greeting")).to_have_text(f"{name}，您好")
        expect(page.locator(".panels")).to_contain_text(role)
        page.click("text=退出")
        page.wait_for_url("**/login")
