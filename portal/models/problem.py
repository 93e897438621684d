"""The Problem (台账条目) every part of the portal writes into, and its immutable history."""
from peewee import (BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField,
                    TextField)

from .. import clock
from .base import BaseModel, Immutable
from .campaign import Aspect, Campaign, Item
from .org import Department, User

SOURCES = {
    "selfcheck": "自查",
    "tip": "举报",
    "inspection": "明察暗访",
    "review": "审核",
    "other": "其他",
}
SEVERITIES = {
    "general": "一般",
    "serious": "严重",
    "frequent": "多发频发",
    "common": "普遍性",
}
STATUSES = {
    "pending": "待整改",
    "in_progress": "整改中",
    "rectified": "已整改",
    "closed": "已销号",
}
# allowed (from, to) jumps; rectified -> in_progress is the verifier returning it
TRANSITIONS = {
    ("pending", "in_progress"),
    ("in_progress", "rectified"),
    ("rectified", "closed"),
    ("rectified", "in_progress"),
}
OPEN_STATUSES = ("pending", "in_progress", "rectified")


class Problem(BaseModel):
    campaign = ForeignKeyField(Campaign, null=True, backref="problems", on_delete="RESTRICT")
    item = ForeignKeyField(Item, null=True, backref="problems", on_delete="RESTRICT")
    aspect = ForeignKeyField(Aspect, null=True, on_delete="RESTRICT")
    person = ForeignKeyField(User, null=True, backref="problems", on_delete="RESTRICT")  # 责任人
    department = ForeignKeyField(Department, backref="problems", on_delete="RESTRICT")  # 责任单位
    source = CharField(max_length=16, index=True)
    self_reported = BooleanField(default=False)  # 自查从宽
    severity = CharField(max_length=16, default="general", index=True)
    status = CharField(max_length=16, default="pending", index=True)
    description = TextField()
    measures = TextField(default="")
    deadline = DateField(null=True, index=True)
    fixed_at_once = BooleanField(default=False)  # 立行立改
    remark = TextField(default="")
    origin = CharField(max_length=64, null=True, unique=True)  # feeder's key, e.g. "selfcheck:12:3"
    partner = ForeignKeyField("self", null=True, on_delete="SET NULL")  # 一案双查
    is_accountability = BooleanField(default=False)  # the leader's accountability entry
    withdrawn = BooleanField(default=False)  # removed from a resubmitted self-check
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="problems_created")
    created_at = DateTimeField(default=clock.now)
    updated_at = DateTimeField(default=clock.now)
    closed_at = DateTimeField(null=True)
    version = IntegerField(default=1)

    class Meta:
        indexes = (
            (("department", "status"), False),
            (("person", "status"), False),
        )

    @property
    def source_label(self):
        return SOURCES.get(self.source, self.source)

    @property
    def severity_label(self):
        return SEVERITIES.get(self.severity, self.severity)

    @property
    def status_label(self):
        return STATUSES.get(self.status, self.status)

    @property
    def is_overdue(self) -> bool:
        """Computed, never stored: past the deadline and not yet rectified."""
        return (self.deadline is not None and self.status in ("pending", "in_progress")
                and self.deadline < clock.today() and not self.withdrawn)

    @classmethod
    def overdue_expr(cls, today=None):
        today = today or clock.today()
        return ((cls.deadline < today) & (cls.status.in_(("pending", "in_progress")))
                & (cls.withdrawn == False))  # noqa: E712


class ProblemEvent(Immutable):
    problem = ForeignKeyField(Problem, backref="events", on_delete="RESTRICT")
    at = DateTimeField(default=clock.now)
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    kind = CharField(max_length=24)  # created, status, edit, action, withdrawn, deadline, link ...
    from_status = CharField(max_length=16, default="")
    to_status = CharField(max_length=16, default="")
    note = TextField(default="")
    changes = TextField(default="")  # JSON {field: [old, new]}
