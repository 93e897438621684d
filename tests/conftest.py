"""Shared fixtures: a real database (temp-file SQLite, or PostgreSQL through TEST_DATABASE_URL /
DATABASE_URL), the app, a CSRF-aware client, login helpers and time travel."""
import hashlib
import os
import threading

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from werkzeug.serving import make_server

from portal import clock, create_app
from portal import db as portal_db
from portal.extensions import db

from .factories import PASSWORD
from .triggers import suspended

DB_URL = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")


def base_config(db_url, instance_path):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DATABASE_URL": db_url,
        "INSTANCE_PATH": str(instance_path),
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8192,
        "ARGON2_PARALLELISM": 1,
        "RATELIMIT_ENABLED": True,
        "DB_MAX_CONNECTIONS": 64,
        "TOTP_ENFORCED": False,  # two-factor sign-in is tested in tests/auth; other tests sign in with a password
        "JOBS_IMMEDIATE": True,
        # PDFs in this process (tests/documents/test_pdf_child.py runs the web's render child for real)
        "PDF_RENDERER": os.environ.get("TEST_PDF_RENDERER", "inline"),
    }


@pytest.fixture(scope="session")
def db_url(tmp_path_factory):
    if DB_URL:
        return DB_URL
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


def _drop_everything():
    if portal_db.is_postgres():
        db.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    else:
        db.execute_sql("PRAGMA foreign_keys = OFF")
        for t in db.get_tables():
            db.execute_sql(f'DROP TABLE IF EXISTS "{t}"')
        db.execute_sql("PRAGMA foreign_keys = ON")


@pytest.fixture(scope="session")
def _schema(db_url, tmp_path_factory):
    """Start every session from an empty database brought to the newest version by the migrations."""
    app = create_app(base_config(db_url, tmp_path_factory.mktemp("instance0")))
    with app.app_context():
        with db.connection_context():
            _drop_everything()
        portal_db.upgrade()
    return db_url


def truncate_all():
    tables = portal_db.all_tables()
    with db.connection_context():
        if portal_db.is_postgres():
            with db.atomic(), suspended():  # the immutability triggers refuse TRUNCATE
                db.execute_sql("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
        else:
            db.execute_sql("PRAGMA foreign_keys = OFF")
            with db.atomic(), suspended():  # ... and DELETE of immutable rows
                for t in tables:
                    db.execute_sql(f'DELETE FROM "{t}"')
                if "sqlite_sequence" in [r[0] for r in db.execute_sql(
                        "SELECT name FROM sqlite_master WHERE name='sqlite_sequence'").fetchall()]:
                    db.execute_sql("DELETE FROM sqlite_sequence")
            db.execute_sql("PRAGMA foreign_keys = ON")


class PortalClient(FlaskClient):
    """A test client that sends the CSRF token like the browser does (form field for plain posts,
    X-CSRFToken header for htmx). Pass csrf=False to leave it out."""

    def csrf_token(self) -> str:
        app = self.application
        with self.session_transaction() as sess:
            raw = sess.get("csrf_token")
            if raw is None:
                raw = hashlib.sha1(os.urandom(64)).hexdigest()
                sess["csrf_token"] = raw
        return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)

    def post(self, *args, csrf=True, **kwargs):
        if csrf:
            data = kwargs.get("data")
            if data is None:
                data = kwargs["data"] = {}
            if isinstance(data, dict) and "csrf_token" not in data:
                data["csrf_token"] = self.csrf_token()
        return super().post(*args, **kwargs)

    def hx(self, method: str, url: str, csrf=True, headers=None, **kwargs):
        headers = dict(headers or {})
        headers["HX-Request"] = "true"
        if csrf and method.upper() != "GET":
            headers["X-CSRFToken"] = self.csrf_token()
        return self.open(url, method=method.upper(), headers=headers, **kwargs)

    def hx_get(self, url, **kw):
        return self.hx("GET", url, **kw)

    def hx_post(self, url, **kw):
        return self.hx("POST", url, **kw)


def _fresh_request_globals():
    """The `ctx` fixture keeps one app context pushed for the whole test and Flask reuses it for
    every test-client request, so `g` (Flask-Login's cached user, Flask-WTF's token) would leak from
    one request, and one client, to the next. A real server gives each request a fresh context."""
    from flask import g
    g.__dict__.clear()


@pytest.fixture
def app(_schema, db_url, tmp_path):
    application = create_app(base_config(db_url, tmp_path / "instance"))
    application.test_client_class = PortalClient
    application.before_request_funcs.setdefault(None, []).insert(0, _fresh_request_globals)
    with application.app_context():
        truncate_all()
    yield application
    clock.travel(None)
    with application.app_context():
        if not db.is_closed():
            db.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An app context with an open connection, for tests that use models directly."""
    with app.app_context():
        db.connect(reuse_if_open=True)
        yield app
        if not db.is_closed():
            db.close()


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, user_or_name, password=PASSWORD):
        username = getattr(user_or_name, "username", user_or_name)
        return self.client.post("/login", data={"username": username, "password": password})

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def bureau(ctx):
    """The shared bureau every area's tests start from (tests/factories.py make_bureau)."""
    from .factories import make_bureau
    return make_bureau()


@pytest.fixture
def travel():
    """travel(datetime_or_date) freezes the portal clock; reset after the test."""
    yield clock.travel
    clock.travel(None)


@pytest.fixture
def live_server(app):
    """The app behind werkzeug's real HTTP server in a thread (browser tests; the tip box's
    anonymity test reads its access log). `.url` is the base address."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    thread.join(timeout=5)
