"""A write that meets another transaction's lock for longer than DB_LOCK_TIMEOUT_MS answers 503 with a
Chinese "系统繁忙" message (never a 500), writes nothing, and goes through once the lock is gone. The lock
is held by a second, real connection to the same database (SQLite file or PostgreSQL server)."""
import sqlite3

import psycopg2
import pytest

from portal import db as portal_db
from portal.extensions import db
from portal.models import Problem


@pytest.fixture
def short_locks(app):
    app.config["DB_LOCK_TIMEOUT_MS"] = 300
    db.obj.close_all()
    db.initialize(portal_db.make_database(app))
    return app


def _hold_lock(app, problem_id):
    """Another connection, in a transaction that blocks writes to the Problem; returns it (rollback()
    releases the lock)."""
    url = app.config["DATABASE_URL"]
    if url.startswith("postgres"):
        conn = psycopg2.connect(url)
        conn.cursor().execute('SELECT 1 FROM "problem" WHERE "id" = %s FOR UPDATE', (problem_id,))
        return conn
    conn = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def test_blocked_write_answers_503_and_writes_nothing(short_locks, client, auth, org):
    auth.login(org.head_a)
    p = Problem.get_by_id(org.pa1.id)
    data = {"to": "in_progress", "version": str(p.version), "note": "已制定整改方案", "seq": "3", "mode": "start"}
    other = _hold_lock(short_locks, p.id)
    try:
        r = client.hx_post(f"/ledger/{p.id}/status", data=data)
        assert r.status_code == 503
        assert "系统繁忙" in r.get_data(as_text=True) and r.headers["Retry-After"] == "2"
    finally:
        other.rollback()
        other.close()
    after = Problem.get_by_id(p.id)
    assert (after.status, after.version) == (p.status, p.version)   # nothing was written
    r = client.hx_post(f"/ledger/{p.id}/status", data=data)            # the same request, tried again
    assert r.status_code == 200
    assert Problem.get_by_id(p.id).status == "in_progress"


def test_contention_is_recognised_only_for_lock_errors():
    from peewee import IntegrityError, OperationalError
    assert portal_db.is_contention(OperationalError("database is locked"))
    assert not portal_db.is_contention(OperationalError("no such table: x"))
    assert not portal_db.is_contention(IntegrityError("UNIQUE constraint failed"))
    assert not portal_db.is_contention(ValueError("database is locked"))
