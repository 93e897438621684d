"""Choosing inspectors and targets: candidate pools, automatic exclusions, the witnessed draw, and
assigning inspectors or adding targets by hand.
"""

import json
import secrets

from .. import audit, clock
from ..db import is_postgres
from ..errors import Conflict, Invalid, PortalError
from ..extensions import db
from ..models import Department, RoleAssignment, User
from ..models.inspection import (EXCLUSION_REASONS, Draw, Finding, InspectionPlan, InspectionTarget,
                                 PlanInspector)
from ..notices.triggers import path_for
from ..notify import notify
from ..quoting import quoted
from ..permissions import BUSINESS_ROLES, can
from . import draw as drawlib
from .flags import TARGET_DEPT_KINDS


def pool_departments(plan):
    q = Department.select().where((Department.is_active == True)  # noqa: E712
                                  & Department.kind.in_(TARGET_DEPT_KINDS + ("leadership",)))
    if plan.pool_kind == "departments" and plan.pool_department_ids:
        q = q.where(Department.id.in_(plan.pool_department_ids))
    return q


def _business_users():
    return (RoleAssignment.select(RoleAssignment.user)
            .where(RoleAssignment.role.in_(sorted(BUSINESS_ROLES))))


def candidates(plan, purpose: str):
    """[(key, label, department id)] for a draw, before exclusions."""
    if purpose == "inspectors":
        assigned = PlanInspector.select(PlanInspector.user).where(
            (PlanInspector.plan == plan.id) & PlanInspector.draw.is_null())
        q = (User.select(User, Department).join(Department)
             .where(User.is_active_flag & User.id.in_(
                 RoleAssignment.select(RoleAssignment.user).where(RoleAssignment.role == "inspector"))
                    & User.id.not_in(assigned)))
        return [(f"u:{u.id}", f"{u.real_name}（{u.department.name}）", u.department_id) for u in q]
    if plan.target_kind == "department":
        depts = pool_departments(plan).where(Department.kind.in_(TARGET_DEPT_KINDS))
        return [(f"d:{d.id}", d.name, d.id) for d in depts]
    q = (User.select(User, Department).join(Department)
         .where(User.is_active_flag & User.id.in_(_business_users())
                & User.department.in_(pool_departments(plan).select(Department.id))))
    return [(f"u:{u.id}", f"{u.real_name}（{u.department.name}）", u.department_id) for u in q]


def current_draw(plan, purpose):
    """The draw in force: the newest one of this purpose (each redraw supersedes the previous)."""
    return (Draw.select().where((Draw.plan == plan.id) & (Draw.purpose == purpose))
            .order_by(Draw.id.desc()).first())


def _inspector_rows(plan, exclude_draw=None):
    q = (PlanInspector.select(PlanInspector, User, Department).join(User).join(Department)
         .where(PlanInspector.plan == plan.id))
    if exclude_draw is not None:
        q = q.where((PlanInspector.draw.is_null()) | (PlanInspector.draw != exclude_draw.id))
    return list(q)


def _target_rows(plan, exclude_draw=None):
    q = InspectionTarget.select().where(InspectionTarget.plan == plan.id)
    if exclude_draw is not None:
        q = q.where((InspectionTarget.draw.is_null()) | (InspectionTarget.draw != exclude_draw.id))
    return list(q)


def auto_exclusions(plan, purpose, roster, replacing=None) -> dict:
    """key -> (reason code, reason text) decided by the data, never by hand."""
    out = {}
    if purpose == "targets":
        inspectors = _inspector_rows(plan)
        by_dept = {}
        for pi in inspectors:
            by_dept.setdefault(pi.user.department_id, []).append(pi.user.real_name)
        already = _target_rows(plan, exclude_draw=replacing)
        taken_users = {t.user_id for t in already if t.kind == "person"}
        taken_depts = {t.department_id for t in already if t.kind == "department"}
        checked = set()
        if plan.cycle:
            others = (InspectionTarget.select(InspectionTarget.user, InspectionTarget.department,
                                              InspectionTarget.kind)
                      .join(InspectionPlan)
                      .where((InspectionPlan.cycle == plan.cycle) & (InspectionPlan.id != plan.id)))
            for t in others:
                checked.add(f"u:{t.user_id}" if t.kind == "person" else f"d:{t.department_id}")
        for key, _label, dept in roster:
            if dept in by_dept:
                out[key] = ("conflict", f"利益冲突：检查人员{'、'.join(by_dept[dept])}所在部门")
            elif key in checked:
                out[key] = ("checked", f"本轮（{plan.cycle}）已被抽查")
            elif (key.startswith("u:") and int(key[2:]) in taken_users) or \
                    (key.startswith("d:") and int(key[2:]) in taken_depts):
                out[key] = ("other", "已列为本次检查对象")
    else:
        target_depts = {}
        for t in _target_rows(plan):
            target_depts.setdefault(t.department_id, t.department.name)
        for key, _label, dept in roster:
            if dept in target_depts:
                out[key] = ("conflict", f"利益冲突：本部门（{target_depts[dept]}）为检查对象")
    return out


def prepare(plan, purpose, replacing=None) -> dict:
    """What the draw page shows before drawing: the frozen roster text, its hash, automatic exclusions."""
    rows = candidates(plan, purpose)
    roster_text = drawlib.freeze_roster(rows)
    return {
        "rows": json.loads(roster_text),
        "roster_text": roster_text,
        "roster_hash": drawlib.sha256_hex(roster_text),
        "auto": auto_exclusions(plan, purpose, json.loads(roster_text), replacing=replacing),
    }


def default_count(plan, purpose) -> int:
    if purpose == "inspectors":
        assigned = PlanInspector.select().where((PlanInspector.plan == plan.id)
                                                & PlanInspector.draw.is_null()).count()
        return max(1, plan.inspector_count - assigned)
    return plan.target_count


def do_draw(plan, purpose, actor, witness_number: str, witnesses: str, manual: dict, count: int,
            expected_roster_hash: str, supersedes=None, reason: str = "") -> Draw:
    """Freeze, exclude, seed, rank, record. `manual`: key -> (reason code, text) chosen before the draw."""
    if purpose not in ("targets", "inspectors"):
        raise PortalError("未知的抽取类型", status=400)
    witness_number = (witness_number or "").strip()
    if not witness_number.isdigit() or not (4 <= len(witness_number) <= 12):
        raise Invalid("见证数字须为 4 至 12 位数字，由见证人现场给出")
    if not (witnesses or "").strip():
        raise Invalid("请填写见证人姓名")
    with db.atomic():
        if is_postgres():  # two people drawing at once: the second waits, then sees the first draw
            InspectionPlan.select(InspectionPlan.id).where(InspectionPlan.id == plan.id).for_update().execute()
        current = current_draw(plan, purpose)  # SQLite: BEGIN IMMEDIATE already serialises writers
        if supersedes is None and current is not None:
            raise Conflict("本计划已抽取过，如需重新抽取请使用“重新抽取”并说明理由")
        if supersedes is not None:
            if current is None or current.id != supersedes.id:
                raise Conflict("只能对当前有效的抽取结果重新抽取")
            if not (reason or "").strip():
                raise Invalid("重新抽取必须说明理由")
            if purpose == "targets" and Finding.select().join(InspectionTarget).where(
                    InspectionTarget.draw == supersedes.id).exists():
                raise Conflict("已有检查对象登记了检查结果，不能重新抽取")
        prep = prepare(plan, purpose, replacing=supersedes)
        if expected_roster_hash != prep["roster_hash"]:
            raise Conflict("候选名单在核对后发生了变化，请刷新页面重新核对名单后再抽取")
        roster_keys = {r[0] for r in prep["rows"]}
        excl = dict(prep["auto"])
        for key, (code, text) in manual.items():
            if key not in roster_keys:
                raise Invalid("排除对象不在冻结名单内")
            if key in excl:
                continue
            if code not in EXCLUSION_REASONS:
                raise Invalid("请选择排除原因")
            text = (text or "").strip()
            if code == "other" and not text:
                raise Invalid("选择“其他原因”排除时须写明具体原因")
            excl[key] = (code, EXCLUSION_REASONS[code] + (f"：{text}" if text else ""))
        exclusions_text = drawlib.freeze_exclusions((k, c, t) for k, (c, t) in excl.items())
        eligible = len(roster_keys) - len(excl)
        if count < 1:
            raise Invalid("抽取数量至少为 1")
        if count > eligible:
            raise Invalid(f"排除后可抽取的对象只有 {eligible} 个，少于抽取数量 {count}")
        now = clock.now()
        drawn_at_text = now.strftime("%Y-%m-%d %H:%M:%S")
        c = drawlib.compute(prep["roster_text"], exclusions_text, witness_number, drawn_at_text, count)
        d = Draw.create(
            public_id=secrets.token_hex(8), plan=plan.id, purpose=purpose,
            candidate_kind="person" if (purpose == "inspectors" or plan.target_kind == "person") else "department",
            algorithm=drawlib.ALGORITHM, roster=prep["roster_text"], roster_hash=c["roster_hash"],
            exclusions=exclusions_text, witness_number=witness_number, drawn_at_text=drawn_at_text,
            seed=c["seed"], requested=count, result=json.dumps(c["result"]), drawn_by=actor,
            drawn_by_name=actor.real_name if actor else "", witnesses=witnesses.strip()[:200],
            supersedes=supersedes, redraw_reason=(reason or "").strip(), created_at=now)
        if supersedes is not None:
            if purpose == "targets":
                InspectionTarget.delete().where(InspectionTarget.draw == supersedes.id).execute()
            else:
                PlanInspector.delete().where(PlanInspector.draw == supersedes.id).execute()
        depts = {r[0]: r[2] for r in prep["rows"]}
        for rank, key in enumerate(c["result"], 1):
            ref = int(key[2:])
            if purpose == "inspectors":
                PlanInspector.create(plan=plan.id, user=ref, draw=d, assigned_by=actor, created_at=now)
            elif key.startswith("u:"):
                InspectionTarget.create(plan=plan.id, kind="person", user=ref, department=depts[key],
                                        draw=d, rank=rank, added_by=actor, created_at=now)
            else:
                InspectionTarget.create(plan=plan.id, kind="department", department=ref, draw=d,
                                        rank=rank, added_by=actor, created_at=now)
        audit.record("inspection_redraw" if supersedes else "inspection_draw", "draw", d.public_id,
                     actor=actor, detail={"plan": plan.id, "purpose": purpose, "seed": d.seed,
                                          "roster_hash": d.roster_hash, "result": c["result"],
                                          "reason": d.redraw_reason})
    if purpose == "inspectors":
        for key in c["result"]:
            _tell_inspector(plan, int(key[2:]), f"draw:{d.id}")
    return d


def _tell_inspector(plan, user_id, key):
    notify(user_id, "draw", f"您被确定为{quoted(plan.title)}的检查人员，检查日期 {plan.planned_date:%Y年%m月%d日}。",
           path_for("inspections.plan", plan_id=plan.id), key=f"{key}:{user_id}")


def assign_inspector(plan, user, actor) -> PlanInspector:
    if not can(user, "inspections.inspect"):
        raise Invalid("只能指派具有“明察暗访人员”角色的人员")
    conflict = [t for t in _target_rows(plan) if t.department_id == user.department_id]
    if conflict:
        raise Conflict(f"利益冲突：{user.real_name}所在部门（{user.department.name}）有检查对象，不能担任本次检查人员")
    if PlanInspector.select().where((PlanInspector.plan == plan.id) & (PlanInspector.user == user.id)).exists():
        raise Conflict(f"{user.real_name}已是本次检查人员")
    with db.atomic():
        pi = PlanInspector.create(plan=plan.id, user=user.id, assigned_by=actor, created_at=clock.now())
        audit.record("inspection_assign", "inspection_plan", plan.id, actor=actor,
                     detail={"inspector": user.id})
    _tell_inspector(plan, user.id, f"assign:{plan.id}")
    return pi


def add_target(plan, department, actor, reason: str, user=None) -> InspectionTarget:
    """A non-random target (flagged by the data). The own-department conflict still applies."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("请说明列为检查对象的依据")
    names = [pi.user.real_name for pi in _inspector_rows(plan) if pi.user.department_id == department.id]
    if names:
        raise Conflict(f"利益冲突：检查人员{'、'.join(names)}所在部门不能列为其检查对象")
    kind = "person" if user is not None else "department"
    q = InspectionTarget.select().where((InspectionTarget.plan == plan.id) & (InspectionTarget.kind == kind)
                                        & (InspectionTarget.department == department.id))
    if user is not None:
        q = q.where(InspectionTarget.user == user.id)
    if q.exists():
        raise Conflict("该对象已在本次检查名单中")
    with db.atomic():
        t = InspectionTarget.create(plan=plan.id, kind=kind, user=user, department=department,
                                    is_random=False, reason=reason[:200], added_by=actor,
                                    created_at=clock.now())
        audit.record("inspection_target_add", "inspection_plan", plan.id, actor=actor,
                     detail={"department": department.id, "reason": reason, "random": False})
    return t
