"""Spot-check findings: recording a finding (and its Problem), the finding behind a Problem, open targets."""

import datetime as dt

from peewee import JOIN

from .. import audit, clock, problems
from ..errors import Invalid
from ..quoting import quoted
from ..extensions import db
from ..models import Campaign, Department, Item
from ..models.inspection import Finding, FindingFile, InspectionPlan, InspectionTarget, PlanInspector


def record_finding(target, actor, outcome: str, check: dict | None, description: str, found_at: dt.datetime,
                   place: str, severity: str, deadline, files) -> Finding:
    from .. import uploads
    plan = target.plan
    if outcome not in ("problem", "clean"):
        raise Invalid("请选择检查结果")
    description = (description or "").strip()
    if outcome == "problem" and not description:
        raise Invalid("请写明发现的问题")
    if found_at is not None and plan.planned_date and found_at.date() < plan.planned_date:
        raise Invalid(f"检查时间早于检查计划的开始日期（{plan.planned_date:%Y年%m月%d日}），请核对")
    stored = []
    with db.atomic():
        f = Finding.create(plan=plan.id, target=target.id, inspector=actor, outcome=outcome,
                           check_label=(check or {}).get("label", "")[:120],
                           item=(check or {}).get("item"), description=description,
                           found_at=found_at, place=(place or "").strip()[:120], severity=severity,
                           created_at=clock.now())
        for name, kind, data in files:
            key = uploads.store("inspections", data, kind)
            stored.append(key)
            FindingFile.create(finding=f, name=name, kind=kind, key=key, size=len(data),
                               created_at=clock.now())
        if outcome == "problem":
            item_id = f.item_id or _fallback_item(plan)
            text = f"【明察暗访】{f.check_label + '：' if f.check_label else ''}{description}"
            where = "，".join(x for x in (found_at.strftime("%Y-%m-%d %H:%M"), f.place) if x)
            p = problems.create(
                actor=actor, note=f"明察暗访{quoted(plan.title)}发现", source="inspection",
                self_reported=False, origin=f"finding:{f.id}", campaign=plan.campaign_id,
                item=item_id, person=target.user_id, department=target.department_id,
                severity=severity, description=f"{text}（{where}）", deadline=deadline)
            Finding.update(problem=p.id).where(Finding.id == f.id).execute()
            f.problem = p
        new_outcome = "problem" if (outcome == "problem" or target.outcome == "problem") else "clean"
        InspectionTarget.update(outcome=new_outcome, checked_at=clock.now()).where(
            InspectionTarget.id == target.id).execute()
        audit.record("inspection_finding", "finding", f.id, actor=actor,
                     detail={"plan": plan.id, "target": target.id, "outcome": outcome,
                             "problem": f.problem_id})
    return f


def _fallback_item(plan):
    campaign = plan.campaign_id or (Campaign.active().id if Campaign.active() else None)
    if campaign is None:
        return None
    it = Item.select().where(Item.campaign == campaign).order_by(Item.seq.desc()).first()
    return it.id if it else None


def finding_for_problem(problem):
    if not (problem.origin or "").startswith("finding:"):
        return None
    try:
        fid = int(problem.origin.split(":", 1)[1])
    except ValueError:
        return None
    return (Finding.select(Finding, InspectionPlan).join(InspectionPlan)
            .where(Finding.id == fid).first())


def my_open_targets(user):
    """Targets not yet checked in plans the user inspects."""
    return (InspectionTarget.select(InspectionTarget, InspectionPlan)
            .join(InspectionPlan)
            .join_from(InspectionTarget, Department, JOIN.INNER)
            .where(InspectionTarget.plan.in_(PlanInspector.select(PlanInspector.plan)
                                             .where(PlanInspector.user == user.id))
                   & (InspectionTarget.outcome == ""))
            .order_by(InspectionPlan.planned_date, InspectionTarget.rank))
