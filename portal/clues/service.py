"""The clue ledger: numbering, the status machine, assignment with working-day deadlines, conflict and
escalation rules, messages to the reporter, and 一案双查 on a substantiated conclusion."""
import datetime as dt
from functools import reduce
import operator

from flask import abort, current_app, url_for
from peewee import IntegrityError, Value, fn

from .. import audit, clock, crypto, problems, workdays
from ..extensions import db
from ..models import Department, Item, LeaderCharge, Problem, RoleAssignment, User
from ..models.tip import (CLUE_STATUSES, CLUE_TRANSITIONS, CONCLUSIONS, DISPOSALS, SUBSTANTIATED, Clue,
                          ClueEvent, ClueProblem, Tip)
from ..notify import notify


class ClueError(Exception):
    """A refused operation; `message` is shown (Chinese)."""
    status_code = 409

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class IllegalTransition(ClueError):
    pass


class VersionConflict(ClueError):
    def __init__(self):
        super().__init__("该线索已被他人更新，页面已刷新，请核对后重新操作。")


class Invalid(ClueError):
    status_code = 422


# ------------------------------------------------------------------ who is who

def discipline_department_ids() -> set[int]:
    """Departments where the discipline office's people sit (机关党委（纪委）)."""
    rows = (User.select(User.department).join(RoleAssignment)
            .where(RoleAssignment.role == "discipline").distinct())
    return {u.department_id for u in rows}


def reserved_reason(user: User | None) -> str:
    """Why a clue about `user` goes to the higher body, or "" when it is handled locally:
    the bureau's chief, and the discipline office's head (its dept_head, or its 书记)."""
    if user is None:
        return ""
    if "chief" in user.roles:
        return "反映局党组书记、局长"
    if user.department_id in discipline_department_ids() and (
            "dept_head" in user.roles or "书记" in (user.title or "")):
        return "反映机关党委（纪委）负责人"
    return ""


def is_handler(user, clue: Clue) -> bool:
    if clue.handler_id == user.id:
        return True
    return bool(clue.handler_department_id and "dept_head" in user.roles
                and user.department_id == clue.handler_department_id)


def scope_clues(user):
    """Where-expression for the clues `user` may see. Escalated clues and clues about the user are
    never in it; the discipline office (and the chief, read-only) see the rest; a handler sees what
    was assigned to them or to the department they head."""
    not_me = Clue.subject_user.is_null() | (Clue.subject_user != user.id)
    base = (Clue.escalated == False) & not_me  # noqa: E712
    if user.roles & {"discipline", "chief"}:
        return base
    mine = [Clue.handler == user.id]
    if "dept_head" in user.roles:
        mine.append(Clue.handler_department == user.department_id)
    return base & reduce(operator.or_, mine)


def scope_escalated(user):
    if "discipline" not in user.roles:
        return Value(1) == Value(0)
    return (Clue.escalated == True) & (Clue.subject_user.is_null() | (Clue.subject_user != user.id))  # noqa: E712


def get_clue_for(user, clue_id: int, escalated: bool = False) -> Clue:
    scope = scope_escalated(user) if escalated else scope_clues(user)
    clue = (Clue.select(Clue, Tip).join(Tip).where((Clue.id == clue_id) & scope).first())
    if clue is None:
        if Clue.select().where(Clue.id == clue_id).exists():
            audit.record("access_denied", "clue", clue_id, outcome="denied")
        abort(404)
    return clue


def can_manage(user, clue: Clue | None = None) -> bool:
    if "discipline" not in user.roles:
        return False
    return clue is None or clue.subject_user_id != user.id


def can_view_any(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.roles & {"discipline", "chief"}:
        return True
    return Clue.select().where(scope_clues(user)).exists()


# ------------------------------------------------------------------ numbering

def allocate(year: int) -> tuple[str, int]:
    """Next number in `year`: max + 1. Called inside open_clue's savepoint; the unique (year, seq)
    index turns a concurrent duplicate into an IntegrityError and open_clue retries."""
    last = Clue.select(fn.MAX(Clue.seq)).where(Clue.year == year).scalar() or 0
    seq = last + 1
    return f"XS-{year}-{seq:04d}", seq


def _event(clue, actor, kind, note="", from_status="", to_status=""):
    return ClueEvent.create(clue=clue, actor=actor, kind=kind, note=note, from_status=from_status,
                            to_status=to_status, at=clock.now())


def open_clue(tip: Tip, subject_user=None, subject_department=None, actor=None) -> Clue:
    year = tip.received_on.year
    accept_due = workdays.add_workdays(tip.received_on, current_app.config.get("TIP_ACCEPT_WORKDAYS", 15))
    reason = reserved_reason(subject_user)
    # a tip left online keeps only its day, here too (the time could be matched with access logs)
    at = clock.now() if actor is not None else dt.datetime.combine(clock.today(), dt.time())
    for _attempt in range(50):
        try:
            with db.atomic():
                number, seq = allocate(year)
                clue = Clue.create(number=number, year=year, seq=seq, tip=tip, channel=tip.channel,
                                   item=tip.item_id, subject_user=subject_user,
                                   subject_department=subject_department or (
                                       subject_user.department_id if subject_user else None),
                                   escalated=bool(reason), escalation_reason=reason,
                                   accept_due=accept_due, created_by=actor, created_at=at)
                break
        except IntegrityError:
            continue
    else:  # pragma: no cover
        raise ClueError("线索编号分配冲突，请重试。")
    ClueEvent.create(clue=clue, actor=actor, kind="created", to_status="pending", at=at)
    if reason:
        ClueEvent.create(clue=clue, actor=None, kind="escalate", note=reason, at=at)
        audit.record("clue_escalated", "clue", clue.id, anonymous=actor is None, actor=actor,
                     detail={"reason": reason})
    return clue


# ------------------------------------------------------------------ writes

def _locked_update(clue: Clue, expected_version: int, **changes) -> Clue:
    changes["version"] = Clue.version + 1
    n = Clue.update(**changes).where((Clue.id == clue.id) & (Clue.version == expected_version)).execute()
    if n != 1:
        raise VersionConflict()
    return Clue.select(Clue, Tip).join(Tip).where(Clue.id == clue.id).get()


def _check_version(clue, expected_version):
    if expected_version is not None and int(expected_version) != clue.version:
        raise VersionConflict()


def _refuse(clue, actor, to, message):
    """Refuse (409) and audit. Inside a transaction that is about to roll back, the audit record is
    written by the caller after the rollback (_audited), so the refusal is never lost with it."""
    detail = {"from": clue.status, "to": to, "reason": message}
    e = IllegalTransition(message)
    if db.in_transaction():
        e.deferred = (clue.id, actor, detail)
    else:
        audit.record("clue_refused", "clue", clue.id, outcome="refused", actor=actor, detail=detail)
    raise e


class _audited:
    """Context manager around a transaction: writes deferred refusal audits after the rollback."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        deferred = getattr(exc, "deferred", None) if exc is not None else None
        if deferred:
            clue_id, actor, detail = deferred
            audit.record("clue_refused", "clue", clue_id, outcome="refused", actor=actor, detail=detail)
        return False


def handler_candidates():
    """People a clue may be assigned to: the discipline office and department heads."""
    return (User.select(User, Department).join(Department, on=(User.department == Department.id))
            .switch(User).join(RoleAssignment)
            .where((RoleAssignment.role.in_(("discipline", "dept_head"))) & (User.is_active_flag == True))  # noqa: E712
            .distinct().order_by(Department.sort_order, User.id))


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
        if not (is_handler(actor, clue) or "discipline" in actor.roles):
            _refuse(clue, actor, to, "只有承办人或纪检部门可以开始核查")
    elif "discipline" not in actor.roles:
        _refuse(clue, actor, to, "只有机关党委（纪委）可以执行此操作")
    _check_version(clue, expected_version)
    now = clock.now()
    changes: dict = {"status": to}
    extra_note = ""
    with _audited(), db.atomic():
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
    with _audited(), db.atomic():
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


def linked_problems(clue) -> list[ClueProblem]:
    return list(ClueProblem.select(ClueProblem, Problem).join(Problem)
                .where(ClueProblem.clue == clue).order_by(ClueProblem.id))


def _dual_complete(clue) -> bool:
    links = linked_problems(clue)
    person = [l.problem for l in links if l.role == "person"]
    leader = [l.problem for l in links if l.role == "accountability"]
    return any(p.partner_id in {q.id for q in leader} for p in person)


def leader_candidates(department_id):
    q = (User.select().join(LeaderCharge, on=(LeaderCharge.leader == User.id))
         .where(LeaderCharge.department == department_id).order_by(User.id))
    people = list(q)
    if people:
        return people
    return list(User.select().join(RoleAssignment)
                .where(RoleAssignment.role.in_(("leader", "chief"))).distinct().order_by(User.id))


def ensure_dual_problems(clue, actor, data) -> tuple[Problem, Problem]:
    """一案双查: the person's Problem and the accountability Problem of the leader in charge of the
    person's department, both source=tip, not self-reported, partners of each other, linked to the clue.
    Idempotent through Problem.origin."""
    if _dual_complete(clue) and not data.get("person_id"):
        links = linked_problems(clue)
        p = next(l.problem for l in links if l.role == "person" and l.problem.partner_id)
        return p, Problem.get_by_id(p.partner_id)
    person = User.get_or_none(User.id == data.get("person_id")) if data.get("person_id") else None
    leader = User.get_or_none(User.id == data.get("leader_id")) if data.get("leader_id") else None
    description = (data.get("description") or "").strip()
    if person is None or leader is None or not description:
        _refuse(clue, actor, "concluded",
                "认定属实或部分属实，须登记整改台账问题并落实“一案双查”：请选择被反映人、分管领导并填写问题描述")
    if leader.id == person.id:
        raise Invalid("一案双查的领导责任人不能是被反映人本人")
    item = Item.get_or_none(Item.id == (data.get("item_id") or clue.item_id))
    severity = data.get("severity") or "general"
    deadline = data.get("deadline")
    if isinstance(deadline, str) and deadline:
        deadline = dt.date.fromisoformat(deadline)
    leader_text = (data.get("leader_description") or "").strip() or (
        f"{person.department.name}{person.real_name}被反映问题经核查{CONCLUSIONS[data.get('conclusion', 'true')]}，"
        f"分管领导落实“一岗双责”、强化对分管科室监督管理不到位")
    common = {"campaign": item.campaign_id if item else None, "item": item, "source": "tip",
              "self_reported": False, "severity": severity, "deadline": deadline or None}
    p1 = Problem.get_or_none(Problem.origin == f"clue:{clue.id}:person") or problems.create(
        actor=actor, note=f"线索 {clue.number} 核查认定", person=person, department=person.department_id,
        description=description, origin=f"clue:{clue.id}:person", **common)
    p2 = Problem.get_or_none(Problem.origin == f"clue:{clue.id}:leader") or problems.create(
        actor=actor, note=f"线索 {clue.number} 一案双查", person=leader, department=leader.department_id,
        description=leader_text, origin=f"clue:{clue.id}:leader", is_accountability=True, **common)
    if p1.partner_id != p2.id:
        p1 = problems.update(p1.id, actor, p1.version, note="一案双查", kind="link", partner=p2)
    if p2.partner_id != p1.id:
        p2 = problems.update(p2.id, actor, p2.version, note="一案双查", kind="link", partner=p1)
    for p, role in ((p1, "person"), (p2, "accountability")):
        if not ClueProblem.select().where((ClueProblem.clue == clue) & (ClueProblem.problem == p)).exists():
            ClueProblem.create(clue=clue, problem=p, role=role, linked_by=actor, linked_at=clock.now())
    _event(clue, actor, "link", note=f"一案双查：登记问题 #{p1.id}（本人）、#{p2.id}（领导责任）")
    audit.record("clue_link", "clue", clue.id, actor=actor, detail={"person": p1.id, "leader": p2.id})
    return p1, p2


def link_existing(clue, actor, problem_id: int, role: str) -> ClueProblem:
    """Link a Problem already in the ledger (from a tip, not self-reported)."""
    if not can_manage(actor, clue):
        _refuse(clue, actor, clue.status, "只有机关党委（纪委）可以关联问题")
    p = Problem.get_or_none(Problem.id == problem_id)
    if p is None:
        raise Invalid("台账中没有这个问题编号")
    if p.source != "tip" or p.self_reported:
        raise Invalid("只能关联来源为“举报”且非自查的问题")
    if role not in ("person", "accountability"):
        raise Invalid("请选择关联类型")
    try:
        with db.atomic():
            link = ClueProblem.create(clue=clue, problem=p, role=role, linked_by=actor, linked_at=clock.now())
    except IntegrityError:
        raise Invalid("该问题已关联")
    _event(clue, actor, "link", note=f"关联台账问题 #{p.id}")
    audit.record("clue_link", "clue", clue.id, actor=actor, detail={"problem": p.id, "role": role})
    return link


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
    if not clue.escalated or "discipline" not in actor.roles or clue.subject_user_id == actor.id:
        _refuse(clue, actor, clue.status, "只有报上级的线索可以登记移送")
    if clue.forwarded_at:
        raise Invalid("该线索已登记移送")
    if not note.strip():
        raise Invalid("请填写移送情况（移送机关、时间、方式）")
    with db.atomic():
        new = _locked_update(clue, clue.version, forwarded_at=clock.now(), forwarded_note=note.strip())
        _event(new, actor, "forward", note=note.strip())
        audit.record("clue_forward", "clue", clue.id, actor=actor)
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


def message_reporter(clue, actor, text: str):
    from ..tips import service as tips
    if not can_manage(actor, clue):
        _refuse(clue, actor, clue.status, "只有机关党委（纪委）可以答复举报人")
    if not text.strip():
        raise Invalid("请填写答复内容")
    if len(text) > 2000:
        raise Invalid("答复内容不超过 2000 字")
    with db.atomic():
        msg = tips.add_office_message(clue.tip, text, actor)
        _event(clue, actor, "message", note="向举报人发送答复")
        audit.record("clue_message", "clue", clue.id, actor=actor)
    return msg


def reporter_identity(clue, actor) -> dict | None:
    """The reporter's identity, for the discipline office only; every view is audited."""
    from ..tips import service as tips
    if not can_manage(actor, clue):
        audit.record("clue_identity_view", "clue", clue.id, outcome="denied", actor=actor)
        abort(403)
    audit.record("clue_identity_view", "clue", clue.id, actor=actor)
    return tips.read(clue.tip).get("reporter")


def finding(clue) -> str:
    return crypto.unseal(clue.sealed_finding, clue.aad("sealed_finding")) if clue.sealed_finding else ""


def reply(clue) -> str:
    return crypto.unseal(clue.sealed_reply, clue.aad("sealed_reply")) if clue.sealed_reply else ""


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
