"""A bulk action picked as a PostgreSQL deadlock victim is tried again (with jitter) instead of answering
503 at once. The deadlock is real: a second connection holds the acting user's row, the bulk edit's
transaction locks the Problem and then waits for that row (its event's foreign key), and the second
connection then asks for the Problem. PostgreSQL aborts the transaction that waited first: the bulk edit's."""
import threading
import time

import psycopg2
import pytest

from portal import db as portal_db
from portal.models import Problem, ProblemEvent
from tests.conftest import DB_URL
from tests.factories import make_problem, make_user

PG = bool(DB_URL and DB_URL.startswith("postgres"))
pytestmark = pytest.mark.skipif(not PG, reason="deadlocks need PostgreSQL (SQLite writers queue on one lock)")


def _wait_for_lock_waiter(watch, exclude_pid, timeout=15):
    end = time.monotonic() + timeout
    cur = watch.cursor()
    while time.monotonic() < end:
        cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> %s", (exclude_pid,))
        if cur.fetchall():
            return True
        time.sleep(0.02)
    return False


def test_bulk_deadlock_victim_is_retried(ctx, client, auth, db_url):
    office = make_user("office", roles=("discipline", "staff"))
    staff = make_user("staff-x", roles=("staff",))
    p = make_problem(staff, description="批量操作死锁测试")
    auth.login(office)
    other = psycopg2.connect(db_url)
    watch = psycopg2.connect(db_url)
    watch.autocommit = True
    try:
        other.cursor().execute('SELECT 1 FROM "user" WHERE "id" = %s FOR UPDATE', (office.id,))
        result = {}

        def bulk():
            result["r"] = client.hx_post("/ledger/bulk", data={
                "op": "deadline", "ids": [str(p.id)], "deadline_value": "2026-12-20", "bulk_note": "死锁重试"})
        t = threading.Thread(target=bulk)
        t.start()
        assert _wait_for_lock_waiter(watch, other.get_backend_pid()), "the bulk edit never waited"
        # now close the circle: this waits for the bulk edit's Problem lock; PostgreSQL (deadlock_timeout
        # after the bulk edit began to wait) aborts the bulk edit's transaction and lets this one go on
        other.cursor().execute('UPDATE "problem" SET "version" = "version" WHERE "id" = %s', (p.id,))
        other.rollback()
        t.join(timeout=60)
    finally:
        other.close()
        watch.close()
    r = result["r"]
    assert r.status_code == 200, r.get_data(as_text=True)[:400]
    assert "成功 1 条" in r.get_data(as_text=True)
    after = Problem.get_by_id(p.id)
    assert after.deadline.isoformat() == "2026-12-20" and after.version == p.version + 1
    assert ProblemEvent.select().where((ProblemEvent.problem == p.id) & (ProblemEvent.kind == "deadline")).count() == 1


def test_retrying_gives_up_after_a_few_attempts(ctx):
    calls = []

    class Deadlock(Exception):
        pgcode = "40P01"

    def always():
        calls.append(1)
        raise Deadlock("deadlock detected")
    with pytest.raises(Deadlock):
        portal_db.retrying(always, attempts=3, base_delay=0.001)
    assert len(calls) == 3
    assert portal_db.is_contention(Deadlock())  # and the last failure still answers 503
