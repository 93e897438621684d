"""Ledger operations on Problems. Status, field and deadline changes go through portal.problems (status
machine, version check, history, audit); this module adds the ledger's own records and role checks."""
import datetime as dt

from flask import url_for

from .. import audit, clock, problems, uploads
from ..errors import Invalid, PortalError, Refused, VersionConflict
from ..db import retrying  # a deadlock victim row is tried again, with jitter
from ..extensions import db
from ..models import OPEN, STATUSES, Problem, User
from ..models.ledger import (ACTION_KINDS, DeadlineExtension, Mechanism, MechanismProblem,
                             ProblemAction, ProblemEvidence)
from ..notify import notify
from ..permissions import can, found_or_404
from . import workflow
from .queries import scoped_problems



# The ledger answers its refusals and its row editors' input errors with 409, as it always has.
REFUSED = 409


def get_problem_for(user, problem_id: int) -> Problem:
    """A Problem within the user's scope, or 404 (attempts on existing ones are audited)."""
    return found_or_404(scoped_problems(user).where(Problem.id == problem_id).first(), Problem, problem_id,
                        "problem")


def _refuse(p, actor, reason, **detail):
    """Refuse (shown in the row) and audit in its own transaction: an enclosing rollback keeps it."""
    audit.record_apart("problem_refused", "problem", p.id, outcome="refused", actor=actor,
                       detail={"reason": reason, **detail})
    raise Refused(reason, status=REFUSED)


refuse = _refuse


def required_permission(p: Problem, to: str) -> str:
    if to == "closed" or (p.status == "rectified" and to == "in_progress"):
        return "problem.verify"
    return "problem.rectify"


def _allowed(p: Problem, to: str, actor) -> bool:
    """The head returns a report waiting for their confirmation; the office returns or accepts the rest."""
    if p.status == "rectified" and to == "in_progress" and p.review_stage == "head":
        return can(actor, "problem.confirm", p) or can(actor, "problem.verify", p)
    return can(actor, required_permission(p, to), p)


def change_status(p: Problem, to: str, actor, version: int, note: str, files=()) -> Problem:
    """Move a Problem; 已整改 needs a progress note and evidence, 退回 needs a reason."""
    if to not in STATUSES:
        _refuse(p, actor, "未知的整改状态", to=to)
    if not _allowed(p, to, actor):
        who = "领导小组办公室（机关纪委）" if required_permission(p, to) == "problem.verify" else "责任人或责任科室负责人"
        _refuse(p, actor, f"该操作应由{who}办理，您无权执行。", to=to)
    if to == "closed" and p.review_stage == "head":
        _refuse(p, actor, "该事项尚待科室负责人确认，确认后方可验收销号。", to=to)
    returning = p.status == "rectified" and to == "in_progress"
    if to == "rectified" and len(note) < 4:
        raise Invalid("请填写整改进展说明（至少 4 个字）。", status=REFUSED)
    if returning and len(note) < 4:
        raise Invalid("退回时请写明理由（至少 4 个字）。", status=REFUSED)
    checked = uploads.check_files(files) if files else []
    if to == "rectified" and not checked and p.status == "in_progress" and not (
            ProblemEvidence.select().where((ProblemEvidence.problem == p.id)
                                           & (ProblemEvidence.purpose == "evidence")).exists()):
        raise Invalid("报告已整改须附整改佐证材料（照片、文件等）。", status=REFUSED)
    stage = workflow.next_stage(p, actor) if to == "rectified" else ("returned" if returning else None)
    with db.atomic():
        new = problems.transition(p.id, to, actor, version, note=("退回：" + note) if returning else note,
                                  stage=stage)
        _store_evidence(new, checked, actor)
    workflow.after_status(p, new, actor, note)
    return new


def _store_evidence(p, checked, actor, purpose="evidence"):
    for name, kind, data in checked:
        key = uploads.store("ledger", data, kind)
        ev = ProblemEvidence.create(problem=p, filename=name, kind=kind, key=key, size=len(data),
                                    uploaded_by=actor, purpose=purpose)
        problems.add_event(p, actor, "evidence" if purpose == "evidence" else "attachment", note=name,
                           evidence_id=ev.id)
        audit.record("problem_evidence", "problem", p.id, actor=actor,
                     detail={"file": name, "kind": kind, "purpose": purpose})


def add_evidence(p, actor, files):
    if not can(actor, "problem.rectify", p):
        _refuse(p, actor, "只有责任人、责任科室负责人或领导小组办公室可以上传整改佐证。")
    checked = uploads.check_files(files)
    if not checked:
        raise Invalid("请选择要上传的文件。", status=REFUSED)
    with db.atomic():
        _store_evidence(p, checked, actor)


def edit(p, actor, version, values) -> Problem:
    if not can(actor, "problem.edit", p):
        _refuse(p, actor, "您无权修改该条目。")
    if p.status == "closed":
        _refuse(p, actor, "已销号的条目不能再修改。")
    return problems.update(p.id, actor, version, **values)


def record_action(p, actor, kind, date, note) -> ProblemAction:
    if not can(actor, "problem.act", p):
        _refuse(p, actor, "通报、提醒、约谈由领导小组办公室（机关纪委）记录。", kind=kind)
    with db.atomic():
        a = ProblemAction.create(problem=p, kind=kind, date=date, by=actor, note=note)
        problems.add_event(p, actor, "action", note=f"{ACTION_KINDS[kind]}：{note}".rstrip("："),
                           action_id=a.id, action_kind=kind, date=date.isoformat())
        audit.record("problem_action", "problem", p.id, actor=actor, detail={"kind": kind})
    if p.person_id:
        notify(p.person_id, "info", f"整改事项 #{p.id} 已被记录{ACTION_KINDS[kind]}",
               url_for("ledger.detail", problem_id=p.id), key=f"ledger-action:{a.id}")
    return a


def request_extension(p, actor, new_deadline, reason) -> DeadlineExtension:
    if not can(actor, "problem.extend", p):
        _refuse(p, actor, "延期申请由责任人或责任科室负责人提出。")
    if p.status not in OPEN:
        _refuse(p, actor, f"“{p.status_label}”的条目无需延期。")
    if DeadlineExtension.select().where((DeadlineExtension.problem == p.id)
                                        & (DeadlineExtension.status == "pending")).exists():
        _refuse(p, actor, "已有一份延期申请在审批中。")
    with db.atomic():
        e = DeadlineExtension.create(problem=p, requested_by=actor, old_deadline=p.deadline,
                                     new_deadline=new_deadline, reason=reason, created_at=clock.now())
        problems.add_event(p, actor, "extension", note=f"申请延期至 {new_deadline.isoformat()}：{reason}",
                           extension_id=e.id)
        audit.record("extension_request", "problem", p.id, actor=actor,
                     detail={"to": new_deadline.isoformat()})
    for uid in workflow.office_users():
        notify(uid, "info", f"整改事项 #{p.id} 申请延期至 {new_deadline.isoformat()}，待审批",
               url_for("ledger.detail", problem_id=p.id), key=f"ledger-ext-request:{e.id}:{uid}")
    return e


def decide_extension(p, actor, version, approve: bool, note: str) -> Problem:
    if not can(actor, "problem.extend_decide", p):
        _refuse(p, actor, "延期申请由领导小组办公室（机关纪委）审批。")
    e = (DeadlineExtension.select().where((DeadlineExtension.problem == p.id)
                                          & (DeadlineExtension.status == "pending")).first())
    if e is None:
        _refuse(p, actor, "没有待审批的延期申请。")
    if not approve and len(note) < 2:
        raise Invalid("不予批准时请写明理由。", status=REFUSED)
    with db.atomic():
        if approve:
            p = problems.update(p.id, actor, version, kind="deadline",
                                note=f"批准延期：{note}".rstrip("："), deadline=e.new_deadline)
        else:
            if p.version != version:
                raise VersionConflict(Problem.get_by_id(p.id))
            problems.add_event(p, actor, "extension", note=f"延期申请未获批准：{note}", extension_id=e.id)
        (DeadlineExtension.update(status="approved" if approve else "rejected", decided_by=actor,
                                  decided_at=clock.now(), decision_note=note)
         .where(DeadlineExtension.id == e.id).execute())
        audit.record("extension_decide", "problem", p.id, actor=actor,
                     detail={"approved": approve, "to": e.new_deadline.isoformat()})
    if e.requested_by_id:
        notify(e.requested_by_id, "info",
               f"整改事项 #{p.id} 的延期申请{'已批准' if approve else '未获批准'}",
               url_for("ledger.detail", problem_id=p.id), key=f"ledger-ext:{e.id}")
    return Problem.get_by_id(p.id)


# -- bulk actions -----------------------------------------------------------------------------------

BULK_OPS = {"deadline": "设置整改时限", "remind": "记录提醒", "assign": "交由负责人办理",
            "mechanism": "纳入长效机制"}


def bulk(user, op, ids, form) -> tuple[int, list[str]]:
    """Apply one operation to the selected Problems within the user's scope.
    Returns (done, [reason per refused row])."""
    ids = sorted({i for i in ids if 0 < i < 2**31})[:500]
    visible = {p.id: p for p in scoped_problems(user).where(Problem.id.in_(ids or [0]))}
    outside = [i for i in ids if i not in visible]
    for i in outside:
        if Problem.select().where(Problem.id == i).exists():
            audit.record("access_denied", "problem", i, outcome="denied", detail={"bulk": op})
    failed = [f"#{i}：不在您的查看范围内" for i in outside]
    done = 0
    target = None
    if op == "deadline":
        target = form.get("deadline_value")
        try:
            target = dt.date.fromisoformat(target or "")
        except ValueError:
            return 0, ["请填写有效的整改时限日期。"]
        if target < clock.today():
            return 0, ["整改时限不能早于今天。"]
    elif op == "assign":
        try:
            head = User.get_by_id(int(form.get("assignee", "")))
        except (ValueError, User.DoesNotExist):
            return 0, ["请选择要交办的负责人。"]
        from .choices import heads_choices
        if head.id not in {h[0] for h in heads_choices(user)}:
            return 0, ["所选人员不是您范围内的科室负责人。"]
    elif op == "mechanism":
        try:
            mech = Mechanism.get_by_id(int(form.get("mechanism_id", "")))
        except (ValueError, Mechanism.DoesNotExist):
            return 0, ["请选择长效机制。"]
    note = (form.get("bulk_note") or "").strip()[:500]
    for pid in ids:
        p = visible.get(pid)
        if p is None:
            continue
        try:
            if op == "deadline":
                if not can(user, "problem.act", p):
                    _refuse(p, user, "整改时限由领导小组办公室设定；责任科室请申请延期")
                if p.status not in OPEN:
                    _refuse(p, user, f"状态为“{p.status_label}”，无需设定时限")
                retrying(lambda: problems.update(p.id, user, p.version, kind="deadline",
                                                 note=note or "批量设定整改时限", deadline=target))
            elif op == "remind":
                if p.status == "closed":
                    _refuse(p, user, "已销号，无需提醒")
                retrying(lambda: record_action(p, user, "reminder", clock.today(), note))
            elif op == "assign":
                if not can(user, "problem.assign", p):
                    _refuse(p, user, "无权交办")
                if p.status == "closed":
                    _refuse(p, user, "已销号，不再交办")
                retrying(lambda: problems.update(p.id, user, p.version, note=note or f"交由{head.real_name}办理",
                                                 person=head.id, department=head.department_id))
                notify(head, "info", f"整改事项 #{p.id} 已交由您办理",
                       url_for("ledger.detail", problem_id=p.id), key=f"ledger-assign:{p.id}:{head.id}")
            elif op == "mechanism":
                if not can(user, "ledger.mechanism", p):
                    _refuse(p, user, "无权调整长效机制")
                retrying(lambda: link_problem(mech, p, user))
            else:
                return 0, ["未知的批量操作。"]
            done += 1
        except PortalError as e:
            failed.append(f"#{pid}：{e.message}")
    audit.record("ledger_bulk", "problem", "", actor=user,
                 detail={"op": op, "done": done, "failed": len(failed), "ids": ids[:50]})
    return done, failed


def link_problem(mech, p, actor):
    with db.atomic():
        _, created = MechanismProblem.get_or_create(mechanism=mech, problem=p)
        if created:
            problems.add_event(p, actor, "link", note=f"纳入长效机制：{mech.title}", mechanism_id=mech.id)
            audit.record("mechanism_link", "problem", p.id, actor=actor, detail={"mechanism": mech.id})

