"""登录日志: the auditor's view of sign-ins (successes, failures, lockouts, sign-outs, 2FA), filters by
person, event and date, in Chinese words, and the .xlsx export; refused to everyone else."""
import datetime as dt
import io

from openpyxl import load_workbook

from portal import audit
from portal.models import AuditRecord
from tests.factories import PASSWORD, make_user


def test_login_log_lists_filters_and_exports_sign_in_events(client, auth, bureau, travel, app):
    travel(dt.datetime(2026, 12, 1, 9, 0))
    who = make_user("zhangsan", bureau.fin, real_name="张三")
    other = app.test_client()
    assert other.post("/login", data={"username": "zhangsan", "password": "Wrong-pass1"}).status_code == 401
    assert other.post("/login", data={"username": "nobody", "password": "Wrong-pass1"}).status_code == 401
    travel(dt.datetime(2026, 12, 2, 9, 0))
    assert other.post("/login", data={"username": "zhangsan", "password": PASSWORD}).status_code == 302
    audit.record("totp_enable", "user", who.id, actor=who)
    audit.record("problem_create", "problem", 1, actor=who)  # not a sign-in event
    travel(dt.datetime(2026, 12, 3, 9, 0))

    auth.login(bureau.auditor)
    page = client.get("/admin/logins").get_data(as_text=True)
    assert "登录日志" in page and "problem_create" not in page and "登记问题" not in page.split("audit-results")[1]
    for label in ("登录失败", "登录", "启用双因素认证"):
        assert f"<td>{label}</td>" in page
    assert "登录名不存在" in page and "unknown user" not in page  # the detail in words

    # person and date filters
    html = client.hx_get("/admin/logins?actor=张三&start=2026-12-02&end=2026-12-02").get_data(as_text=True)
    assert html.count('<tr class="outcome-') == 2
    html = client.hx_get("/admin/logins?action=login_failed").get_data(as_text=True)
    assert html.count('<tr class="outcome-') == 2
    html = client.hx_get("/admin/logins?actor=nobody").get_data(as_text=True)
    assert html.count('<tr class="outcome-') == 1  # an unknown name is found by the name tried

    r = client.get("/admin/logins/export?start=2026-12-01&end=2026-12-01&actor=zhangsan")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.data)).active
    assert ws["A1"].value == "登录日志" and "起始日期 2026-12-01" in ws["A2"].value
    assert ws["A3"].value == "序号" and ws.freeze_panes == "A4" and ws.page_setup.orientation == "landscape"
    body = list(ws.iter_rows(min_row=4, values_only=True))
    assert [row[4] for row in body] == ["登录失败"]
    assert "Wrong-pass1" not in str(body) and PASSWORD not in str(body)
    assert AuditRecord.select().where(AuditRecord.action == "login_log_export").count() == 1
    auth.logout()

    for role in (bureau.sysadmin, bureau.secadmin, bureau.office):
        auth.login(role)
        assert client.get("/admin/logins").status_code == 403
        assert client.get("/admin/logins/export").status_code == 403
        auth.logout()
