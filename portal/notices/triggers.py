"""Periodic notice triggers. Each is idempotent through notify()'s dedupe keys, so running them from the
CLI (`flask --app app notices run`) and from the job worker's schedule (portal/jobs) never duplicates;
they never run inside a user's request.

Other areas may add their own with @trigger (fn(today) -> number of notices created).
"""
import datetime as dt
import logging

from flask import current_app, has_request_context, url_for

from .. import clock
from ..extensions import db
from ..models import Department, Notice, Problem, RoleAssignment, User
from ..models.report import ReportingPeriod
from ..models.selfcheck import DepartmentReport
from ..notify import notify
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


def _made(n) -> int:
    return 1 if n is not None else 0


@trigger
def ledger_deadlines(today: dt.date) -> int:
    """Open problems due within DUE_SOON_DAYS (and those just overdue): the person and the head."""
    days = int(current_app.config.get("DUE_SOON_DAYS", 7))
    horizon = today + dt.timedelta(days=days)
    q = (Problem.select(Problem.id, Problem.person, Problem.department, Problem.deadline,
                        Problem.description)
         .where(Problem.open_expr() & Problem.deadline.is_null(False) & (Problem.deadline <= horizon)
                & (Problem.deadline >= today - dt.timedelta(days=30))))
    rows = list(q)
    heads = heads_of({p.department_id for p in rows})
    # one query for the keys already sent, instead of one per notice
    sent = {(n.user_id, n.dedupe_key) for n in Notice.select(Notice.user, Notice.dedupe_key).where(
        Notice.dedupe_key.startswith("deadline:") | Notice.dedupe_key.startswith("overdue:"))}
    made = 0
    with db.atomic():
        made = _deadline_notices(rows, heads, sent, today)
    return made


def _deadline_notices(rows, heads, sent, today) -> int:
    made = 0
    for p in rows:
        desc = p.description.strip().replace("\n", " ")
        desc = desc[:30] + ("…" if len(desc) > 30 else "")
        left = (p.deadline - today).days
        if left >= 0:
            kind_key = "deadline"
            when = "今天到期" if left == 0 else f"还剩 {left} 天"
            text = f"整改时限临近（{when}）：{quoted(desc)}须于 {p.deadline:%Y年%m月%d日} 前整改到位。"
        else:
            kind_key = "overdue"
            text = f"整改已逾期 {-left} 天：{quoted(desc)}的整改时限为 {p.deadline:%Y年%m月%d日}。"
        key = f"{kind_key}:{p.id}:{p.deadline.isoformat()}"
        people = {u.id for u in heads.get(p.department_id, [])}
        if p.person_id:
            people.add(p.person_id)
        url = None
        for uid in sorted(people):
            if (uid, key) in sent:
                continue
            url = url or problem_url(p.id)
            made += _made(notify(uid, kind_key, text, url, key=key))
    return made


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
    made = 0
    for period in periods:
        done = _reported(period)
        late = period.due_date < today
        for d in depts:
            if d.id in done:
                continue
            text = (f"{d.name}尚未报送《{period.name}单位自查自纠情况》，"
                    + (f"已超过报送时限（{period.due_date:%m月%d日}）。" if late
                       else f"请于 {period.due_date:%Y年%m月%d日} 前报送。"))
            for u in heads.get(d.id, []):
                made += _made(notify(u.id, "report_due", text, path_for("selfcheck.report"),
                                     key=f"report_due:{period.code}:{d.id}:{'late' if late else 'soon'}"))
    return made


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
