"""Two-factor sign-in (issue 12 §5), driven end to end with pyotp computing the codes: required for the
three administrators and the discipline office, optional for everyone else; QR code shown once (an SVG
from segno, no inline script or style); recovery codes stored hashed; not asked again within a session;
the security administrator requires it per role and resets it for a person."""
import base64
import datetime as dt
import re
import urllib.parse

import pyotp
import pytest

from portal.models import AuditRecord, User
from portal.models.security import RecoveryCode, TotpCredential
from tests.factories import PASSWORD, make_department, make_user

T0 = dt.datetime(2026, 12, 3, 9, 0, 0)


@pytest.fixture
def enforced(app, travel):
    app.config["TOTP_ENFORCED"] = True
    travel(T0)
    return app


def _password(c, user):
    return c.post("/login", data={"username": user.username, "password": PASSWORD})


def _enrol(c, at=T0):
    """The setup page: returns (secret, html). The secret is read from the QR code's otpauth URI."""
    r = c.get("/login/setup")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    secret = re.search(r"data-secret>([A-Z2-7]+)<", html).group(1)
    return secret, html


def _codes(html):
    return re.findall(r"<li>([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</li>", html)


def test_required_role_enrols_at_first_sign_in_then_is_asked_every_sign_in(enforced, ctx, travel):
    u = make_user("jiwei", roles=("discipline",), real_name="纪委干部")
    c = enforced.test_client()
    r = _password(c, u)
    assert r.status_code == 302 and r.headers["Location"] == "/login/setup"
    assert c.get("/").status_code == 302  # not signed in yet: only the password was given
    secret, html = _enrol(c)
    # the QR code is an SVG image in a data URI: nothing inline for the strict CSP to block
    src = re.search(r'<img class="qr" src="([^"]+)"', html).group(1)
    assert src.startswith("data:image/svg+xml")
    svg = urllib.parse.unquote(src.split(",", 1)[1]) if ";base64" not in src else \
        base64.b64decode(src.split(",", 1)[1]).decode()
    assert "<svg" in svg and "<script" not in svg
    main = html.split("<main", 1)[1] if "<main" in html else html
    assert "<script>" not in main and ' style="' not in main
    # a wrong code does not enable it
    r = c.post("/login/setup", data={"code": "123456"})
    assert r.status_code == 422 and "验证码不正确" in r.get_data(as_text=True)
    assert "data-secret" not in r.get_data(as_text=True)  # the QR code is not shown a second time
    r = c.post("/login/setup", data={"code": pyotp.TOTP(secret).at(T0)})
    assert r.status_code == 200
    codes = _codes(r.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert c.get("/").status_code == 200  # signed in
    assert AuditRecord.select().where(AuditRecord.action == "totp_enable").count() == 1
    login = AuditRecord.select().where(AuditRecord.action == "login").order_by(AuditRecord.seq.desc()).first()
    assert "totp" in login.detail
    # the secret and the recovery codes are not in the database in clear
    cred = TotpCredential.get(TotpCredential.user == u.id)
    assert secret not in cred.sealed_secret
    stored = [r.code_hash for r in RecoveryCode.select().where(RecoveryCode.user == u.id)]
    assert len(stored) == 10 and not any(code.replace("-", "") in h or code in h for code in codes for h in stored)
    # once enabled, no page shows the secret again
    assert c.get("/account/2fa/setup").status_code == 302
    # not asked again within this session
    travel(T0 + dt.timedelta(minutes=20))
    assert c.get("/").status_code == 200
    c.post("/logout")
    # the next sign-in asks for the code; the code already used is refused (replay)
    c2 = enforced.test_client()
    r = _password(c2, u)
    assert r.headers["Location"] == "/login/verify"
    travel(T0 + dt.timedelta(minutes=20))
    totp = pyotp.TOTP(secret)
    r = c2.post("/login/verify", data={"code": "000000"})
    assert r.status_code == 401 and "动态验证码或恢复码不正确" in r.get_data(as_text=True)
    now = T0 + dt.timedelta(minutes=20)
    r = c2.post("/login/verify", data={"code": totp.at(now)})
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert c2.get("/").status_code == 200
    c3 = enforced.test_client()
    _password(c3, u)
    r = c3.post("/login/verify", data={"code": totp.at(now)})
    assert r.status_code == 401  # the same code a second time
    assert User.get_by_id(u.id).failed_logins == 1


def test_recovery_codes_work_once(enforced, ctx, travel):
    u = make_user("aud", roles=("auditor",))
    c = enforced.test_client()
    _password(c, u)
    secret, _html = _enrol(c)
    codes = _codes(c.post("/login/setup", data={"code": pyotp.TOTP(secret).at(T0)}).get_data(as_text=True))
    c.post("/logout")
    c = enforced.test_client()
    _password(c, u)
    r = c.post("/login/verify", data={"code": codes[3].lower().replace("-", " ")})
    assert r.status_code == 302
    home = c.get("/")
    assert home.status_code == 200 and "已使用一个恢复码，还剩 9 个" in home.get_data(as_text=True)
    assert AuditRecord.select().where(AuditRecord.action == "recovery_code_used").count() == 1
    c.post("/logout")
    c = enforced.test_client()
    _password(c, u)
    assert c.post("/login/verify", data={"code": codes[3]}).status_code == 401
    assert c.post("/login/verify", data={"code": codes[4]}).status_code == 302


def test_pending_sign_in_expires(enforced, ctx, travel):
    u = make_user("sec", roles=("secadmin",))
    c = enforced.test_client()
    _password(c, u)
    secret, _html = _enrol(c)
    travel(T0 + dt.timedelta(minutes=6))
    r = c.post("/login/setup", data={"code": pyotp.TOTP(secret).at(T0 + dt.timedelta(minutes=6))})
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    assert c.get("/").status_code == 302


def test_everyone_else_may_opt_in(enforced, ctx, travel):
    u = make_user("staff1", roles=("staff",))
    c = enforced.test_client()
    assert _password(c, u).headers["Location"] == "/"  # not required: the password is enough
    html = c.get("/account/2fa").get_data(as_text=True)
    assert "未启用" in html and "启用双因素认证" in html
    r = c.get("/account/2fa/setup")
    secret = re.search(r"data-secret>([A-Z2-7]+)<", r.get_data(as_text=True)).group(1)
    r = c.post("/account/2fa/setup", data={"code": pyotp.TOTP(secret).at(T0)})
    assert r.status_code == 200 and len(_codes(r.get_data(as_text=True))) == 10
    c.post("/logout")
    c = enforced.test_client()
    assert _password(c, u).headers["Location"] == "/login/verify"  # enrolled people are always asked
    travel(T0 + dt.timedelta(minutes=1))
    assert c.post("/login/verify", data={"code": pyotp.TOTP(secret).at(T0 + dt.timedelta(minutes=1))}).status_code == 302
    # new recovery codes and switching off need a current code
    travel(T0 + dt.timedelta(minutes=2))
    r = c.post("/account/2fa/recovery-codes", data={"code": "999999"})
    assert r.status_code == 422
    r = c.post("/account/2fa/recovery-codes", data={"code": pyotp.TOTP(secret).at(T0 + dt.timedelta(minutes=2))})
    assert r.status_code == 200 and len(_codes(r.get_data(as_text=True))) == 10
    travel(T0 + dt.timedelta(minutes=3))
    r = c.post("/account/2fa/disable", data={"code": pyotp.TOTP(secret).at(T0 + dt.timedelta(minutes=3))})
    assert r.status_code == 302
    assert not TotpCredential.select().where(TotpCredential.user == u.id).exists()
    assert not RecoveryCode.select().where(RecoveryCode.user == u.id).exists()


def test_required_people_cannot_switch_it_off(enforced, ctx, travel):
    u = make_user("jw", roles=("discipline",))
    c = enforced.test_client()
    _password(c, u)
    secret, _html = _enrol(c)
    c.post("/login/setup", data={"code": pyotp.TOTP(secret).at(T0)})
    travel(T0 + dt.timedelta(minutes=1))
    r = c.post("/account/2fa/disable", data={"code": pyotp.TOTP(secret).at(T0 + dt.timedelta(minutes=1))})
    assert r.status_code == 409 and "不能关闭" in r.get_data(as_text=True)
    assert TotpCredential.select().where(TotpCredential.user == u.id).exists()


def _signed_in_with_totp(app, user, at=T0):
    c = app.test_client()
    _password(c, user)
    secret, _html = _enrol(c)
    assert c.post("/login/setup", data={"code": pyotp.TOTP(secret).at(at)}).status_code == 200
    return c, secret


def test_secadmin_resets_a_persons_second_factor(enforced, ctx, travel):
    office = make_department("办公室")
    person = make_user("jw", office, roles=("discipline",), real_name="纪检员")
    pc, _secret = _signed_in_with_totp(enforced, person)
    enforced.config["TOTP_ENFORCED"] = False  # the secadmin signs in with a password in this test
    sec = make_user("sec", office, roles=("secadmin",))
    aud = make_user("aud", office, roles=("auditor",))
    c = enforced.test_client()
    assert _password(c, sec).status_code == 302
    enforced.config["TOTP_ENFORCED"] = True
    html = c.get("/admin/roles").get_data(as_text=True)
    row = html.split(f'<tr id="role-{person.id}"', 1)[1].split("</tr>", 1)[0]
    assert "已启用" in row and "须使用" in row and "重置双因素" in row
    r = c.hx_post(f"/admin/roles/{person.id}/reset-2fa")
    assert r.status_code == 200 and "未启用" in r.get_data(as_text=True)
    assert not TotpCredential.select().where(TotpCredential.user == person.id).exists()
    rec = AuditRecord.get(AuditRecord.action == "totp_reset")
    assert rec.actor_id == sec.id and rec.object_id == str(person.id)
    assert pc.get("/").status_code == 302  # whoever held the old factor is signed out
    # the person enrols again at the next sign-in
    assert _password(enforced.test_client(), person).headers["Location"] == "/login/setup"
    # not for the secadmin's own account, nor another administrator's (audited refusals)
    for target in (sec, aud):
        TotpCredential.create(user=target.id, sealed_secret="x", created_at=T0, enabled_at=T0)
        r = c.hx_post(f"/admin/roles/{target.id}/reset-2fa")
        assert r.status_code == 409
    assert TotpCredential.select().count() == 2
    assert AuditRecord.select().where(AuditRecord.action == "admin_refused").count() == 2


def test_server_command_resets_an_administrators_second_factor(enforced, ctx, runner):
    aud = make_user("aud", roles=("auditor",))
    _signed_in_with_totp(enforced, aud)
    result = runner.invoke(args=["auth", "reset-2fa", "aud"])
    assert result.exit_code == 0 and "已重置" in result.output
    assert not TotpCredential.select().exists()
    assert "cli" in AuditRecord.get(AuditRecord.action == "totp_reset").detail


def test_required_admin_cannot_skip_enrolment(enforced, ctx):
    u = make_user("sys", roles=("sysadmin",))
    c = enforced.test_client()
    _password(c, u)
    for path in ("/", "/admin/", "/login/verify"):
        r = c.get(path)
        assert r.status_code == 302 and r.headers["Location"].split("?")[0] in ("/login", "/login/setup"), path
    assert c.post("/login/setup", data={"code": ""}).status_code == 422
