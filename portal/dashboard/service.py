"""The dashboard's numbers for one viewer, with a small per-process cache invalidated by writes.

The cache key is (viewer's department scope, today); an entry is used only while the fingerprint —
the ledger version (bumped by database triggers in the same transaction as every write to problems,
actions, people, departments and roles; migration 0009, shared with the ledger's cache), MAX(id) of
people, and MAX(id) and MAX(updated_at) of self-checks — is unchanged, i.e. nothing counted was written since.
Entries are not stored while a self-check write is very recent (a transaction that stamped its rows a
moment ago may still be committing) and expire after CACHE_TTL seconds, so a reordered commit can never
hide a change for long. Clue numbers are small and read fresh.
"""
import datetime as dt
import threading
import time

from flask import current_app

from .. import clock
from ..extensions import db
from . import queries, sources

CACHE_TTL = 60.0  # seconds
RECENT = dt.timedelta(seconds=5)
_lock = threading.Lock()


def _store(app=None):
    app = app or current_app
    return app.extensions.setdefault("dashboard_cache", {})


def clear_cache(app=None):
    with _lock:
        _store(app).clear()


def _stamp(v):
    if isinstance(v, str):  # SQLite hands back text for an aggregate over a datetime column
        try:
            return dt.datetime.fromisoformat(v)
        except ValueError:
            return None
    return v


_FP_SQL: dict = {}


def _fingerprint_sql():
    """One statement of scalar sub-selects (built once per database): one round trip."""
    key = id(db.obj)
    sql = _FP_SQL.get(key)
    if sql is None:
        # problems, actions, roles and changes to people: the trigger-maintained ledger version;
        # new people (the version's triggers skip user inserts): MAX(id)
        parts = ['(SELECT "v" FROM "ledger_version" WHERE "id" = 1)', '(SELECT MAX("id") FROM "user")']
        stamps = []
        if "self_check" in set(db.get_tables()):
            parts += ['(SELECT MAX("id") FROM "self_check")', '(SELECT MAX("updated_at") FROM "self_check")']
            stamps.append(3)
        sql = "SELECT " + ", ".join(parts), tuple(stamps)
        _FP_SQL[key] = sql
    return sql


def fingerprint():
    """Cheap look-ups that change whenever a counted row is written: the ledger version for problems,
    actions, people and roles; SelfCheck rows are stamped (updated_at) by every write.
    Returns (fingerprint, the latest self-check write stamp)."""
    sql, stamps = _fingerprint_sql()
    row = tuple(db.execute_sql(sql).fetchone())
    latest = max((s for s in (_stamp(row[i]) for i in stamps) if s is not None), default=None)
    return row, latest


def _compute(depts, today):
    return {"problems": queries.problem_stats(depts, today),
            "selfcheck": sources.selfcheck_stats(depts),
            "actions": sources.action_stats(depts, today)}


def bundle(user, cached=True):
    """Problems, self-checks and actions for the viewer's scope, through the cache."""
    depts = queries.scope_departments(user)
    today = clock.today()
    if not cached:
        return _compute(depts, today)
    key = (depts, today)
    fp, latest = fingerprint()
    store = _store()
    hit = store.get(key)
    if hit is not None and hit[0] == fp and time.monotonic() - hit[1] < CACHE_TTL:
        return hit[2]
    value = _compute(depts, today)
    if latest is None or latest < clock.now() - RECENT:
        with _lock:
            if len(store) > 256:
                store.clear()
            store[key] = (fp, time.monotonic(), value)
    return value


def problem_stats(user, cached=True):
    return bundle(user, cached)["problems"]


def counts(user, cached=True):
    """Everything the page shows, as data (clues are few and always read fresh)."""
    data = dict(bundle(user, cached))
    data["clues"] = sources.clue_stats(user, queries.scope_departments(user))
    return data
