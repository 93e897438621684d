"""Spot checks (明察暗访 / 随机抽查): plans, auditable draws, targets, inspectors and findings.

A Draw is append-only: it stores the frozen roster (and its SHA-256), the exclusions with reasons,
the inputs of the seed and the result, so anyone can recompute it (see portal.inspections.draw).
"""
import json

from peewee import (BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField,
                    TextField)

from .. import clock
from .base import BaseModel, Immutable
from .campaign import Campaign, Item
from .org import Department, User
from .problem import Problem

TARGET_KINDS = {"person": "人员", "department": "科室（单位）"}
POOL_KINDS = {"all": "全局干部职工", "departments": "指定科室（单位）"}
DRAW_PURPOSES = {"targets": "检查对象", "inspectors": "检查人员"}
EXCLUSION_REASONS = {
    "leave": "请假、出差或外出学习",
    "checked": "本轮已检查",
    "conflict": "利益冲突（检查人员本部门）",
    "other": "其他原因",
}


class InspectionPlan(BaseModel):
    campaign = ForeignKeyField(Campaign, null=True, on_delete="SET NULL")
    title = CharField(max_length=120)
    checks = TextField(default="[]")  # JSON [{"label": str, "item": item id or null}]
    planned_date = DateField()  # when the check is carried out
    planned_end = DateField(null=True)
    cycle = CharField(max_length=16, default="")  # e.g. "2026-11": "checked already this cycle"
    target_kind = CharField(max_length=16, default="person")
    target_count = IntegerField(default=5)
    inspector_count = IntegerField(default=2)
    pool_kind = CharField(max_length=16, default="all")
    pool_departments = TextField(default="[]")  # JSON list of department ids
    note = TextField(default="")
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="inspection_plans")
    created_at = DateTimeField(default=clock.now, index=True)

    @property
    def check_list(self) -> list[dict]:
        try:
            return json.loads(self.checks or "[]")
        except ValueError:
            return []

    @property
    def pool_department_ids(self) -> list[int]:
        try:
            return [int(d) for d in json.loads(self.pool_departments or "[]")]
        except ValueError:
            return []

    @property
    def target_kind_label(self):
        return TARGET_KINDS.get(self.target_kind, self.target_kind)

    @property
    def pool_kind_label(self):
        return POOL_KINDS.get(self.pool_kind, self.pool_kind)


class Draw(Immutable):
    """One random draw, written once. A redraw is a new row pointing at the one it replaces."""
    public_id = CharField(max_length=32, unique=True)
    plan = ForeignKeyField(InspectionPlan, backref="draws", on_delete="RESTRICT")
    purpose = CharField(max_length=16)  # targets / inspectors
    candidate_kind = CharField(max_length=16)  # person / department
    algorithm = CharField(max_length=64)
    roster = TextField()  # canonical JSON [[key, label, department id], ...] sorted by key
    roster_hash = CharField(max_length=64)
    exclusions = TextField(default="[]")  # canonical JSON [[key, reason code, reason text], ...]
    witness_number = CharField(max_length=32)
    drawn_at_text = CharField(max_length=32)  # the exact time string that entered the seed
    seed = CharField(max_length=64)
    requested = IntegerField()
    result = TextField()  # JSON [key, ...] in rank order
    drawn_by = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="draws_made")
    drawn_by_name = CharField(max_length=32, default="")
    witnesses = CharField(max_length=200, default="")
    supersedes = ForeignKeyField("self", null=True, on_delete="RESTRICT", backref="redraws")
    redraw_reason = TextField(default="")
    created_at = DateTimeField(default=clock.now)

    @property
    def purpose_label(self):
        return DRAW_PURPOSES.get(self.purpose, self.purpose)

    def roster_rows(self) -> list:
        return json.loads(self.roster)

    def exclusion_rows(self) -> list:
        return json.loads(self.exclusions or "[]")

    def result_keys(self) -> list:
        return json.loads(self.result)


class InspectionTarget(BaseModel):
    plan = ForeignKeyField(InspectionPlan, backref="targets", on_delete="CASCADE")
    kind = CharField(max_length=16)  # person / department
    user = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    department = ForeignKeyField(Department, on_delete="RESTRICT")
    draw = ForeignKeyField(Draw, null=True, on_delete="RESTRICT")  # null = added by hand
    is_random = BooleanField(default=True)
    reason = CharField(max_length=200, default="")  # why a non-random target was added
    rank = IntegerField(default=0)
    checked_at = DateTimeField(null=True)
    outcome = CharField(max_length=16, default="")  # "" / problem / clean
    added_by = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="+")
    created_at = DateTimeField(default=clock.now)

    class Meta:
        indexes = ((("plan", "kind", "user", "department"), True),)

    @property
    def label(self):
        if self.kind == "person" and self.user_id:
            return f"{self.user.real_name}（{self.department.name}）"
        return self.department.name


class PlanInspector(BaseModel):
    plan = ForeignKeyField(InspectionPlan, backref="inspectors", on_delete="CASCADE")
    user = ForeignKeyField(User, on_delete="RESTRICT", related_name="inspection_roles")
    draw = ForeignKeyField(Draw, null=True, on_delete="RESTRICT")  # null = assigned
    assigned_by = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="+")
    created_at = DateTimeField(default=clock.now)

    class Meta:
        indexes = ((("plan", "user"), True),)


class Finding(BaseModel):
    plan = ForeignKeyField(InspectionPlan, backref="findings", on_delete="CASCADE")
    target = ForeignKeyField(InspectionTarget, backref="findings", on_delete="RESTRICT")
    inspector = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="findings_recorded")
    outcome = CharField(max_length=16)  # problem / clean
    check_label = CharField(max_length=120, default="")
    item = ForeignKeyField(Item, null=True, on_delete="SET NULL")
    description = TextField(default="")
    found_at = DateTimeField()
    place = CharField(max_length=120, default="")
    severity = CharField(max_length=16, default="general")
    problem = ForeignKeyField(Problem, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=clock.now)


class FindingFile(BaseModel):
    finding = ForeignKeyField(Finding, backref="files", on_delete="CASCADE")
    name = CharField(max_length=120)
    kind = CharField(max_length=8)
    key = CharField(max_length=80)
    size = IntegerField()
    created_at = DateTimeField(default=clock.now)
