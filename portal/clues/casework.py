"""Casework on a clue: its subject, forwarding, notes, messages to the reporter and related clues."""

from functools import reduce
import operator


from .. import audit, clock, crypto
from ..extensions import db
from ..models import User
from ..models.tip import Clue, ClueEvent, Tip
from ..tips import retention
from .access import Invalid, can_manage, is_handler, reserved_reason, scope_clues
from .writes import _check_version, _event, _locked_update, _refuse


def set_subject(clue, actor, expected_version, user_id) -> Clue:
    """The office matches the person a clue is about with an account; escalation is re-evaluated."""
    if not can_manage(actor, clue):
        _refuse(clue, actor, clue.status, "只有机关党委（纪委）可以认定被反映人")
    _check_version(clue, expected_version)
    person = User.get_or_none(User.id == user_id)
    if person is None:
        raise Invalid("请选择被反映人")
    reason = reserved_reason(person)
    with db.atomic():
        new = _locked_update(clue, int(expected_version), subject_user=person,
                             subject_department=person.department_id, escalated=bool(reason) or clue.escalated,
                             escalation_reason=reason or clue.escalation_reason)
        _event(new, actor, "subject", note=f"认定被反映人：{person.real_name}（{person.department.name}）")
        audit.record("clue_subject", "clue", clue.id, actor=actor, detail={"subject": person.id})
        if reason and not clue.escalated:
            _event(new, actor, "escalate", note=reason)
            audit.record("clue_escalated", "clue", clue.id, actor=actor, detail={"reason": reason})
    return new


def forward(clue, actor, note: str) -> Clue:
    """Record that an escalated clue went to the higher body (市纪委监委派驻纪检组)."""
    if not clue.escalated or not can_manage(actor, clue):
        _refuse(clue, actor, clue.status, "只有报上级的线索可以登记移送")
    if clue.forwarded_at:
        raise Invalid("该线索已登记移送")
    if not note.strip():
        raise Invalid("请填写移送情况（移送机关、时间、方式）")
    with db.atomic():
        new = _locked_update(clue, clue.version, forwarded_at=clock.now(), forwarded_note=note.strip())
        _event(new, actor, "forward", note=note.strip())
        audit.record("clue_forward", "clue", clue.id, actor=actor)
        retention.schedule(clue.tip_id, clock.today())  # handed over: kept here for the retention period
    return new


def add_note(clue, actor, note: str) -> ClueEvent:
    """A handler's or the office's progress note (核查情况)."""
    if not (is_handler(actor, clue) or can_manage(actor, clue)) or clue.subject_user_id == actor.id:
        _refuse(clue, actor, clue.status, "只有承办人或纪检部门可以记录办理情况")
    if not note.strip():
        raise Invalid("请填写办理情况")
    ev = _event(clue, actor, "note", note=note.strip())
    audit.record("clue_note", "clue", clue.id, actor=actor)
    return ev


def message_reporter(clue, actor, text: str, files=()):
    """A reply the reporter reads on /tips/track; files: [(name, kind, bytes)] from uploads.check_files,
    sealed with the tip key like the reporter's own."""
    from ..tips import service as tips
    if not can_manage(actor, clue):
        _refuse(clue, actor, clue.status, "只有机关党委（纪委）可以答复举报人")
    if not text.strip():
        raise Invalid("请填写答复内容")
    if len(text) > 2000:
        raise Invalid("答复内容不超过 2000 字")
    with db.atomic():
        msg = tips.add_office_message(clue.tip, text, actor, files)
        _event(clue, actor, "message", note="向举报人发送答复" + (f"（附件 {len(files)} 个）" if files else ""))
        audit.record("clue_message", "clue", clue.id, actor=actor, detail={"files": len(files)} if files else "")
    return msg


def reporter_identity(clue, actor) -> dict | None:
    """The reporter's identity for the holder of an approved identity request (identity.py), audited."""
    from .identity import reveal
    return reveal(clue, actor)[0]


def finding(clue) -> str:
    return crypto.unseal(clue.sealed_finding, clue.aad("sealed_finding")) if clue.sealed_finding else ""


def reply(clue) -> str:
    from ..tips import service as tips
    return tips.reply_text(clue)


def related(clue, user) -> list[Clue]:
    """Other clues about the same person (same account, or the same name)."""
    conds = []
    if clue.subject_user_id:
        conds.append(Clue.subject_user == clue.subject_user_id)
    if clue.tip.subject_key:
        conds.append(Tip.subject_key == clue.tip.subject_key)
    if not conds:
        return []
    return list(Clue.select(Clue, Tip).join(Tip)
                .where(reduce(operator.or_, conds) & (Clue.id != clue.id) & scope_clues(user))
                .order_by(Clue.id.desc()).limit(20))
