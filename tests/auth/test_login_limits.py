"""Login and limits (issue 12 §5): an atomic lockout that parallel wrong passwords cannot get past, a
per-address limit, the same answer (and the same work) for unknown and known names."""
import datetime as dt
import threading

import argon2
import pytest

from portal.models import AuditRecord, User
from portal.models.security import RateLimitCounter
from tests.factories import PASSWORD, make_user

T0 = dt.datetime(2026, 12, 3, 9, 0, 0)


def _message(resp) -> str:
    html = resp.get_data(as_text=True)
    return html.split('data-error-message>', 1)[1].split("<", 1)[0]


def test_parallel_wrong_passwords_do_not_get_past_the_lockout(app, ctx):
    u = make_user("target")
    n = 12
    barrier = threading.Barrier(n)
    codes = []

    def attack(i):
        c = app.test_client()
        c.csrf_token()  # the session cookie exists before the race starts
        barrier.wait()
        codes.append(c.post("/login", data={"username": "target", "password": f"Wrong-pass{i}"}).status_code)

    threads = [threading.Thread(target=attack, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [401] * n
    checked = AuditRecord.select().where((AuditRecord.action == "login_failed")
                                         & (AuditRecord.outcome == "failed")).count()
    assert checked == 5  # only five passwords were tried; the others were refused unchecked
    assert AuditRecord.select().where(AuditRecord.action == "lockout").count() == 1
    assert User.get_by_id(u.id).locked_until is not None
    c = app.test_client()
    r = c.post("/login", data={"username": "target", "password": PASSWORD})
    assert r.status_code == 401 and "锁定" in r.get_data(as_text=True)


class CountingHasher:
    """Counts Argon2 verifications (the real ones run)."""

    def __init__(self, monkeypatch):
        self.calls = []
        original = argon2.PasswordHasher.verify
        test = self

        def verify(self, hash, password):
            test.calls.append(argon2.extract_parameters(hash))
            return original(self, hash, password)
        monkeypatch.setattr(argon2.PasswordHasher, "verify", verify)


def test_unknown_and_known_names_get_the_same_answers_and_the_same_work(app, ctx, monkeypatch, travel):
    travel(T0)
    make_user("known")
    counter = CountingHasher(monkeypatch)
    answers = {}
    for name in ("known", "nobody"):
        c = app.test_client()
        answers[name] = [(r.status_code, _message(r)) for r in
                         (c.post("/login", data={"username": name, "password": "Wrong-pass1"}) for _ in range(7))]
    assert answers["known"] == answers["nobody"]
    assert answers["known"][0] == (401, "登录名或密码错误。")
    assert answers["known"][4] == (401, "密码连续错误 5 次，账号已锁定 10 分钟。")
    assert answers["known"][6] == (401, "密码错误次数过多，账号已锁定，请 10 分钟后再试。")
    # five verifications each (none while locked), with the same Argon2 parameters as real hashes
    assert len(counter.calls) == 10
    assert len({(p.time_cost, p.memory_cost, p.parallelism) for p in counter.calls}) == 1
    # the unknown name's "lock" ends like the account's
    travel(T0 + dt.timedelta(minutes=11))
    c = app.test_client()
    assert _message(c.post("/login", data={"username": "nobody", "password": "x"})) == "登录名或密码错误。"
    assert c.post("/login", data={"username": "known", "password": PASSWORD}).status_code == 302


def test_per_address_limit(app, ctx, travel):
    travel(T0)
    app.config["LOGIN_ADDRESS_LIMIT"] = "3 per 10 minutes"
    people = [make_user(f"p{i}") for i in range(4)]
    c = app.test_client()
    here = {"REMOTE_ADDR": "10.1.1.1"}
    assert c.post("/login", data={"username": "p0", "password": PASSWORD}, environ_base=here).status_code == 302
    c.post("/logout", environ_base=here)
    for p in people[:3]:  # one wrong try on each of three accounts: no account is near its lockout
        r = c.post("/login", data={"username": p.username, "password": "Wrong-pass1"}, environ_base=here)
        assert r.status_code == 401
    r = c.post("/login", data={"username": "p3", "password": PASSWORD}, environ_base=here)
    assert r.status_code == 429 and "本机登录失败次数过多，请 10 分钟后再试" in r.get_data(as_text=True)
    assert User.get_by_id(people[3].id).failed_logins == 0  # refused before the account was tried
    assert AuditRecord.select().where(AuditRecord.action == "login_throttled").count() == 1
    other = app.test_client()
    r = other.post("/login", data={"username": "p3", "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.1.1.2"})
    assert r.status_code == 302
    # no address is kept in the shared table
    keys = [k for (k,) in RateLimitCounter.select(RateLimitCounter.key).tuples()]
    assert keys and not any("10.1.1" in k for k in keys)
    travel(T0 + dt.timedelta(minutes=11))
    assert c.post("/login", data={"username": "p3", "password": PASSWORD}, environ_base=here).status_code == 302


def test_second_factor_success_does_not_hand_back_tries(app, ctx, travel):
    """The password step gives its try back; a wrong code keeps it: guessing codes still locks."""
    import pyotp

    from portal.auth import totp
    travel(T0)
    u = make_user("otp")
    with app.test_request_context():
        secret = totp.start_enrolment(u)
        assert totp.confirm_enrolment(u, pyotp.TOTP(secret).at(T0)) is not None
    for i in range(5):
        c = app.test_client()
        r = c.post("/login", data={"username": "otp", "password": PASSWORD})
        assert r.headers["Location"] == "/login/verify"
        r = c.post("/login/verify", data={"code": "000000" if i % 2 else "111111"}, follow_redirects=True)
    assert "账号已锁定" in r.get_data(as_text=True)
    assert User.get_by_id(u.id).locked_until is not None
    c = app.test_client()
    r = c.post("/login", data={"username": "otp", "password": PASSWORD})
    assert r.status_code == 401 and "锁定" in r.get_data(as_text=True)


@pytest.mark.parametrize("limit", ["", None])
def test_address_limit_can_be_switched_off(app, ctx, limit):
    app.config["LOGIN_ADDRESS_LIMIT"] = limit
    make_user("x1")
    c = app.test_client()
    for _ in range(3):
        assert c.post("/login", data={"username": "nobody", "password": "x"}).status_code == 401
    assert c.post("/login", data={"username": "x1", "password": PASSWORD}).status_code == 302
