"""The clue status machine: transitions, assignment with working-day deadlines, conflict rules,
reassignment and the conclusion.
"""

from flask import current_app, url_for

from .. import audit, clock, crypto, workdays
from ..extensions import db
from ..models import Department, RoleAssignment, User
from ..models.tip import CLUE_STATUSES, CLUE_TRANSITIONS, CONCLUSIONS, DISPOSALS, SUBSTANTIATED, Clue
from ..notify import notify
from ..permissions import can
from ..tips import retention
from .access import Invalid, can_manage, is_handler
from .dual import ensure_dual_problems
from .writes import _check_version, _event, _locked_update, _refuse


def transition(clue: Clue, to: str, actor: User, expected_version=None, note: str = "", **data) -> Clue:
    """Move a clue one step. Refused jumps raise IllegalTransition (409) and are audited."""
    if to not in CLUE_STATUSES:
        _refuse(clue, actor, to, "未知的线索状态")
    if (clue.status, to) not in CLUE_TRANSITIONS:
        _refuse(clue, actor, to, f"不能从“{CLUE_STATUSES[clue.status]}”直接变为“{CLUE_STATUSES[to]}”")
    if clue.escalated:
        _refuse(clue, actor, to, "该线索反映对象须报上级机关处置，本单位不得办理")
    if clue.subject_user_id == actor.id:
        _refuse(clue, actor, to, "回避：不得办理反映本人的线索")
    if to == "verifying":
        if not can(actor, "clues.verify", clue):
            _refuse(clue, actor, to, "只有承办人或纪检部门可以开始核查")
    elif not can(actor, "clues.manage", clue):
        _refuse(clue, actor, to, "只有机关党委（纪委）可以执行此操作")
    _check_version(clue, expected_version)
    now = clock.now()
    changes: dict = {"status": to}
    extra_note = ""
    with db.atomic():
        if to == "accepted":
            changes["accepted_at"] = now
        elif to == "assigned":
            changes.update(_assignment(clue, actor, data))
            changes["assigned_at"] = now
            extra_note = f"处置方式：{DISPOSALS[changes['disposal']]}；办理时限：{changes['handle_due'].isoformat()}"
        elif to == "concluded":
            changes.update(_conclusion(clue, actor, data))
            changes["concluded_at"] = now
            extra_note = f"结论：{CONCLUSIONS[changes['conclusion']]}"
        new = _locked_update(clue, clue.version if expected_version is None else int(expected_version),
                             **changes)
        _event(new, actor, "status", note="；".join(x for x in (note.strip(), extra_note) if x),
               from_status=clue.status, to_status=to)
        audit.record("clue_status", "clue", clue.id, actor=actor, detail={"from": clue.status, "to": to})
        if to == "assigned":
            _notify_handlers(new)
        if to == "concluded":  # the tip's content is kept for TIPS_RETENTION_DAYS from today
            retention.schedule(new.tip_id, now.date())
        if to == "accepted" and new.tip.lookup:  # tell the reporter (named reporters: within 15 working days)
            from ..tips import service as tips
            tips.add_office_message(new.tip, f"您反映的问题已于{now.year}年{now.month}月{now.day}日受理，"
                                             f"我们将依规依纪办理，请凭查询码关注办理进展。", actor)
    return new


def _assignment(clue, actor, data) -> dict:
    disposal = data.get("disposal") or ""
    if disposal not in DISPOSALS:
        raise Invalid("请选择处置方式")
    handler = User.get_or_none(User.id == data.get("handler_id")) if data.get("handler_id") else None
    dept = (Department.get_or_none(Department.id == data.get("handler_department_id"))
            if data.get("handler_department_id") else None)
    if handler is None and dept is None:
        raise Invalid("请选择承办人或承办部门")
    _conflicts(clue, actor, handler, dept)
    days = int(data.get("workdays") or current_app.config.get("CLUE_HANDLE_WORKDAYS", 30))
    if not 1 <= days <= 180:
        raise Invalid("办理时限须为 1 至 180 个工作日")
    return {"disposal": disposal, "handler": handler, "handler_department": dept,
            "handle_due": workdays.add_workdays(clock.today(), days)}


def _conflicts(clue, actor, handler, dept):
    if handler is not None and clue.subject_user_id == handler.id:
        _refuse(clue, actor, "assigned", "回避：不得将线索交由被反映人本人办理")
    if handler is not None and handler.id == actor.id and clue.subject_user_id == actor.id:
        _refuse(clue, actor, "assigned", "回避：不得办理反映本人的线索")
    if dept is not None and clue.subject_user_id:
        subj = clue.subject_user
        if subj.department_id == dept.id and "dept_head" in subj.roles:
            _refuse(clue, actor, "assigned", "回避：被反映人是该部门负责人，不得交由该部门办理")


def _notify_handlers(clue):
    text = f"线索 {clue.number} 已交办给您，请在 {clue.handle_due.isoformat()} 前办结。"
    try:
        url = url_for("clues.detail", clue_id=clue.id)
    except RuntimeError:  # outside a request (seed-demo, CLI)
        url = f"/clues/{clue.id}"
    targets = []
    if clue.handler_id:
        targets.append(clue.handler_id)
    if clue.handler_department_id:
        heads = (User.select(User.id).join(RoleAssignment)
                 .where((User.department == clue.handler_department_id) & (RoleAssignment.role == "dept_head")))
        targets.extend(u.id for u in heads)
    for uid in dict.fromkeys(targets):
        if uid != clue.subject_user_id:
            notify(uid, "clue_assigned", text, url, key=f"clue:{clue.id}:{clue.version}:assigned")


def reassign(clue: Clue, actor: User, expected_version, note="", **data) -> Clue:
    if not can_manage(actor, clue) or clue.escalated:
        _refuse(clue, actor, clue.status, "只有机关党委（纪委）可以改派")
    if clue.status not in ("assigned", "verifying"):
        _refuse(clue, actor, clue.status, "只有已交办或核查中的线索可以改派")
    _check_version(clue, expected_version)
    data.setdefault("disposal", clue.disposal)
    with db.atomic():
        changes = _assignment(clue, actor, data)
        new = _locked_update(clue, int(expected_version), **changes)
        _event(new, actor, "reassign", note=note.strip() or "改派")
        audit.record("clue_reassign", "clue", clue.id, actor=actor,
                     detail={"handler": new.handler_id, "department": new.handler_department_id})
        _notify_handlers(new)
    return new


def _conclusion(clue, actor, data) -> dict:
    conclusion = data.get("conclusion") or ""
    if conclusion not in CONCLUSIONS:
        raise Invalid("请选择核查结论")
    finding = (data.get("finding") or "").strip()
    if not finding:
        raise Invalid("请填写核查认定情况")
    reply = (data.get("reply") or "").strip()
    if conclusion in SUBSTANTIATED:
        ensure_dual_problems(clue, actor, data)
    return {"conclusion": conclusion,
            "sealed_finding": crypto.seal(finding, clue.aad("sealed_finding")),
            "sealed_reply": crypto.seal(reply, clue.aad("sealed_reply")) if reply else ""}
