"""Login, password policy, lockout, idle expiry, logout invalidation, forced password change, CSRF."""
import datetime as dt

import pytest

from portal.models import AuditRecord, User
from portal.passwords import policy_errors
from tests.factories import PASSWORD, make_user

T0 = dt.datetime(2026, 11, 20, 9, 0, 0)


@pytest.mark.parametrize("pw, ok", [
    ("Abcdef1!", True), ("abcdef12!", True), ("ABCDEF12a", True),
    ("Abc1!", False),            # too short
    ("abcdefgh1", False),        # two classes
    ("abcdefghij", False),       # one class
    ("Xzhang123!", False),       # contains the login name
    ("xZHANG123!", False),       # … case-insensitively
])
def test_password_policy(app, pw, ok):
    with app.app_context():
        assert (policy_errors(pw, "zhang") == []) is ok


def test_login_success_and_failure(client, auth, ctx):
    u = make_user()
    r = auth.login(u, "wrong-Pass1")
    assert r.status_code == 401 and "登录名或密码错误" in r.get_data(as_text=True)
    r = auth.login("nobody", "wrong-Pass1")
    assert r.status_code == 401 and "登录名或密码错误" in r.get_data(as_text=True)
    r = auth.login(u)
    assert r.status_code == 302 and r.headers["Location"] == "/"
    actions = [a.action for a in AuditRecord.select().order_by(AuditRecord.seq)]
    assert actions[-3:] == ["login_failed", "login_failed", "login"]


def test_lockout_after_five_wrong_then_right_password_fails(client, auth, ctx, travel):
    travel(T0)
    u = make_user()
    for _ in range(5):
        assert auth.login(u, "Wrong-pass1").status_code == 401
    r = auth.login(u)  # 6th try, right password
    assert r.status_code == 401 and "锁定" in r.get_data(as_text=True)
    assert AuditRecord.select().where(AuditRecord.action == "lockout").count() == 1
    travel(T0 + dt.timedelta(minutes=9))
    assert auth.login(u).status_code == 401
    travel(T0 + dt.timedelta(minutes=11))
    assert auth.login(u).status_code == 302


def test_lockout_threshold_configurable(app, ctx, travel):
    app.config.update(LOCKOUT_THRESHOLD=2, LOCKOUT_MINUTES=1)
    client = app.test_client()
    travel(T0)
    u = make_user()
    for _ in range(2):
        client.post("/login", data={"username": u.username, "password": "Wrong-pass1"})
    assert client.post("/login", data={"username": u.username, "password": PASSWORD}).status_code == 401
    travel(T0 + dt.timedelta(minutes=2))
    assert client.post("/login", data={"username": u.username, "password": PASSWORD}).status_code == 302


def test_idle_session_expires(client, auth, ctx, travel):
    travel(T0)
    u = make_user()
    auth.login(u)
    travel(T0 + dt.timedelta(minutes=29))
    assert client.get("/").status_code == 200  # activity refreshes the idle timer
    travel(T0 + dt.timedelta(minutes=29 + 29))
    assert client.get("/").status_code == 200
    travel(T0 + dt.timedelta(minutes=29 + 29 + 31))
    r = client.get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert client.get("/").status_code == 302  # stays logged out


def test_idle_expiry_htmx_gets_hx_redirect(client, auth, ctx, travel):
    travel(T0)
    auth.login(make_user())
    travel(T0 + dt.timedelta(minutes=45))
    r = client.hx_get("/")
    assert r.status_code == 401
    assert r.headers["HX-Redirect"] == "/login"
    assert r.get_data(as_text=True) == ""  # no login page inside a table cell


def test_anonymous_htmx_request_gets_hx_redirect(client):
    r = client.hx_get("/")
    assert r.status_code == 401 and r.headers["HX-Redirect"] == "/login"


def test_logout_invalidates_copied_cookie(app, ctx):
    u = make_user()
    a = app.test_client()
    a.post("/login", data={"username": u.username, "password": PASSWORD})
    with a.session_transaction() as s:
        stolen = dict(s)
    a.post("/logout")
    b = app.test_client()
    with b.session_transaction() as s:
        s.update(stolen)
    r = b.get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_initial_password_must_be_changed(client, auth, ctx):
    u = make_user(must_change=True)
    auth.login(u)
    r = client.get("/")
    assert r.status_code == 302 and r.headers["Location"].endswith("/password")
    r = client.post("/password", data={"current": PASSWORD, "new": "short", "confirm": "short"})
    assert r.status_code == 422 and "至少 8 位" in r.get_data(as_text=True)
    r = client.post("/password", data={"current": PASSWORD, "new": "N3w-Secret!", "confirm": "N3w-Secret!"})
    assert r.status_code == 302
    assert client.get("/").status_code == 200
    assert User.get_by_id(u.id).must_change_password is False


def test_disabled_account_cannot_log_in(client, auth, ctx):
    u = make_user()
    User.update(is_active_flag=False).where(User.id == u.id).execute()
    r = auth.login(u)
    assert r.status_code == 401 and "停用" in r.get_data(as_text=True)


def test_csrf_refused_plain_and_htmx(client, auth, ctx):
    u = make_user()
    r = client.post("/login", data={"username": u.username, "password": PASSWORD}, csrf=False)
    assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True)
    auth.login(u)
    r = client.post("/logout", csrf=False)
    assert r.status_code == 400
    r = client.hx_post("/logout", csrf=False)
    assert r.status_code == 400 and "<html" not in r.get_data(as_text=True)
    assert client.get("/").status_code == 200  # still logged in: the forged logout did nothing
    r = client.hx_post("/logout")  # with the header it goes through
    assert r.status_code == 302


def test_open_redirect_refused(client, ctx):
    u = make_user()
    r = client.post("/login?next=https://evil.example/", data={"username": u.username, "password": PASSWORD})
    assert r.headers["Location"] == "/"


def test_login_posted_from_an_expired_session_goes_through(client, auth, ctx, travel):
    travel(T0)
    u = make_user()
    auth.login(u)
    travel(T0 + dt.timedelta(minutes=40))
    r = auth.login(u)  # no GET first: the form was open in the tab when the session expired
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_expired_session_on_a_public_page_is_not_redirected(client, auth, ctx, travel):
    travel(T0)
    auth.login(make_user())
    travel(T0 + dt.timedelta(minutes=40))
    r = client.get("/tips/")
    assert r.status_code == 200
    assert client.get("/").status_code == 302
