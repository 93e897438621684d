"""Spot-check plans: who sees which plans, the spot-check points and creating a plan."""

from .. import audit, clock
from ..extensions import db
from ..models import Item
from ..models.inspection import InspectionPlan
from ..permissions import scope_plans


# the spot-check points the plan names, mapped to the campaign item they belong to (by item seq)
PRESET_CHECKS = [
    ("上班迟到早退", 17), ("脱岗串岗", 17), ("值班在岗", 17), ("有事不请假、外出不报告", 17),
    ("工作日中午饮酒", 13), ("上班期间上网打游戏、购物、炒股", 18), ("工作状态散漫懈怠", 18),
    ("内部食堂违规公款吃喝", 14), ("长期请假、旷工", 19), ("窗口服务态度和办事效率", 3),
]




def plans_for(user):
    return InspectionPlan.select().where(scope_plans(user)).order_by(InspectionPlan.planned_date.desc(),
                                                                     InspectionPlan.id.desc())


def check_choices(campaign):
    """(value, label) choices for the plan form: the presets, then every campaign item."""
    out = [(f"preset:{i}", f"{label}（第{seq}项）") for i, (label, seq) in enumerate(PRESET_CHECKS)]
    if campaign is not None:
        for it in Item.select().where(Item.campaign == campaign).order_by(Item.seq):
            out.append((f"item:{it.id}", it.short))
    return out


def build_checks(campaign, picked: list[str], free_text: str) -> list[dict]:
    items = {}
    if campaign is not None:
        items = {it.seq: it for it in Item.select().where(Item.campaign == campaign)}
        by_id = {it.id: it for it in items.values()}
    checks = []
    for value in picked:
        kind, _, ref = value.partition(":")
        if kind == "preset" and ref.isdigit() and int(ref) < len(PRESET_CHECKS):
            label, seq = PRESET_CHECKS[int(ref)]
            it = items.get(seq)
            checks.append({"label": label, "item": it.id if it else None})
        elif kind == "item" and ref.isdigit() and campaign is not None and int(ref) in by_id:
            it = by_id[int(ref)]
            checks.append({"label": it.text.rstrip("。")[:60], "item": it.id})
    other = items.get(max(items)) if items else None  # "其他…" is the last item
    for line in (free_text or "").splitlines():
        line = line.strip()[:60]
        if line:
            checks.append({"label": line, "item": other.id if other else None})
    seen, unique = set(), []
    for c in checks:
        if c["label"] not in seen:
            seen.add(c["label"])
            unique.append(c)
    return unique


def create_plan(actor, **fields) -> InspectionPlan:
    with db.atomic():
        plan = InspectionPlan.create(created_by=actor, created_at=clock.now(), **fields)
        audit.record("inspection_plan_create", "inspection_plan", plan.id, actor=actor,
                     detail={"title": plan.title, "targets": plan.target_count})
    return plan
