"""The 督办 counts the dashboard shows, read from the trigger-kept tallies instead of grouping every Problem
(migrations 0010 and 0044): the same numbers as rag._counts over Problem.department and the GROUP BY of
patterns.common, within the same scope (scope_problems: the departments the viewer oversees, plus the
viewer's own problems elsewhere — read directly, they are few)."""
import datetime as dt

from peewee import Case, fn

from .. import clock
from ..extensions import db
from ..models import Problem
from ..models.problem import OPEN, due_soon_days
from ..models.tally import ItemPeople, ItemPersonTally, ItemTally, OpenTally, ProblemTally
from ..permissions import visible_departments

COUNTS = ("open", "overdue", "due_soon", "returned")


def _scope(viewer):
    """(departments or None = all, the viewer's id when own problems outside them count too)."""
    if viewer is None:
        return None, None
    depts = visible_departments(viewer)
    return (None, None) if depts is None else (sorted(depts), viewer.id)


def _in(field, depts):
    return field.in_(depts or [0])


def _blank():
    return dict.fromkeys(COUNTS, 0)


def department_counts(viewer, today=None) -> dict:
    """{department id: {open, overdue, due_soon, returned}} for every department with a live problem in the
    viewer's scope — rag._counts(Problem.department, scope) read from the tallies."""
    from .rag import _counts, soon_until  # due_soon: rag.due_soon_expr's bounds
    today = today or clock.today()
    depts, me = _scope(viewer)
    t, o = ProblemTally, OpenTally
    where_t, where_o = t.n != 0, o.n != 0
    if depts is not None:
        where_t &= _in(t.department_id, depts)
        where_o &= _in(o.department_id, depts)
    out = {}
    for d, n_open, n in (t.select(t.department_id, fn.SUM(Case(None, [(t.status.in_(OPEN), t.n)], 0)), fn.SUM(t.n))
                         .where(where_t).group_by(t.department_id).tuples()):
        if int(n or 0):
            out[d] = _blank()
            out[d]["open"] = int(n_open or 0)
    last = min(today + dt.timedelta(days=due_soon_days()), soon_until(today))
    soon = (o.deadline >= today) & (o.deadline <= last)
    for d, late, due in (o.select(o.department_id, fn.SUM(Case(None, [(o.deadline < today, o.n)], 0)),
                                  fn.SUM(Case(None, [(soon, o.n)], 0)))
                         .where(where_o & (o.deadline <= last)).group_by(o.department_id).tuples()):
        if d in out:
            out[d]["overdue"], out[d]["due_soon"] = int(late or 0), int(due or 0)
    for d, n in returned_by_department(depts).items():
        out.setdefault(d, _blank())["returned"] = n
    if me is not None:  # the viewer's own problems in departments outside the scope
        for d, row in _counts(Problem.department, (Problem.person == me) & ~_in(Problem.department, depts),
                              today).items():
            mine = out.setdefault(d, _blank())
            for k in COUNTS:
                mine[k] += row[k]
    return out


# rag.returned_expr per department. Written out so both databases read the two small partial indexes of
# migration 0044 (SQLite uses a partial index only for the same literal values, and would rather walk the
# status index: `status || ''` keeps it off; CROSS JOIN makes SQLite start from the events).
RETURNED_SQL = """
SELECT p."id", p."department_id" FROM "problem" p
 WHERE p."review_stage" = 'returned' AND p."status" || '' IN ('pending', 'in_progress') AND NOT p."withdrawn"
UNION
SELECT p."id", p."department_id" FROM "problem_event" e CROSS JOIN "problem" p
 WHERE p."id" = e."problem_id" AND e."from_status" = 'rectified' AND e."to_status" = 'in_progress'
   AND p."status" || '' IN ('pending', 'in_progress') AND NOT p."withdrawn"
"""


def returned_by_department(depts) -> dict:
    """Open problems the verifier sent back (rectified → in_progress) or returned in the 销号 review, per
    department (of `depts`; None = all): few rows, read whole and counted here."""
    assert OPEN == ("pending", "in_progress")  # the literal list in RETURNED_SQL
    keep = None if depts is None else set(depts)
    out = {}
    for _pid, d in db.execute_sql(RETURNED_SQL).fetchall():
        if keep is None or d in keep:
            out[d] = out.get(d, 0) + 1
    return out


def item_counts(viewer) -> list[tuple]:
    """[(item, departments, persons, problems)] over the live problems with an item in the viewer's scope —
    the GROUP BY of patterns.common, read from item_people / item_tally (all) or item_person_tally."""
    depts, me = _scope(viewer)
    if depts is None:
        t = ItemTally
        people = dict(ItemPeople.select(ItemPeople.item_id, ItemPeople.persons).tuples())
        rows = (t.select(t.item_id, fn.COUNT(fn.DISTINCT(t.department_id)), fn.SUM(t.n))
                .where((t.n > 0) & (t.item_id != 0)).group_by(t.item_id).tuples())
        return [(i, int(d), int(people.get(i, 0)), int(n)) for i, d, n in rows]
    t = ItemPersonTally
    rows = {i: [int(d), int(p), int(n)] for i, d, p, n in
            t.select(t.item_id, fn.COUNT(fn.DISTINCT(t.department_id)),
                     fn.COUNT(fn.DISTINCT(Case(None, [(t.person_id != 0, t.person_id)], None))), fn.SUM(t.n))
            .where((t.n > 0) & _in(t.department_id, depts)).group_by(t.item_id).tuples()}
    # the viewer's own problems (few; read through the person index): outside the departments they add
    # problems and departments, and the viewer as a person unless already counted for the item
    p = Problem
    mine = list(p.select(p.item, p.department).where(
        (p.person == me) & (p.withdrawn == False) & p.item.is_null(False)).tuples())  # noqa: E712
    inside = {i for i, d in mine if d in depts}
    outside = {}
    for i, d in mine:
        if d not in depts:
            outside.setdefault(i, []).append(d)
    for i, ds in outside.items():
        r = rows.setdefault(i, [0, 0, 0])
        r[0] += len(set(ds))
        r[1] += 0 if i in inside else 1
        r[2] += len(ds)
    return [(i, d, p, n) for i, (d, p, n) in rows.items()]
