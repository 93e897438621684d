"""Per-worker cache of the ledger's rendered results (the table and the status counters).

Key: the viewer's scope signature (user id, department, roles, visible departments), the normalized
filter, the date (逾期/即将到期 change at midnight), the request kind (full page or htmx fragment) and the
ledger version — a single-row counter that database triggers bump in the same transaction as every
write that can change what the list shows (migration 0009). Reading the version is one primary-key
SELECT per request, made before any data is read, so an entry never holds data older than its version.
The viewer's CSRF token is not stored: it is put back into the HTML on the way out."""
import threading
from collections import OrderedDict

from flask import current_app
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from .. import clock
from ..extensions import db
from ..permissions import visible_departments

MAX_ENTRIES = 256  # a 50-row page is ~60 KB of HTML: at most ~15 MB per worker
_CSRF_MARK = "\x00csrf-token\x00"
_lock = threading.Lock()
_entries: "OrderedDict[tuple, tuple]" = OrderedDict()


def version():
    """The ledger version, or None when the row is missing (then nothing is cached)."""
    row = db.execute_sql('SELECT "v" FROM "ledger_version" WHERE "id" = 1').fetchone()
    return row[0] if row else None


def scope_signature(user) -> tuple:
    depts = visible_departments(user)
    return (user.id, user.department_id, tuple(sorted(user.roles)),
            None if depts is None else tuple(sorted(depts)))


def key_for(user, f, kind: str):
    v = version()
    if v is None:
        return None
    cfg = current_app.config
    return (id(db.obj), v, clock.today(), scope_signature(user), f.query_string(), tuple(f.errors), kind,
            cfg.get("DUE_SOON_DAYS", 7), cfg.get("PAGE_SIZE", 50))


def get(key):
    """(*parts as Markup, meta) or None."""
    if key is None:
        return None
    with _lock:
        entry = _entries.get(key)
        if entry is not None:
            _entries.move_to_end(key)
    if entry is None:
        return None
    parts, meta = entry
    token = generate_csrf()
    return tuple(Markup(p.replace(_CSRF_MARK, token)) for p in parts) + (meta,)


def put(key, *parts, meta=None):
    """Store rendered parts (the CSRF token taken out) with `meta`; returns (*parts as Markup, meta)."""
    out = tuple(Markup(p) for p in parts) + (meta,)
    if key is None:
        return out
    token = generate_csrf()
    stored = tuple(str(p).replace(token, _CSRF_MARK) for p in parts)
    with _lock:
        _entries[key] = (stored, meta)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return out


def clear():
    with _lock:
        _entries.clear()
