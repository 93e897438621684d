"""Escalation of overdue problems by rule (campaign setting `escalation_days` = N): N working days overdue
→ the department's 分管领导 are notified (level 1); 2N → the 局长 (level 2). Run by the scheduled job
`supervision_escalate`; idempotent (one Escalation row per problem, level and deadline; notice keys)."""
from peewee import IntegrityError, fn

from .. import audit, campaign_settings, clock, workdays
from ..extensions import db
from ..models import Problem
from ..models.supervision import ESCALATION_LEVELS, Escalation
from ..notify import notify
from ..quoting import quoted
from . import people
from .service import _short, problem_url


def level_for(workdays_overdue: int, n: int) -> int:
    if workdays_overdue >= 2 * n:
        return 2
    if workdays_overdue >= n:
        return 1
    return 0


def run(today=None) -> int:
    """Escalate every open overdue problem that has reached a level; returns the escalations made."""
    today = today or clock.today()
    n = int(campaign_settings.get("escalation_days"))
    made = 0
    late = {}  # deadline -> working days overdue (computed once per deadline)
    chiefs = people.chiefs()
    for p in Problem.select().where(Problem.overdue_expr(today)).order_by(Problem.id):
        if p.deadline not in late:
            late[p.deadline] = workdays.workdays_between(p.deadline, today)
        wd = late[p.deadline]
        for level in range(1, level_for(wd, n) + 1):
            made += _escalate(p, level, wd, chiefs)
    return made


def _escalate(p, level, wd, chiefs) -> int:
    if Escalation.select().where((Escalation.problem == p.id) & (Escalation.level == level)
                                 & (Escalation.deadline == p.deadline)).exists():
        return 0
    targets = people.leaders_of(p.department_id) if level == 1 else chiefs
    who = p.person.real_name + "（" + p.department.name + "）" if p.person_id else p.department.name
    text = (f"逾期升级督办（{ESCALATION_LEVELS[level]}）：{who}的问题{quoted(_short(p.description))}"
            f"已逾期 {wd} 个工作日（整改时限 {p.deadline}），请督促整改。")
    try:
        with db.atomic():
            e = Escalation.create(problem=p.id, level=level, deadline=p.deadline, workdays_overdue=wd,
                                  notified=people.names(targets), at=clock.now())
            for t in targets:
                notify(t, "escalation", text, problem_url(p.id),
                       key=f"escalate:{level}:{p.id}:{p.deadline.isoformat()}")
            audit.record("problem_escalate", "problem", p.id, actor=None,
                         detail={"level": level, "to": people.names(targets)})
    except IntegrityError:
        return 0  # a concurrent run made it
    return 1 if e else 0


def levels(problem_ids) -> dict:
    """{problem id: current escalation level} for open problems (escalations of an older deadline
    no longer count)."""
    if not problem_ids:
        return {}
    q = (Escalation.select(Escalation.problem, fn.MAX(Escalation.level))
         .join(Problem, on=(Escalation.problem == Problem.id))
         .where(Escalation.problem.in_(list(problem_ids)) & (Escalation.deadline == Problem.deadline)
                & Problem.open_expr())
         .group_by(Escalation.problem).tuples())
    return {pid: lvl for pid, lvl in q}
