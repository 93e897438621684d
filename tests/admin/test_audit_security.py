"""The auditor's log (filters, pagination, chain status) and the secadmin's security view (unlock)."""
import datetime as dt

from portal import audit
from portal.extensions import db
from portal.models import AuditRecord, User
from tests.factories import PASSWORD, make_user
from tests.triggers import suspended


def _rows(html):
    return html.count('<tr class="outcome-')


def test_audit_page_shows_chain_status_and_records(client, login_as):
    auditor = login_as("auditor")
    r = client.get("/admin/audit")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "审计链校验通过" in html
    assert "登录" in html and auditor.username in html
    assert "<form" in html and 'method="post"' not in html.split("<main", 1)[1].split("</main>", 1)[0].replace(
        'method="post" action="/logout"', "")  # read-only: no POST forms besides logout


def test_audit_page_reports_a_broken_chain(client, login_as):
    login_as("auditor")
    rec = AuditRecord.select().order_by(AuditRecord.seq).first()
    # tamper below the ORM, as an attacker owning the database would (the triggers refuse it otherwise)
    with suspended("audit_record"):
        db.execute_sql(f'UPDATE "{AuditRecord._meta.table_name}" SET detail = %s WHERE id = %s'
                       .replace("%s", db.param), ("forged", rec.id))
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "审计链校验失败" in html and f"第 {rec.seq} 条记录内容已被篡改" in html
    home = client.get("/").get_data(as_text=True)
    assert "审计链校验失败" in home


def test_audit_filters(client, login_as, travel, office):
    travel(dt.datetime(2026, 3, 1, 9, 0))
    target = make_user("target", office, real_name="被操作人")
    audit.record("user_disable", "user", target.id, actor=target)
    travel(dt.datetime(2026, 3, 5, 9, 0))
    audit.record("roster_export", "roster", "", detail={"rows": 3})
    audit.record("access_denied", "page", "/admin/", outcome="denied")
    travel(dt.datetime(2026, 3, 10, 9, 0))
    auditor = login_as("auditor")
    html = client.hx_get("/admin/audit?action=user_disable").get_data(as_text=True)
    assert _rows(html) == 1 and "停用用户" in html and "<html" not in html
    html = client.hx_get("/admin/audit?outcome=denied").get_data(as_text=True)
    assert _rows(html) == 1 and "越权访问" in html
    html = client.hx_get("/admin/audit?start=2026-03-04&end=2026-03-06").get_data(as_text=True)
    assert _rows(html) == 2
    html = client.hx_get("/admin/audit?end=2026-03-01").get_data(as_text=True)
    assert "停用用户" in html and "导出花名册" not in html
    html = client.hx_get("/admin/audit?actor=被操作").get_data(as_text=True)  # by real name
    assert "停用用户" in html and "导出花名册" not in html
    html = client.hx_get(f"/admin/audit?actor={auditor.username}&action=login").get_data(as_text=True)
    assert _rows(html) == 1
    html = client.hx_get(f"/admin/audit?object=user:{target.id}&action=user_disable").get_data(as_text=True)
    assert _rows(html) == 1
    assert _rows(client.hx_get("/admin/audit?object=花名册").get_data(as_text=True)) == 1
    # a bad date is an error on the form, not a 500
    r = client.get("/admin/audit?start=2026-13-45")
    assert r.status_code == 200 and "审计链" in r.get_data(as_text=True)


def test_audit_pagination(client, login_as, app):
    app.config["PAGE_SIZE"] = 10
    for i in range(25):
        audit.record("roster_export", "roster", str(i))
    login_as("auditor")
    html = client.get("/admin/audit").get_data(as_text=True)
    assert _rows(html) == 10 and "第 1 / 3 页" in html
    html = client.hx_get("/admin/audit?page=3").get_data(as_text=True)
    assert "第 3 / 3 页" in html


def test_audit_has_no_write_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin/audit"):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def _lock(user, client_factory):
    c = client_factory()
    for _ in range(5):
        c.post("/login", data={"username": user.username, "password": "wrong-Password1",
                               "csrf_token": c.csrf_token()})
    assert User.get_by_id(user.id).locked_until is not None


def test_security_page_and_unlock(client, login_as, app, office):
    victim = make_user("victim", office, real_name="被锁者")
    _lock(victim, app.test_client)
    login_as("secadmin")
    html = client.get("/admin/security").get_data(as_text=True)
    assert "被锁者" in html and "解除锁定" in html
    assert "连续输错 5 次" in html and "10 分钟" in html and "30 分钟" in html
    assert "SameSite" in html and "HttpOnly" in html
    r = client.hx_post(f"/admin/security/unlock/{victim.id}")
    assert r.status_code == 200 and r.get_data(as_text=True) == ""
    assert "toast" in r.headers["HX-Trigger"]
    v = User.get_by_id(victim.id)
    assert v.locked_until is None and v.failed_logins == 0
    assert AuditRecord.get(AuditRecord.action == "user_unlock").object_id == str(victim.id)
    c = app.test_client()
    r = c.post("/login", data={"username": "victim", "password": PASSWORD, "csrf_token": c.csrf_token()})
    assert r.status_code == 302
    # unlocking an account that is not locked is refused, not repeated
    r = client.hx_post(f"/admin/security/unlock/{victim.id}")
    assert r.status_code == 409 and "未被锁定" in r.get_data(as_text=True)
    assert AuditRecord.select().where(AuditRecord.action == "user_unlock").count() == 1


def test_home_panels_tell_each_admin_what_to_do(client, login_as, app, office):
    make_user("lonely", office, roles=())
    make_user("boss", office, roles=("leader", "staff"))
    login_as("sysadmin")
    html = client.get("/").get_data(as_text=True)
    assert "系统管理待办" in html and "个在用账号尚未分配角色" in html and "尚未设置分管部门" in html
    victim = make_user("victim", office)
    _lock(victim, app.test_client)
    login_as("secadmin")
    html = client.get("/").get_data(as_text=True)
    assert "安全管理待办" in html and "个账号因连续输错密码被锁定" in html
    login_as("auditor")
    html = client.get("/").get_data(as_text=True)
    assert "审计链校验通过" in html and "系统管理待办" not in html


def test_auditor_is_told_when_an_admin_account_is_reset(client, login_as, office, runner):
    auditor = login_as("auditor")
    assert "管理员账号被重置密码" not in client.get("/").get_data(as_text=True)
    login_as("sysadmin")
    # 三员分立: the sysadmin cannot take over the auditor's account …
    r = client.hx_post(f"/admin/users/{auditor.id}/reset-password")
    assert r.status_code == 409 and "三员分立" in r.get_data(as_text=True)
    r = client.hx_post(f"/admin/users/{auditor.id}/disable")
    assert r.status_code == 409 and "三员分立" in r.get_data(as_text=True)
    # … nor another sysadmin's (issue 12 §1); that is done on the server, and the auditor is told about it
    other = make_user("sys-other", office, roles=("sysadmin",))
    assert client.hx_post(f"/admin/users/{other.id}/reset-password").status_code == 409
    assert runner.invoke(args=["reset-password", "sys-other"]).exit_code == 0
    login_as("auditor", username="auditor2")
    html = client.get("/").get_data(as_text=True)
    assert "次管理员账号被重置密码、撤销角色或停用/启用" in html
