"""The security administrator's settings (stored in the database, applied at once) and online users with
forced sign-out (issue 12 §1, issue 18 §1)."""
import datetime as dt
import json

from portal.models import AuditRecord, User
from portal.models.security import SecuritySetting
from tests.factories import PASSWORD, make_user

T0 = dt.datetime(2026, 12, 3, 9, 0, 0)

SETTINGS = {"LOCKOUT_THRESHOLD": "5", "LOCKOUT_MINUTES": "10", "PASSWORD_MIN_LENGTH": "8",
            "PASSWORD_MIN_CLASSES": "3", "IDLE_TIMEOUT_MINUTES": "30"}


def _save(client, **over):
    data = dict(SETTINGS, **over)
    data.setdefault("TOTP_REQUIRED_ROLES", ["discipline"])
    r = client.post("/admin/security/settings", data=data)
    assert r.status_code != 302 or r.headers["Location"] == "/admin/security/settings"
    return r


def _login(app, user, password=PASSWORD):
    c = app.test_client()
    return c, c.post("/login", data={"username": user.username, "password": password})


def test_settings_page_shows_the_current_values(client, login_as):
    login_as("secadmin")
    html = client.get("/admin/security/settings").get_data(as_text=True)
    assert 'name="LOCKOUT_THRESHOLD"' in html and 'value="5"' in html and 'value="30"' in html
    # the three administrators' second factor cannot be unticked
    import re
    assert re.search(r'<input checked disabled id="TOTP_REQUIRED_ROLES-\d+" name="TOTP_REQUIRED_ROLES" type="checkbox" '
                     r'value="auditor">', html)
    assert re.search(r'checked id="TOTP_REQUIRED_ROLES-\d+" name="TOTP_REQUIRED_ROLES" type="checkbox" '
                     r'value="discipline">', html)


def test_lockout_setting_applies_at_once_and_is_audited(client, login_as, app, office, travel):
    travel(T0)
    sec = login_as("secadmin")
    victim = make_user("victim", office)
    r = _save(client, LOCKOUT_THRESHOLD="3", LOCKOUT_MINUTES="60")
    assert r.status_code == 302
    assert json.loads(SecuritySetting.get_by_id("LOCKOUT_THRESHOLD").value) == 3
    rec = AuditRecord.get(AuditRecord.action == "security_settings_change")
    assert rec.actor_id == sec.id
    assert json.loads(rec.detail)["LOCKOUT_THRESHOLD"] == [5, 3] and json.loads(rec.detail)["LOCKOUT_MINUTES"] == [10, 60]
    c = app.test_client()
    for _ in range(2):
        assert c.post("/login", data={"username": "victim", "password": "Wrong-pass1"}).status_code == 401
    r = c.post("/login", data={"username": "victim", "password": "Wrong-pass1"})
    assert "密码连续错误 3 次，账号已锁定 60 分钟" in r.get_data(as_text=True)
    html = client.get("/admin/security").get_data(as_text=True)
    assert "连续输错 3 次" in html and "60 分钟" in html
    travel(T0 + dt.timedelta(minutes=59))
    assert _login(app, victim)[1].status_code == 401
    travel(T0 + dt.timedelta(minutes=61))
    assert _login(app, victim)[1].status_code == 302


def test_password_policy_setting(client, login_as, app, office):
    login_as("secadmin")
    assert _save(client, PASSWORD_MIN_LENGTH="12", PASSWORD_MIN_CLASSES="4").status_code == 302
    u = make_user("newpw", office)
    c, r = _login(app, u)
    html = c.get("/password").get_data(as_text=True)
    assert "至少 12 位" in html and "至少四类" in html
    r = c.post("/password", data={"current": PASSWORD, "new": "Abcdef12!x", "confirm": "Abcdef12!x"})
    assert r.status_code == 422 and "密码至少 12 位" in r.get_data(as_text=True)
    r = c.post("/password", data={"current": PASSWORD, "new": "Abcdefgh12xyz", "confirm": "Abcdefgh12xyz"})
    assert r.status_code == 422 and "至少四类" in r.get_data(as_text=True)
    r = c.post("/password", data={"current": PASSWORD, "new": "Abcdefgh12xy!", "confirm": "Abcdefgh12xy!"})
    assert r.status_code == 302


def test_idle_timeout_setting(client, login_as, app, office, travel):
    travel(T0)
    login_as("secadmin")
    assert _save(client, IDLE_TIMEOUT_MINUTES="10").status_code == 302
    c, _r = _login(app, make_user("idle", office))
    travel(T0 + dt.timedelta(minutes=9))
    assert c.get("/").status_code == 200
    travel(T0 + dt.timedelta(minutes=9 + 11))
    r = c.get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_bad_settings_are_refused_with_a_message(client, login_as):
    login_as("secadmin")
    r = _save(client, LOCKOUT_THRESHOLD="1", IDLE_TIMEOUT_MINUTES="99999999999999999999")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "锁定阈值须为 3–10 次" in html and "空闲超时须为 5–240 分钟" in html
    r = _save(client, TOTP_REQUIRED_ROLES=["nonsense"])
    assert r.status_code == 422
    assert not SecuritySetting.select().exists()


def test_required_two_factor_roles(client, login_as, app, office):
    login_as("secadmin")  # signed in with a password alone: enforcement starts with the next sign-in
    app.config["TOTP_ENFORCED"] = True
    leader = make_user("boss", office, roles=("leader", "staff"))
    assert _login(app, leader)[1].headers["Location"] == "/"
    assert _save(client, TOTP_REQUIRED_ROLES=["discipline", "leader"]).status_code == 302
    r = _login(app, leader)[1]
    assert r.status_code == 302 and r.headers["Location"] == "/login/setup"
    # the administrators stay required even when the form leaves them out
    assert _save(client, TOTP_REQUIRED_ROLES=[]).status_code == 302
    value = set(json.loads(SecuritySetting.get_by_id("TOTP_REQUIRED_ROLES").value))
    assert value == {"sysadmin", "secadmin", "auditor"}
    assert _login(app, leader)[1].headers["Location"] == "/"
    auditor = make_user("aud", office, roles=("auditor",))
    assert _login(app, auditor)[1].headers["Location"] == "/login/setup"


# --- online users and forced sign-out -------------------------------------------------------------

def test_online_users_and_forced_sign_out(client, login_as, app, office, travel):
    travel(T0)
    fin_person = make_user("zhang", office, real_name="张三")
    c, r = _login(app, fin_person)
    assert r.status_code == 302
    travel(T0 + dt.timedelta(minutes=5))
    assert c.get("/").status_code == 200  # activity
    gone = make_user("left", office, real_name="已退出")
    c2, _r = _login(app, gone)
    c2.post("/logout")
    sec = login_as("secadmin")
    html = client.get("/admin/sessions").get_data(as_text=True)
    row = html.split(f'<tr id="session-{fin_person.id}">', 1)[1].split("</tr>", 1)[0]
    assert "zhang" in row and "张三" in row and office.name in row
    assert "2026-12-03 09:00" in row and "2026-12-03 09:05" in row and "强制下线" in row
    assert "已退出" not in html
    own = html.split(f'<tr id="session-{sec.id}">', 1)[1].split("</tr>", 1)[0]
    assert "强制下线" not in own
    r = client.hx_post(f"/admin/sessions/{fin_person.id}/end")
    assert r.status_code == 200 and "zhang" not in r.get_data(as_text=True)
    assert "toast" in r.headers["HX-Trigger"]
    r = c.get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]  # their session is gone
    rec = AuditRecord.get(AuditRecord.action == "force_logout")
    assert rec.actor_id == sec.id and rec.object_id == str(fin_person.id)
    # they can sign in again
    assert _login(app, fin_person)[1].status_code == 302
    # nobody signs themselves out from here
    r = client.hx_post(f"/admin/sessions/{sec.id}/end")
    assert r.status_code == 409
    assert AuditRecord.select().where((AuditRecord.action == "admin_refused")
                                      & (AuditRecord.object_id == str(sec.id))).exists()
    assert client.get("/").status_code == 200


def test_idle_people_drop_off_the_online_list(client, login_as, app, office, travel):
    travel(T0)
    _login(app, make_user("sleepy", office, real_name="打瞌睡"))
    travel(T0 + dt.timedelta(minutes=31))
    login_as("secadmin")
    assert "打瞌睡" not in client.get("/admin/sessions").get_data(as_text=True)
    assert User.select().count() == 2
