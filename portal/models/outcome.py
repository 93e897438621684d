"""Accountability outcomes (追责问责) per person: the 监督执纪"四种形态", the 组织处理 measure and any 政务处分,
each on a ledger Problem (and through it the founded clue); 一案双查 pairs the violator's outcome with the
leader's. The lists are campaign data (OutcomeOption), and the office marks typical cases (典型问题)."""
from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .. import clock
from .base import BaseModel
from .campaign import Campaign
from .org import User
from .problem import Problem
from .tip import Clue

OPTION_KINDS = {"form_measure": "四种形态", "org_measure": "组织处理", "sanction": "政务处分"}
FORMS = {1: "第一种形态", 2: "第二种形态", 3: "第三种形态", 4: "第四种形态"}
RESPONSIBILITIES = {"direct": "违纪违规本人", "main": "主体责任", "supervision": "监督责任"}
LENIENCY = {"lenient": "自查从宽", "strict": "从严", "": ""}


class OutcomeOption(BaseModel):
    """One entry of a campaign's outcome lists; `form` (1–4) for the 四种形态 measures."""
    campaign = ForeignKeyField(Campaign, backref="outcome_options", on_delete="CASCADE")
    kind = CharField(max_length=16)  # form_measure | org_measure | sanction
    code = CharField(max_length=32)
    label = CharField(max_length=64)
    form = IntegerField(null=True)
    seq = IntegerField(default=0)
    active = BooleanField(default=True)

    class Meta:
        table_name = "outcome_option"
        indexes = ((("campaign", "kind", "code"), True),)


class Outcome(BaseModel):
    problem = ForeignKeyField(Problem, backref="outcomes", on_delete="RESTRICT")
    clue = ForeignKeyField(Clue, null=True, backref="outcomes", on_delete="SET NULL")
    person = ForeignKeyField(User, backref="outcomes", on_delete="RESTRICT")
    responsibility = CharField(max_length=16, default="direct")  # direct | main | supervision
    partner = ForeignKeyField("self", null=True, on_delete="SET NULL")  # 一案双查
    form = IntegerField(index=True)  # 1..4
    form_measure = CharField(max_length=32)
    org_measure = CharField(max_length=32, default="")
    sanction = CharField(max_length=32, default="")
    decided_on = DateField(index=True)
    decided_by_body = CharField(max_length=64)
    doc_number = CharField(max_length=48, default="")
    leniency = CharField(max_length=8, default="")  # lenient (自查从宽) | strict (从严) | ""
    note = TextField(default="")
    void = BooleanField(default=False, index=True)  # recorded in error (kept, not counted)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    created_at = DateTimeField(default=clock.now)

    @property
    def form_label(self):
        return FORMS.get(self.form, "")

    @property
    def responsibility_label(self):
        return RESPONSIBILITIES.get(self.responsibility, self.responsibility)

    @property
    def leniency_label(self):
        return LENIENCY.get(self.leniency, "")


class TypicalCase(BaseModel):
    """A problem or a clue the office marked as typical (典型问题), with the text it chose."""
    problem = ForeignKeyField(Problem, null=True, unique=True, backref="+", on_delete="CASCADE")
    clue = ForeignKeyField(Clue, null=True, unique=True, backref="+", on_delete="CASCADE")
    summary = TextField(default="")
    marked_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    marked_at = DateTimeField(default=clock.now)

    class Meta:
        table_name = "typical_case"
