"""The dashboard's numbers for one viewer, with a small per-process cache invalidated by writes.

The cache key is (viewer's department scope, today); an entry is used only while the Problem table's
fingerprint — MAX(id) and MAX(updated_at), two index look-ups — is unchanged, i.e. no Problem was
created or changed since (every write goes through portal.problems, which stamps updated_at).
Entries are not stored while a write is very recent (a transaction that stamped its rows a moment ago
may still be committing) and expire after CACHE_TTL seconds, so a reordered commit can never hide a
change for long. Data of the other areas (self-checks, clues, actions) are small and read fresh.
"""
import datetime as dt
import threading
import time

from flask import current_app
from peewee import fn

from .. import clock
from ..models import Problem
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


def fingerprint():
    max_id = Problem.select(fn.MAX(Problem.id)).scalar()
    max_upd = Problem.select(fn.MAX(Problem.updated_at)).scalar()
    return max_id, max_upd


def problem_stats(user, cached=True):
    depts = queries.scope_departments(user)
    today = clock.today()
    if not cached:
        return queries.problem_stats(depts, today)
    key = (depts, today)
    fp = fingerprint()
    store = _store()
    hit = store.get(key)
    if hit is not None and hit[0] == fp and time.monotonic() - hit[1] < CACHE_TTL:
        return hit[2]
    value = queries.problem_stats(depts, today)
    max_upd = fp[1]
    if isinstance(max_upd, str):  # SQLite may hand back text for an aggregate
        try:
            max_upd = dt.datetime.fromisoformat(max_upd)
        except ValueError:
            max_upd = None
    if max_upd is None or max_upd < clock.now() - RECENT:
        with _lock:
            if len(store) > 256:
                store.clear()
            store[key] = (fp, time.monotonic(), value)
    return value


def counts(user, cached=True):
    """Everything the page shows, as data."""
    depts = queries.scope_departments(user)
    return {
        "problems": problem_stats(user, cached=cached),
        "selfcheck": sources.selfcheck_stats(depts),
        "clues": sources.clue_stats(user, depts),
        "actions": sources.action_stats(depts),
    }
