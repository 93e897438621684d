"""Deployment defaults: production cookies, HSTS and the secret; private modes for instance/, the
database, the keys and the evidence."""
import os
import stat

import pytest
from itsdangerous import URLSafeTimedSerializer

from portal import create_app
from portal.config import HSTS
from tests.factories import PASSWORD, make_user


def _cfg(tmp_path, db_url, **extra):
    return {"DATABASE_URL": db_url, "INSTANCE_PATH": str(tmp_path / "inst"), "TESTING": True,
            "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8192, "ARGON2_PARALLELISM": 1, **extra}


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("secret", ["change-me", "", None, "short"])
def test_production_refuses_a_default_or_short_secret(tmp_path, db_url, _schema, monkeypatch, secret):
    monkeypatch.setenv("PORTAL_PORTAL_ENV", "production")
    if secret is None:
        monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("PORTAL_SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"DATABASE_URL": db_url, "INSTANCE_PATH": str(tmp_path / "inst")})


def test_production_cookies_are_secure_httponly_lax_and_hsts_is_sent(tmp_path, db_url, _schema, monkeypatch):
    monkeypatch.setenv("PORTAL_PORTAL_ENV", "production")
    monkeypatch.setenv("PORTAL_SECRET_KEY", "s" * 64)
    monkeypatch.setenv("PORTAL_SESSION_COOKIE_SECURE", "false")  # cannot be switched off in production
    app = create_app(_cfg(tmp_path, db_url))
    from tests.conftest import PortalClient, truncate_all
    from portal.extensions import db
    app.test_client_class = PortalClient
    with app.app_context():
        truncate_all()
        with db.connection_context():
            u = make_user("produser")
    client = app.test_client()
    https = "https://localhost"
    r = client.get("/login", base_url=https)
    assert r.headers["Strict-Transport-Security"] == HSTS
    # the login form's CSRF token is kept in the session cookie: that cookie is the CSRF cookie
    cookie = r.headers.get("Set-Cookie", "")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # no Referer, as from a page with Referrer-Policy: no-referrer (the tip box): the token suffices
    with client.session_transaction(base_url=https) as sess:  # a Secure cookie travels over HTTPS only
        raw = sess["csrf_token"]
    token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)
    r = client.post("/login", data={"username": u.username, "password": PASSWORD, "csrf_token": token},
                    base_url=https, csrf=False)
    assert r.status_code == 302
    cookie = r.headers.get("Set-Cookie", "")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.config["REMEMBER_COOKIE_SECURE"] is True and app.config["PREFERRED_URL_SCHEME"] == "https"


def test_development_sends_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_instance_database_and_keys_are_private(tmp_path, _schema):
    old = os.umask(0o022)  # a typical server umask: files 0644, folders 0755 unless we say otherwise
    try:
        inst = tmp_path / "fresh"
        app = create_app({"INSTANCE_PATH": str(inst), "DATABASE_URL": "sqlite:///" + str(inst / "p.sqlite3")})
        assert mode(inst) == 0o700
        assert mode(inst / "secret_key") == 0o600
        assert mode(inst / "p.sqlite3") == 0o600
        with app.app_context():
            from portal import crypto
            from portal.extensions import db
            with db.connection_context():
                db.execute_sql("CREATE TABLE t (x INTEGER)")
                db.execute_sql("INSERT INTO t VALUES (1)")
                for suffix in ("-wal", "-shm"):
                    if (inst / f"p.sqlite3{suffix}").exists():
                        assert mode(inst / f"p.sqlite3{suffix}") == 0o600
            crypto.keyring()
            assert mode(inst / "tip_key") == 0o600
    finally:
        os.umask(old)


def test_an_existing_world_readable_instance_is_tightened(tmp_path, db_url, _schema):
    inst = tmp_path / "inst"
    inst.mkdir(mode=0o755)
    os.chmod(inst, 0o755)
    create_app(_cfg(tmp_path, db_url, SECRET_KEY="k" * 32))
    assert mode(inst) == 0o700
