"""Who may open which administration page; CSRF on every administration POST."""
import pytest

from portal.models import AuditRecord, User
from tests.factories import make_department, make_user

SYSADMIN_PAGES = ["/admin/", "/admin/departments", "/admin/roster", "/admin/roster/template.xlsx",
                  "/admin/roster/export.xlsx", "/admin/users/new"]


@pytest.mark.parametrize("role", ["dept_head", "staff", "leader", "discipline", "chief", "secadmin", "auditor"])
def test_sysadmin_pages_refuse_other_roles(client, login_as, role):
    login_as(role)
    for path in SYSADMIN_PAGES:
        assert client.get(path).status_code == 403, path
    assert AuditRecord.select().where(AuditRecord.action == "access_denied").count() == len(SYSADMIN_PAGES)


@pytest.mark.parametrize("role", ["sysadmin", "secadmin", "dept_head", "discipline", "chief"])
def test_audit_log_is_for_the_auditor_only(client, login_as, role):
    login_as(role)
    r = client.get("/admin/audit")
    assert r.status_code == 403
    assert "无权访问" in r.get_data(as_text=True)
    assert client.hx_get("/admin/audit").status_code == 403


@pytest.mark.parametrize("role", ["sysadmin", "auditor", "dept_head", "staff"])
def test_security_page_is_for_the_secadmin_only(client, login_as, role):
    login_as(role)
    assert client.get("/admin/security").status_code == 403


def test_dept_head_gets_403_on_user_actions(client, login_as, ctx):
    other = make_user("victim", make_department("财务科"))
    login_as("dept_head")
    for path in (f"/admin/users/{other.id}/edit", f"/admin/users/{other.id}/row"):
        assert client.get(path).status_code == 403
    for path in (f"/admin/users/{other.id}/disable", f"/admin/users/{other.id}/reset-password",
                 "/admin/departments/new", f"/admin/security/unlock/{other.id}"):
        assert client.post(path).status_code == 403
    assert User.get_by_id(other.id).is_active


def test_anonymous_is_sent_to_login(client, ctx):
    r = client.get("/admin/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    r = client.hx_get("/admin/audit")
    assert r.headers.get("HX-Redirect", "").startswith("/login")


def test_nav_entries_per_admin_role(client, login_as):
    login_as("sysadmin")
    home = client.get("/").get_data(as_text=True)
    assert "系统管理" in home and "审计日志" not in home and "安全管理" not in home
    login_as("auditor")
    home = client.get("/").get_data(as_text=True)
    assert "审计日志" in home and "系统管理" not in home
    login_as("secadmin")
    home = client.get("/").get_data(as_text=True)
    assert "安全管理" in home and "系统管理" not in home


def test_csrf_refused_plain_and_htmx(client, sysadmin, office):
    target = make_user("target", office)
    r = client.post(f"/admin/users/{target.id}/disable", csrf=False)
    assert r.status_code == 400
    assert "CSRF" in r.get_data(as_text=True)
    r = client.hx_post(f"/admin/users/{target.id}/disable", csrf=False)
    assert r.status_code == 400
    assert "data-error-message" in r.get_data(as_text=True)
    r = client.post("/admin/departments/new", data={"name": "新科室", "kind": "office"}, csrf=False)
    assert r.status_code == 400
    assert User.get_by_id(target.id).is_active
    # with the token the same request goes through
    assert client.hx_post(f"/admin/users/{target.id}/disable").status_code == 200
    assert not User.get_by_id(target.id).is_active
