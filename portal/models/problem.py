"""The Problem (台账条目) every part of the portal writes into, and its immutable history.

"Open", "overdue" and "due soon" are defined once, as SQL expressions (Problem.open_expr, overdue_expr,
due_soon_expr); the properties is_open, is_overdue and due_soon evaluate those same expressions on a loaded
row (holds() below), so a list filter and a row's badge can never disagree. The dashboard's trigger-kept
tallies (migration 0010) repeat the open condition in their trigger SQL.
"""
import datetime as dt
import functools
import operator

from peewee import (BooleanField, CharField, DateField, DateTimeField, Expression, Field, ForeignKeyField,
                    IntegerField, NodeList, TextField)

from .. import clock
from .base import BaseModel, Immutable
from .campaign import Aspect, Campaign, Item
from .org import Department, User

SOURCES = {
    "selfcheck": "自查",
    "tip": "举报",
    "inspection": "明察暗访",
    "review": "审核",
    "patrol": "巡察",
    "assigned": "上级交办",
    "leader_comment": "领导点评",
    "public": "群众反映",
    "other": "其他",
}
# sources only entered by hand: summaries (the periodic report) list them only when they occur
HAND_ONLY_SOURCES = ("patrol", "assigned", "leader_comment", "public")
# the sources a person enters by hand (the feeders bring 举报 and 审核 themselves)
MANUAL_SOURCES = ("patrol", "assigned", "leader_comment", "public", "inspection", "selfcheck", "other")
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
# Where a 已整改 (rectified) Problem waits, and whether an open one was sent back: a column beside the
# status, so the status machine and every tally keyed by status stay as they are.
#   head      the responsible person asked for 销号; the department head confirms or returns it
#   office    waiting for the discipline office's 验收 (accept -> closed, or return)
#   returned  sent back to work (status in_progress) with a reason; cleared by the next report
REVIEW_STAGES = {
    "": "",
    "head": "待科室负责人确认",
    "office": "待机关纪委验收",
    "returned": "被退回整改",
}
# open = not yet rectified: only these can be overdue or due soon (已整改 waits for verification, not for work)
OPEN = ("pending", "in_progress")


def due_soon_days() -> int:
    from flask import current_app, has_app_context
    return int(current_app.config.get("DUE_SOON_DAYS", 7)) if has_app_context() else 7


# the definitions, over any (status, deadline) columns: a Problem's, or a tally's that counts Problems
def open_cond(status):
    return status.in_(OPEN)


def overdue_cond(status, deadline, today=None):
    return open_cond(status) & (deadline < (today or clock.today()))


def due_soon_cond(status, deadline, today=None, days=None):
    today = today or clock.today()
    days = due_soon_days() if days is None else days
    return open_cond(status) & deadline.between(today, today + dt.timedelta(days=days))


_OPS = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
        ">=": operator.ge, "AND": lambda a, b: bool(a) and bool(b), "OR": lambda a, b: bool(a) or bool(b),
        "IN": lambda a, b: a in b, "IS": lambda a, b: a is b, "IS NOT": lambda a, b: a is not b}


def holds(expr, row) -> bool:
    """Evaluate a where-expression built from a model's fields, ==, !=, <, <=, >, >=, IN, BETWEEN, IS (NULL),
    & and | on one loaded row, as the database would (a comparison with NULL is false)."""
    def value(node):
        if isinstance(node, Expression):
            if node.op == "BETWEEN":
                lo, hi = node.rhs.nodes[0], node.rhs.nodes[2]
                v = value(node.lhs)
                return v is not None and value(lo) <= v <= value(hi)
            a, b = value(node.lhs), value(node.rhs)
            if node.op not in ("AND", "OR", "IS", "IS NOT") and (a is None or b is None):
                return False
            return _OPS[node.op](a, b)
        if isinstance(node, Field):
            return getattr(row, node.name + ("_id" if isinstance(node, ForeignKeyField) else ""))
        if isinstance(node, NodeList):
            raise ValueError("unsupported expression")
        if isinstance(node, (tuple, list)):
            return tuple(node)
        return getattr(node, "value", node)
    return bool(value(expr))


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
    review_stage = CharField(max_length=16, default="")  # REVIEW_STAGES (migration 0024)

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
    def stage_label(self):
        return REVIEW_STAGES.get(self.review_stage or "", "")

    # -- open, overdue, due soon: computed, never stored ------------------------------------------------
    @classmethod
    def open_expr(cls):
        """Not yet rectified (and not withdrawn from a resubmitted self-check)."""
        return open_cond(cls.status) & (cls.withdrawn == False)  # noqa: E712

    @classmethod
    def overdue_expr(cls, today=None):
        """Open and past the deadline."""
        return overdue_cond(cls.status, cls.deadline, today) & (cls.withdrawn == False)  # noqa: E712

    @classmethod
    def due_soon_expr(cls, today=None, days=None):
        """Open and due from today to DUE_SOON_DAYS ahead."""
        return due_soon_cond(cls.status, cls.deadline, today, days) & (cls.withdrawn == False)  # noqa: E712

    @property
    def is_open(self) -> bool:
        return holds(_row_expr("open", None, None), self)

    @property
    def is_overdue(self) -> bool:
        return holds(_row_expr("overdue", clock.today(), None), self)

    @property
    def due_soon(self) -> bool:
        return holds(_row_expr("soon", clock.today(), due_soon_days()), self)


@functools.lru_cache(maxsize=32)
def _row_expr(kind, today, days):
    """The where-expressions a row is tested against, built once per day and setting (a ledger page tests each
    of its rows three times)."""
    if kind == "open":
        return Problem.open_expr()
    if kind == "overdue":
        return Problem.overdue_expr(today)
    return Problem.due_soon_expr(today, days)


class ProblemEvent(Immutable):
    problem = ForeignKeyField(Problem, backref="events", on_delete="RESTRICT")
    at = DateTimeField(default=clock.now)
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    kind = CharField(max_length=24)  # created, status, edit, action, withdrawn, deadline, link ...
    from_status = CharField(max_length=16, default="")
    to_status = CharField(max_length=16, default="")
    note = TextField(default="")
    changes = TextField(default="")  # JSON {field: [old, new]}
