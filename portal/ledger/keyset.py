"""Keyset paging of the ledger (issue 16 §1): the 下一页/上一页 links carry the sort key of the page's last/first
row (`after=` / `before=`), so the next page seeks to it through an index instead of skipping rows with
OFFSET, and rows added meanwhile never show twice. A bookmarked `?page=N` still works (queries._page_ids).

    order_by(f, flip=False)     -> the screen order of a sort (flip: the same order backwards), ties on id
    key_of(p, f)                -> the sort key of a loaded row, as the text a link carries
    parse_key(raw, f)           -> the key's values, or None when the text is not a key of this sort
    seek(f, values, backwards)  -> the where-part "after this key" (backwards: "before this key")

A key is a JSON list, one value per sort column and the Problem's id last; a value out of shape (forged,
or from another sort) is refused by parse_key and the page falls back to its number.
"""
import datetime as dt
import functools
import json
import operator

from peewee import Case

from ..models import SEVERITIES, STATUSES, Department, Item, Problem, User

Person = User.alias("person")

STATUS_ORDER = Case(Problem.status, [(k, i) for i, k in enumerate(STATUSES)], 9)
SEVERITY_ORDER = Case(Problem.severity, [(k, i) for i, k in enumerate(SEVERITIES)], 9)
MAX_KEY = 300  # characters of a key in a URL

# sort -> [(column, type, nullable)] before the id tie-breaker
COLUMNS = {
    "seq": [],
    "source": [(Problem.source, str, False)],
    "department": [(Department.sort_order, int, False), (Department.id, int, False)],
    "person": [(Person.sort_name, str, True)],  # 拼音 order (portal/sorting.py), not the bytes of the name
    "category": [(Item.seq, int, True)],
    "severity": [(SEVERITY_ORDER, int, False)],
    "status": [(STATUS_ORDER, int, False)],
    "updated": [(Problem.updated_at, dt.datetime, False)],
    "deadline": [(Problem.deadline, dt.date, True)],
}


def _nulls_last(f, flip):
    """Where a missing value (no deadline, no 责任人, no category) sorts: no deadline is last on screen in
    both directions; a missing person or category is last ascending, first descending. Explicit, so both
    databases give the same order."""
    screen = True if f.sort == "deadline" else not f.desc
    return screen != flip


def _columns(f, flip=False):
    """[(expr, type, nullable, desc, nulls_last)] of the sort, the id last."""
    desc = f.desc != flip
    nl = _nulls_last(f, flip)
    cols = [(e, t, n, desc, nl if n else None) for e, t, n in COLUMNS.get(f.sort, [])]
    return cols + [(Problem.id, int, False, desc, None)]


def order_by(f, flip=False) -> list:
    out = []
    for e, _t, nullable, desc, nl in _columns(f, flip):
        nulls = ("LAST" if nl else "FIRST") if nullable else None
        out.append(e.desc(nulls=nulls) if desc else e.asc(nulls=nulls))
    return out


def _values(p, f) -> list:
    """The sort key of a row loaded by queries._joined (its relations are on the row)."""
    s = f.sort
    if s == "source":
        vals = [p.source]
    elif s == "department":
        vals = [p.department.sort_order, p.department.id]
    elif s == "person":
        vals = [p.person.sort_name if p.person_id else None]
    elif s == "category":
        vals = [p.item.seq if p.item_id else None]
    elif s == "severity":
        vals = [list(SEVERITIES).index(p.severity) if p.severity in SEVERITIES else 9]
    elif s == "status":
        vals = [list(STATUSES).index(p.status) if p.status in STATUSES else 9]
    elif s == "updated":
        vals = [p.updated_at]
    elif s == "deadline":
        vals = [p.deadline]
    else:
        vals = []
    return vals + [p.id]


def key_of(p, f) -> str:
    vals = [v.isoformat(sep=" ") if isinstance(v, dt.datetime) else v.isoformat() if isinstance(v, dt.date)
            else v for v in _values(p, f)]
    return str(vals[0]) if len(vals) == 1 else json.dumps(vals, ensure_ascii=False, separators=(",", ":"))


def _value(raw, typ, nullable):
    if raw is None:
        if nullable:
            return None
        raise ValueError
    if typ is int:
        if isinstance(raw, bool) or not isinstance(raw, int) or not -2**31 < raw < 2**31:
            raise ValueError
        return raw
    if not isinstance(raw, str) or len(raw) > 160:
        raise ValueError
    if typ is dt.date:
        return dt.date.fromisoformat(raw)
    if typ is dt.datetime:
        return dt.datetime.fromisoformat(raw)
    return raw


def parse_key(raw, f):
    """The values of a key of f's sort, or None when `raw` is not one."""
    if not raw or len(raw) > MAX_KEY:
        return None
    cols = _columns(f)
    try:
        vals = json.loads(raw)
        if not isinstance(vals, list):
            vals = [vals]
        if len(vals) != len(cols) or not vals[-1] or vals[-1] < 1:
            return None
        return [_value(v, t, n) for v, (_e, t, n, _d, _nl) in zip(vals, cols)]
    except (ValueError, TypeError):
        return None


def _after(e, v, desc, nullable, nulls_last):
    """Rows strictly after value v in one column."""
    if v is None:  # after a missing value: the present ones if missing sorts first, else nothing
        return e.is_null(False) if not nulls_last else None
    cmp = e < v if desc else e > v
    return (cmp | e.is_null()) if nullable and nulls_last else cmp


def seek(f, values, backwards=False):
    """Where-part: the rows after the key in f's screen order (backwards=True: before it, in which case the
    caller reads in the flipped order). The leading column's bound (>= / <=) is stated on its own so the
    database can seek through that column's index."""
    cols = _columns(f, flip=backwards)
    alts, eqs = [], []
    for (e, _t, nullable, desc, nl), v in zip(cols, values):
        a = _after(e, v, desc, nullable, nl)
        if a is not None:
            alts.append(a if not eqs else all_of(eqs + [a]))
        eqs.append(e.is_null() if v is None else e == v)
    cond = alts[0] if len(alts) == 1 else any_of(alts) if alts else (Problem.id != Problem.id)
    e0, _t, nullable, desc, nl = cols[0]
    v0 = values[0]
    if len(cols) > 1 and v0 is not None and not (nullable and nl):
        cond = ((e0 <= v0) if desc else (e0 >= v0)) & cond
    return cond


def all_of(parts):
    """parts[0] & parts[1] & … (the ledger's filter conditions use it too)."""
    return functools.reduce(operator.and_, parts)


def any_of(parts):
    return functools.reduce(operator.or_, parts)
