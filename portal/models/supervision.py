"""督办 records: urges (催办) of a problem or of an unsubmitted self-check, escalations of overdue problems to
the 分管领导 and the 局长, leaders' instructions (领导批示) on a problem or a clue, and the weekly
red-amber-green snapshot kept for the campaign's trend."""
from peewee import CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .. import clock
from .base import BaseModel
from .org import User
from .problem import Problem

URGE_KINDS = {"problem": "问题整改", "selfcheck": "个人自查"}
ESCALATION_LEVELS = {1: "分管领导", 2: "局长"}


class Urge(BaseModel):
    """One 催办: who urged whom, when. `problem` for a ledger item, `person` for an unsubmitted self-check
    (and for a problem, its responsible person if any); `notified` the people told (names, 、-joined)."""
    kind = CharField(max_length=12, default="problem", index=True)
    problem = ForeignKeyField(Problem, null=True, backref="urges", on_delete="CASCADE")
    person = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="urges_received")
    by = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="urges_sent")
    at = DateTimeField(default=clock.now, index=True)
    notified = TextField(default="")
    note = TextField(default="")

    @property
    def kind_label(self):
        return URGE_KINDS.get(self.kind, self.kind)


class Escalation(BaseModel):
    """An overdue problem escalated by rule: level 1 to the department's 分管领导, 2 to the 局长. One row per
    (problem, level, deadline) — a new deadline starts over."""
    problem = ForeignKeyField(Problem, backref="escalations", on_delete="CASCADE")
    level = IntegerField()
    deadline = DateField()
    workdays_overdue = IntegerField(default=0)
    notified = TextField(default="")
    at = DateTimeField(default=clock.now, index=True)

    class Meta:
        indexes = ((("problem", "level", "deadline"), True),)

    @property
    def level_label(self):
        return ESCALATION_LEVELS.get(self.level, str(self.level))


class Instruction(BaseModel):
    """领导批示 on a problem or a clue (exactly one of them)."""
    leader = ForeignKeyField(User, on_delete="CASCADE", related_name="instructions")
    problem = ForeignKeyField(Problem, null=True, backref="instructions", on_delete="CASCADE")
    clue_id = IntegerField(null=True, index=True)
    text = TextField()
    at = DateTimeField(default=clock.now, index=True)


class RagSnapshot(BaseModel):
    """The weekly red-amber-green state of one department, person or 分管领导 (scope + ref)."""
    week = DateField(index=True)  # the Monday of the week
    scope = CharField(max_length=12)  # department | person | leader
    ref = IntegerField()
    colour = CharField(max_length=8)
    open = IntegerField(default=0)
    overdue = IntegerField(default=0)
    due_soon = IntegerField(default=0)
    returned = IntegerField(default=0)

    class Meta:
        table_name = "rag_snapshot"
        indexes = ((("week", "scope", "ref"), True),)
