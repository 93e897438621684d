"""Red, amber, green — the one place for the colours of a department, a person and a 分管领导.

    red    something overdue            (Problem.overdue_expr: open and past its deadline)
    amber  nothing overdue, but something due within `amber_days` working days (Problem.due_soon_expr,
           narrowed to those days) or returned to the person after 已整改 (退回重改, still open)
    green  nothing overdue, nothing due soon, nothing returned

Every count is taken with the definitions of portal/models/problem.py, within the viewer's scope, so the
numbers agree with the filtered ledger they link to."""
import datetime as dt

from peewee import Case, fn

from .. import campaign_settings, clock, workdays
from ..models import Department, LeaderCharge, Problem, ProblemEvent, User
from ..permissions import scope_problems

COLOURS = {"red": "红", "amber": "黄", "green": "绿"}
RANK = {"red": 0, "amber": 1, "green": 2}
LEGEND = [
    ("red", "红色：有逾期未整改的问题"),
    ("amber", "黄色：无逾期，但有 {n} 个工作日内到期或被退回重改的问题"),
    ("green", "绿色：无逾期、无临期、无退回"),
]


def legend():
    n = campaign_settings.get("amber_days")
    return [(c, text.format(n=n)) for c, text in LEGEND]


def soon_until(today=None) -> dt.date:
    """The last day that is still 'due soon': `amber_days` working days from today."""
    today = today or clock.today()
    return workdays.add_workdays(today, int(campaign_settings.get("amber_days")))


def due_soon_expr(today=None):
    """The model's 'due soon' (Problem.due_soon_expr) narrowed to `amber_days` working days — exactly what
    the ledger's filter due_soon=1&due_to=<soon_until> lists."""
    today = today or clock.today()
    return Problem.due_soon_expr(today) & (Problem.deadline <= soon_until(today))


def returned_expr():
    """Open problems sent back: by the verifier (已整改 → 整改中) at least once, or returned to the person
    in the 销号 review (Problem.review_stage, portal/ledger/workflow.py) and not reported again yet."""
    back = (ProblemEvent.select(ProblemEvent.problem)
            .where((ProblemEvent.from_status == "rectified") & (ProblemEvent.to_status == "in_progress")))
    return Problem.open_expr() & (Problem.id.in_(back) | (Problem.review_stage == "returned"))


def colour(row: dict) -> str:
    if row.get("overdue"):
        return "red"
    if row.get("due_soon") or row.get("returned"):
        return "amber"
    return "green"


def _sum(expr):
    return fn.SUM(Case(None, [(expr, 1)], 0))


def _counts(key, where, today=None) -> dict:
    """{key value: {open, overdue, due_soon, returned}} over the problems matching `where`."""
    today = today or clock.today()
    q = (Problem.select(key.alias("k"), _sum(Problem.open_expr()).alias("open"),
                        _sum(Problem.overdue_expr(today)).alias("overdue"),
                        _sum(due_soon_expr(today)).alias("due_soon"), _sum(returned_expr()).alias("returned"))
         .where(where & (Problem.withdrawn == False)).group_by(key))  # noqa: E712
    out = {}
    for r in q.dicts():
        out[r["k"]] = {k: int(r[k] or 0) for k in ("open", "overdue", "due_soon", "returned")}
    return out


def _scope(viewer):
    """The viewer's problems; None = all (the scheduled snapshot)."""
    return scope_problems(viewer) if viewer is not None else (Problem.id > 0)


def _finish(rows):
    for r in rows:
        r["colour"] = colour(r)
        r["colour_label"] = COLOURS[r["colour"]]
    rows.sort(key=lambda r: (RANK[r["colour"]], -r["overdue"], -r["due_soon"] - r["returned"], -r["open"],
                             r["name"]))
    return rows


def by_department(viewer, today=None) -> list[dict]:
    """Every department the viewer oversees that has problems, worst first (counts from the tallies)."""
    from .tallied import department_counts
    counts = department_counts(viewer, today)
    depts = {d.id: d for d in Department.select().where(Department.id.in_(list(counts) or [0]))}
    return _finish([dict(id=k, name=depts[k].name, **v) for k, v in counts.items() if k in depts])


def by_person(viewer, today=None) -> list[dict]:
    counts = _counts(Problem.person, _scope(viewer) & Problem.person.is_null(False), today)
    people = {u.id: u for u in User.select(User.id, User.real_name, User.department)
              .where(User.id.in_(list(counts) or [0]))}
    return _finish([dict(id=k, name=people[k].real_name, department_id=people[k].department_id, **v)
                    for k, v in counts.items() if k in people])


def by_leader(viewer, today=None, dept_rows=None) -> list[dict]:
    """Each 分管领导: the sum over the departments in their charge (`dept_rows`: by_department's, if read)."""
    dept_rows = {r["id"]: r for r in (by_department(viewer, today) if dept_rows is None else dept_rows)}
    leaders = {}
    for c in LeaderCharge.select(LeaderCharge, User).join(User, on=(LeaderCharge.leader == User.id)):
        r = leaders.setdefault(c.leader_id, dict(id=c.leader_id, name=c.leader.real_name, open=0, overdue=0,
                                                 due_soon=0, returned=0, departments=0))
        d = dept_rows.get(c.department_id)
        r["departments"] += 1
        if d:
            for k in ("open", "overdue", "due_soon", "returned"):
                r[k] += d[k]
    return _finish(list(leaders.values()))


def department_colour(dept_id, today=None) -> str:
    counts = _counts(Problem.department, Problem.department == dept_id, today).get(dept_id, {})
    return colour(counts)


def ledger_args(dept_id, which: str, today=None) -> dict:
    """The ledger filter (query-string pairs) that lists exactly what a count counts."""
    today = today or clock.today()
    if which == "overdue":
        return {"dept": dept_id, "overdue": "1"}
    if which == "due_soon":
        return {"dept": dept_id, "due_soon": "1", "due_from": today.isoformat(),
                "due_to": soon_until(today).isoformat()}
    return {"dept": dept_id}
