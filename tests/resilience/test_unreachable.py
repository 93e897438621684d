"""A database that cannot be reached answers 503 with a page that needs no database, on either kind of
database; what counts as "unreachable" (and what does not)."""
import psycopg2
from peewee import IntegrityError, OperationalError
from playhouse.pool import MaxConnectionsExceeded

from portal import create_app
from portal import db as portal_db
from tests.conftest import PortalClient, base_config


def test_an_unopenable_sqlite_file_answers_503(tmp_path):
    app = create_app(base_config("sqlite:///" + str(tmp_path / "missing-dir" / "portal.sqlite3"),
                                 tmp_path / "instance"))
    app.test_client_class = PortalClient
    client = app.test_client()
    r = client.get("/login")
    assert r.status_code == 503
    assert "系统繁忙，请稍后重试" in r.get_data(as_text=True)
    r = client.hx_post("/selfcheck/step/1/autosave", data={"draft_version": "0"})
    assert r.status_code == 503 and "<html" not in r.get_data(as_text=True)
    assert client.get("/static/js/portal.js").status_code == 200


def test_what_counts_as_unreachable():
    lost = psycopg2.OperationalError("server closed the connection unexpectedly")
    assert portal_db.is_unreachable(lost)
    wrapped = OperationalError(lost)
    wrapped.__cause__ = lost
    assert portal_db.is_unreachable(wrapped)
    assert portal_db.is_unreachable(psycopg2.InterfaceError("connection already closed"))
    assert portal_db.is_unreachable(MaxConnectionsExceeded("Exceeded maximum connections."))
    assert portal_db.is_unreachable(OperationalError("unable to open database file"))

    class AdminShutdown(Exception):
        pgcode = "57P01"
    assert portal_db.is_unreachable(AdminShutdown())
    assert not portal_db.is_unreachable(OperationalError("database is locked"))
    assert not portal_db.is_unreachable(IntegrityError("UNIQUE constraint failed"))
    assert not portal_db.is_unreachable(ValueError("connection"))
