"""一案双查: the person and leader Problems of a substantiated clue, and linking existing Problems."""

import datetime as dt

from peewee import IntegrityError

from .. import audit, clock, problems
from ..extensions import db
from ..models import Item, LeaderCharge, Problem, RoleAssignment, User
from ..models.tip import CONCLUSIONS, ClueProblem
from .access import Invalid, can_manage
from .writes import _event, _refuse


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
