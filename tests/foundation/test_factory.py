"""create_app: config layers, the generated secret, production refusal, security headers."""
import os

import pytest

from portal import create_app


def _cfg(tmp_path, db_url, **extra):
    return {"DATABASE_URL": db_url, "INSTANCE_PATH": str(tmp_path / "inst"), **extra}


def test_config_layers_in_order(tmp_path, db_url, monkeypatch, _schema):
    inst = tmp_path / "inst"
    inst.mkdir()
    (inst / "config.py").write_text("IDLE_TIMEOUT_MINUTES = 11\nLOCKOUT_THRESHOLD = 7\nPAGE_SIZE = 20\n")
    monkeypatch.setenv("PORTAL_LOCKOUT_THRESHOLD", "9")
    monkeypatch.setenv("PORTAL_SESSION_COOKIE_SECURE", "true")
    app = create_app(_cfg(tmp_path, db_url, PAGE_SIZE=30))
    assert app.config["IDLE_TIMEOUT_MINUTES"] == 11          # instance/config.py over defaults
    assert app.config["LOCKOUT_THRESHOLD"] == 9              # PORTAL_* env over instance config
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["PAGE_SIZE"] == 30                     # test config last
    assert app.config["LOCKOUT_MINUTES"] == 10               # untouched default
    assert app.template_folder.endswith("templates") and app.static_folder.endswith("static")


def test_secret_generated_once_into_instance(tmp_path, db_url, _schema):
    app1 = create_app(_cfg(tmp_path, db_url))
    path = tmp_path / "inst" / "secret_key"
    assert path.exists() and len(path.read_text()) == 64
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    app2 = create_app(_cfg(tmp_path, db_url))
    assert app1.config["SECRET_KEY"] == app2.config["SECRET_KEY"] == path.read_text()


def test_production_refuses_default_secret(tmp_path, db_url, _schema):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(_cfg(tmp_path, db_url, PORTAL_ENV="production", SECRET_KEY="change-me"))
    app = create_app(_cfg(tmp_path, db_url, PORTAL_ENV="production", SECRET_KEY="x" * 64))
    assert app.config["SECRET_KEY"] == "x" * 64


def test_memory_sqlite_refused(tmp_path, _schema):
    with pytest.raises(RuntimeError, match="memory"):
        create_app(_cfg(tmp_path, "sqlite:///:memory:"))


def test_security_headers_on_every_response(client):
    for url in ("/login", "/static/css/portal.css", "/no-such-page"):
        r = client.get(url)
        assert r.headers["X-Frame-Options"] == "DENY"
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "same-origin"
        csp = r.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert "http" not in csp and "unsafe-inline" not in csp


def test_chinese_error_pages_page_and_fragment(client):
    r = client.get("/no-such-page")
    assert r.status_code == 404
    body = r.get_data(as_text=True)
    assert "页面不存在" in body and "<html" in body
    r = client.hx_get("/no-such-page")
    assert r.status_code == 404
    body = r.get_data(as_text=True)
    assert "页面不存在" in body and "<html" not in body and "data-error-message" in body


def test_no_external_assets(client):
    body = client.get("/login").get_data(as_text=True)
    assert "//cdn" not in body and "https://" not in body
    assert "/static/vendor/htmx-2.0." in body


def test_session_cookie_flags(client, ctx):
    from tests.factories import make_user
    u = make_user()
    r = client.post("/login", data={"username": u.username, "password": "Test@Pass2026"})
    cookie = r.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_500_is_chinese_and_fragment_for_htmx(app, client):
    @app.route("/boom-test")
    def boom():
        raise RuntimeError("kaboom")
    r = client.get("/boom-test")
    assert r.status_code == 500 and "系统错误" in r.get_data(as_text=True)
    assert "kaboom" not in r.get_data(as_text=True)
    r = client.hx_get("/boom-test")
    assert r.status_code == 500 and "<html" not in r.get_data(as_text=True)


def test_abort_with_chinese_description_is_shown(app, client):
    from flask import abort

    @app.route("/refuse-test")
    def refuse():
        abort(409, "该条目已办结，不能再修改。")
    r = client.hx_get("/refuse-test")
    assert r.status_code == 409 and "该条目已办结" in r.get_data(as_text=True)


def test_proxy_fix_only_when_configured(tmp_path, db_url, _schema):
    seen = []
    for n in (0, 1):
        app = create_app(_cfg(tmp_path, db_url, PROXY_FIX_X_FOR=n, SECRET_KEY="k" * 32))

        @app.route("/addr-test")
        def addr():
            from flask import request
            seen.append(request.remote_addr)
            return ""
        app.test_client().get("/addr-test", headers={"X-Forwarded-For": "198.51.100.7"})
    assert seen == ["127.0.0.1", "198.51.100.7"]
