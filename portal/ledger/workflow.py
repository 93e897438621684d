"""The responsible person works their own item: 整改进展 notes, 已整改 (the request for 销号), the
head's confirmation or return, the discipline office's 验收. Where a 已整改 item waits is
Problem.review_stage (models/problem.py REVIEW_STAGES); every step is audited and notifies the next
person. Items with no named person stay with their department head, who reports straight to the office."""
from flask import url_for

from .. import audit, problems
from ..extensions import db
from ..models import Problem, RoleAssignment, User
from ..notify import notify
from ..permissions import can


def heads_of(department_id) -> list[int]:
    """Active heads of a department."""
    return [u.id for u in User.select(User.id).join(RoleAssignment, on=(RoleAssignment.user == User.id))
            .where((RoleAssignment.role == "dept_head") & (User.department == department_id)
                   & (User.is_active_flag == True))]  # noqa: E712


def office_users() -> list[int]:
    return [u.id for u in User.select(User.id).join(RoleAssignment, on=(RoleAssignment.user == User.id))
            .where((RoleAssignment.role == "discipline") & (User.is_active_flag == True))]  # noqa: E712


def next_stage(p: Problem, actor) -> str:
    """Who reviews a 已整改 report first: the head when the named person (not a head of the department
    nor the office) reports it and the department has another head; otherwise the office."""
    if p.person_id == actor.id and not can(actor, "problem.confirm", p) and "discipline" not in actor.roles:
        if [h for h in heads_of(p.department_id) if h != actor.id]:
            return "head"
    return "office"


def _send(uids, actor, kind, text, p, step):
    url = url_for("ledger.detail", problem_id=p.id)
    for uid in dict.fromkeys(uids):
        if uid and uid != getattr(actor, "id", None):
            notify(uid, kind, text, url, key=f"ledger-review:{p.id}:{p.version}:{step}:{uid}")


def after_status(old: Problem, new: Problem, actor, note: str):
    """Audit the review step a status change made and tell the next person (after the commit)."""
    step = None
    if new.status == "rectified":
        step = "request"
        if new.review_stage == "head":
            _send(heads_of(new.department_id), actor, "rectify",
                  f"整改事项 #{new.id} 报告已整改，请确认：{new.description[:30]}", new, step)
        else:
            _send(office_users(), actor, "rectify",
                  f"整改事项 #{new.id} 报告已整改，待验收销号：{new.description[:30]}", new, step)
    elif old.status == "rectified" and new.status == "in_progress":
        step = "return"
        by_office = "discipline" in actor.roles and old.review_stage != "head"
        _send([new.person_id] + (heads_of(new.department_id) if by_office else []), actor, "returned",
              f"整改事项 #{new.id} 被退回重新整改：{note[:40]}", new, step)
    elif new.status == "closed":
        step = "accept"
        _send([new.person_id] + heads_of(new.department_id), actor, "rectify",
              f"整改事项 #{new.id} 已验收销号", new, step)
    if step:
        audit.record("problem_review", "problem", new.id, actor=actor,
                     detail={"step": step, "stage": new.review_stage or old.review_stage})


def confirm(p: Problem, actor, version: int, note: str) -> Problem:
    """The head passes the person's 已整改 report on to the office."""
    with db.atomic():
        new = problems.set_stage(p.id, "office", actor, version, note=("科室负责人确认：" + note).rstrip("："))
        audit.record("problem_review", "problem", p.id, actor=actor, detail={"step": "confirm", "stage": "office"})
    _send(office_users(), actor, "rectify", f"整改事项 #{p.id} 经科室负责人确认已整改，待验收销号", new, "confirm")
    return new


def add_progress(p: Problem, actor, version: int, note: str) -> Problem:
    """A dated 整改进展 note (kept as history). The first note on a 待整改 item starts the work."""
    with db.atomic():
        if p.status == "pending":
            p = problems.transition(p.id, "in_progress", actor, version, note="开始整改")
        ev = problems.add_event(p, actor, "progress", note=note)
        audit.record("problem_progress", "problem", p.id, actor=actor, detail={"event": ev.id})
    return Problem.get_by_id(p.id)
