"""The scheduled 督办 jobs: escalation of overdue problems (daily), the 分管领导's weekly digest and the
weekly red-amber-green snapshot. All idempotent (notice keys, unique rows)."""
import datetime as dt

from huey import crontab
from peewee import IntegrityError

from .. import clock
from ..extensions import db
from ..jobs.tasks import periodic
from ..models import Department, LeaderCharge, User
from ..models.supervision import RagSnapshot
from ..notify import notify
from . import escalation, rag


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@periodic("supervision_escalate", crontab(minute="10", hour="0,1"), "逾期问题升级督办（每日）")
def run_escalation(run):
    return {"escalated": escalation.run()}


@periodic("supervision_weekly", crontab(minute="30", hour="0", day_of_week="1"), "督办周报与红黄绿快照（每周一）")
def run_weekly(run):
    return {"snapshot": snapshot(), "digest": digest()}


@periodic("supervision_mail", crontab(minute="*/5"), "督办通知邮件（每5分钟）")
def run_mail(run):
    """Mail the notices not yet mailed (催办, 升级, 批示) where mail is configured (portal/mail.py)."""
    from .. import mail
    return {"mailed": mail.deliver_pending()}


def snapshot(today=None) -> int:
    """The week's red-amber-green rows (one per department, person and 分管领导; a rerun updates them)."""
    today = today or clock.today()
    week = monday(today)
    n = 0
    with db.atomic():
        for scope, rows in (("department", rag.by_department(None, today)), ("person", rag.by_person(None, today)),
                            ("leader", rag.by_leader(None, today))):
            for r in rows:
                values = {k: r[k] for k in ("open", "overdue", "due_soon", "returned")}
                try:
                    with db.atomic():
                        RagSnapshot.create(week=week, scope=scope, ref=r["id"], colour=r["colour"], **values)
                except IntegrityError:
                    (RagSnapshot.update(colour=r["colour"], **values)
                     .where((RagSnapshot.week == week) & (RagSnapshot.scope == scope) & (RagSnapshot.ref == r["id"]))
                     .execute())
                n += 1
    return n


def trend(scope: str, ref: int, weeks: int = 12) -> list:
    return list(RagSnapshot.select().where((RagSnapshot.scope == scope) & (RagSnapshot.ref == ref))
                .order_by(RagSnapshot.week.desc()).limit(weeks))[::-1]


def digest(today=None) -> int:
    """One notice a week to each 分管领导: per department in charge, open / overdue / unsubmitted self-checks."""
    from .panels import department_rows
    today = today or clock.today()
    week = monday(today)
    made = 0
    leader_ids = {c.leader_id for c in LeaderCharge.select(LeaderCharge.leader)}
    for leader in User.select().where(User.id.in_(list(leader_ids) or [0]) & (User.is_active_flag == True)):  # noqa: E712
        rows = department_rows(leader, today)
        if not rows:
            continue
        parts = [f"{r['name']}：未整改 {r['open']}、逾期 {r['overdue']}、自查未提交 {r['unsubmitted']}" for r in rows]
        text = f"分管部门周报（{week:%m月%d日}起）：" + "；".join(parts) + "。"
        if notify(leader, "digest", text, "/", key=f"digest:{leader.id}:{week.isoformat()}"):
            made += 1
    return made
