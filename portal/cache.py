"""The portal's one cache: results that are expensive to make, kept in each worker process's memory.

Used where a benchmark shows it pays (bench/ledger.py, bench/dashboard.py): the ledger list's rendered
table, counters and filters (a hit is about 3× faster than rendering), the dashboard's numbers and page
body (about 6× faster), the ledger's rendered rows and a campaign's checklist.

Safe with several app servers on one database, because freshness is never decided by the process:

* Versioned entries: the key holds the data versions the entry was made from, read from the shared
  database. Each version is a row of `ledger_version` that database triggers bump in the same transaction
  as every write that can change what is shown (row 1 "ledger": problems, actions, mechanisms, extensions,
  evidence, roles, people's shown columns, departments, campaigns — migration 0009; row 2 "selfcheck":
  self-check status and perfunctory marks — migration 0018). `key()` reads them with one SELECT before any
  data is read, so an entry never holds data older than its key; a write on server A gives server B a new
  key on its next request. A missing row (an emptied table) is recreated with a random start, so an old
  entry's version never comes back.
* Content-addressed entries (`content_key`): the key holds every value the result depends on (a rendered
  row's shown fields; a campaign's content hash — a loaded campaign never changes, changed content becomes
  a new campaign row), so no write can make an entry wrong.

There are no time limits and nothing to invalidate by hand: an entry nobody asks for ages out of the
bounded store. Rendered HTML is stored without the viewer's CSRF token, which is put back on the way out,
so one entry serves every viewer with the same scope.
"""
import secrets
import threading
from collections import OrderedDict

from flask import has_request_context
from markupsafe import Markup

from .extensions import db

VERSION_ROWS = {"ledger": 1, "selfcheck": 2, "reference": 3}  # 3: the forms' choices (migration 0029)
MAX_ENTRIES = {"ledger": 256, "dashboard": 64, "ledger_rows": 5000, "checklist": 16,  # a ledger page ~60 KB
               "dashboard_parts": 512, "dashboard_bars": 4000}  # a dashboard part ~10 KB, a bar ~1 KB
_CSRF_MARK = "\x00csrf-token\x00"
_lock = threading.Lock()
_stores: dict[str, OrderedDict] = {}


def versions(*names) -> tuple:
    """The current data versions `names` (keys of VERSION_ROWS), read from the shared database."""
    ids = [VERSION_ROWS[n] for n in names]
    sql = f'SELECT "id", "v" FROM "ledger_version" WHERE "id" IN ({", ".join(map(str, ids))})'
    found = dict(db.execute_sql(sql).fetchall())
    missing = [i for i in ids if i not in found]
    if missing:
        from .models.ledger import LedgerVersion
        for i in missing:
            LedgerVersion.insert(id=i, v=secrets.randbelow(10 ** 15)).on_conflict_ignore().execute()
        found = dict(db.execute_sql(sql).fetchall())
    return tuple(found[i] for i in ids)


class Versions(tuple):
    """The data versions a key was made from (a tuple of the values), with their names."""

    def __new__(cls, names, values):
        obj = super().__new__(cls, values)
        obj.names = tuple(names)
        return obj


def key(*parts, on=("ledger",)) -> tuple:
    """A key valid while the data versions `on` are unchanged (and only for this database)."""
    return (id(db.obj), Versions(on, versions(*on))) + parts


def _superseded(k, other) -> bool:
    """`other` was made from other versions of the same data as `k`: it can never be asked for again."""
    return (len(other) > 1 and isinstance(other[1], Versions) and other[0] == k[0]
            and other[1].names == k[1].names and other[1] != k[1])


def content_key(*parts) -> tuple:
    """A key for a result that depends on nothing but `parts` (and this database)."""
    return (id(db.obj),) + parts


def _token():
    if not has_request_context():
        return None
    from flask_wtf.csrf import generate_csrf
    return generate_csrf()


def _swap(value, old, new, wrap):
    if old is None or new is None:
        return value
    if isinstance(value, str):
        return wrap(value.replace(old, new))
    if isinstance(value, tuple):
        return tuple(_swap(v, old, new, wrap) for v in value)
    return value


def get(store: str, k):
    """The entry for `k` in `store`, or None. HTML comes back with this viewer's CSRF token."""
    with _lock:
        s = _stores.get(store)
        value = s.get(k) if s is not None else None
        if value is not None:
            s.move_to_end(k)
    if value is None:
        return None
    return _swap(value, _CSRF_MARK, _token(), Markup)


def put(store: str, k, value):
    """Keep `value` (HTML without the viewer's CSRF token) and return it as given."""
    stored = _swap(value, _token(), _CSRF_MARK, str)
    with _lock:
        s = _stores.setdefault(store, OrderedDict())
        if len(k) > 1 and isinstance(k[1], Versions):
            # an entry of older data versions is dead weight (versions never come back): drop it now
            # rather than when the bound pushes it out — with steady writes (autosaves bump the versions)
            # the store would otherwise sit at its bound, megabytes of pages nobody can hit
            for old in [o for o in s if _superseded(k, o)]:
                del s[old]
        s[k] = stored
        s.move_to_end(k)
        while len(s) > MAX_ENTRIES.get(store, 256):
            s.popitem(last=False)
    return value


def memo(store: str, k, compute):
    """A content-addressed entry: `k` holds everything `compute()` depends on."""
    value = get(store, k)
    if value is None:
        value = put(store, k, compute())
    return value


def clear(store: str | None = None) -> None:
    with _lock:
        if store is None:
            _stores.clear()
        else:
            _stores.pop(store, None)


def size(store: str) -> int:
    with _lock:
        return len(_stores.get(store, ()))
