"""Periodic notice triggers. Each is idempotent through notify()'s dedupe keys, so running them from the
CLI (`flask --app app notices run`) and from the job worker's schedule (portal/jobs) never duplicates;
they never run inside a user's request.

Other areas may add their own with @trigger (fn(today) -> number of notices created).
"""
import datetime as dt
import logging

from flask import current_app, has_request_context, url_for

from .. import clock
from ..models import Department, Problem, RoleAssignment, User
from ..models.report import ReportingPeriod
from ..models.selfcheck import DepartmentReport
from ..notify import notify_many
from ..quoting import quoted

log = logging.getLogger(__name__)
_TRIGGERS = []


def trigger(fn):
    if fn.__qualname__ not in {t.__qualname__ for t in _TRIGGERS}:
        _TRIGGERS.append(fn)
    return fn


def path_for(endpoint: str, **values) -> str:
    """A path for a notice's link that works in a request, in the CLI and in tests alike."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


def problem_url(problem_id) -> str:
    return path_for("ledger.detail", problem_id=problem_id)


def heads_of(department_ids) -> dict:
    """department id -> [active heads]."""
    out = {}
    if not department_ids:
        return out
    q = (User.select().join(RoleAssignment, on=(RoleAssignment.user == User.id))
         .where((RoleAssignment.role == "dept_head") & User.is_active_flag
                & User.department.in_(sorted(department_ids))))
    for u in q:
        out.setdefault(u.department_id, []).append(u)
    return out


@trigger
def ledger_deadlines(today: dt.date) -> int:
    """Open problems due within DUE_SOON_DAYS (and those just overdue): the person and the head.
    A set operation: the wanted (person, key) pairs are computed here, notify_many drops the ones already
    sent in one lookup and inserts the rest in chunks (each committed: a run cut short keeps its progress,
    and the next run makes only the missing ones)."""
    days = int(current_app.config.get("DUE_SOON_DAYS", 7))
    horizon = today + dt.timedelta(days=days)
    q = (Problem.select(Problem.id, Problem.person, Problem.department, Problem.deadline,
                        Problem.description)
         .where(Problem.open_expr() & Problem.deadline.is_null(False) & (Problem.deadline <= horizon)
                & (Problem.deadline >= today - dt.timedelta(days=30))))
    rows = list(q.tuples())
    heads = {d: [u.id for u in us] for d, us in heads_of({r[2] for r in rows}).items()}
    return notify_many(_deadline_notices(rows, heads, today))


def _deadline_notices(rows, heads, today):
    """(user, kind, text, url, key) for each problem's person and department heads."""
    link = _url_maker("ledger.detail", "problem_id")
    for pid, person_id, dept_id, deadline, description in rows:
        desc = (description or "").strip().replace("\n", " ")
        desc = desc[:30] + ("…" if len(desc) > 30 else "")
        left = (deadline - today).days
        if left >= 0:
            kind_key = "deadline"
            when = "今天到期" if left == 0 else f"还剩 {left} 天"
            text = f"整改时限临近（{when}）：{quoted(desc)}须于 {deadline:%Y年%m月%d日} 前整改到位。"
        else:
            kind_key = "overdue"
            text = f"整改已逾期 {-left} 天：{quoted(desc)}的整改时限为 {deadline:%Y年%m月%d日}。"
        key = f"{kind_key}:{pid}:{deadline.isoformat()}"
        people = set(heads.get(dept_id, []))
        if person_id:
            people.add(person_id)
        url = link(pid)
        for uid in sorted(people):
            yield uid, kind_key, text, url, key


def _url_maker(endpoint: str, arg: str):
    """fn(value) -> path_for(endpoint, arg=value) for an integer argument, the rule built once rather than once
    per notice: a placeholder number is built and replaced (checked once against a real build)."""
    mark = 918273645
    pattern = path_for(endpoint, **{arg: mark})
    if pattern.count(str(mark)) != 1:
        return lambda value: path_for(endpoint, **{arg: value})
    head, tail = pattern.split(str(mark))
    return lambda value: f"{head}{int(value)}{tail}"


@trigger
def reports_due(today: dt.date) -> int:
    """Departments that have not submitted their periodic self-check status report: their heads."""
    from .. import campaign_settings  # the office's rule if set (campaign settings), else the server's
    days = int(campaign_settings.get_or("report_remind_days", current_app.config.get("REPORT_REMIND_DAYS", 3)))
    periods = list(ReportingPeriod.select().where(
        (ReportingPeriod.due_date <= today + dt.timedelta(days=days))
        & (ReportingPeriod.due_date >= today - dt.timedelta(days=14))))
    if not periods:
        return 0
    depts = list(Department.select().where(Department.is_active & Department.kind.in_(("office", "unit"))))
    heads = heads_of({d.id for d in depts})
    url = path_for("selfcheck.report")
    rows = []
    for period in periods:
        done = _reported(period)
        late = period.due_date < today
        for d in depts:
            if d.id in done:
                continue
            text = (f"{d.name}尚未报送《{period.name}单位自查自纠情况》，"
                    + (f"已超过报送时限（{period.due_date:%m月%d日}）。" if late
                       else f"请于 {period.due_date:%Y年%m月%d日} 前报送。"))
            rows += [(u.id, "report_due", text, url,
                      f"report_due:{period.code}:{d.id}:{'late' if late else 'soon'}") for u in heads.get(d.id, [])]
    return notify_many(rows)


def _reported(period) -> set[int]:
    """The departments that submitted their report for `period`."""
    return {r.department_id for r in DepartmentReport.select(DepartmentReport.department).where(
        (DepartmentReport.period == period.code) & (DepartmentReport.status == "submitted"))}


def run_all(today: dt.date | None = None) -> dict:
    """Run every trigger, then deliver e-mail. Returns {trigger name: notices created, "mailed": n}."""
    from .. import mail
    today = today or clock.today()
    out = {}
    for fn in _TRIGGERS:
        try:
            out[fn.__name__] = fn(today)
        except Exception:  # noqa: BLE001 - one broken trigger must not stop the others
            log.exception("notice trigger %s failed", fn.__name__)
            out[fn.__name__] = -1
    out["mailed"] = mail.deliver_pending()
    return out
