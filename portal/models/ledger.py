"""The rectification ledger's own records around a Problem: actions taken (通报/提醒/约谈), deadline
extension requests, evidence files, and 长效机制 (lasting mechanisms) covering common problems."""
from peewee import (BigIntegerField, CompositeKey, CharField, DateField, DateTimeField, ForeignKeyField,
                    IntegerField, TextField)

from .. import clock
from .base import BaseModel
from .org import Department, User
from .problem import Problem

import datetime as _dt

NO_DEADLINE = _dt.date(9999, 12, 31)
ACTION_KINDS = {"circular": "通报", "reminder": "提醒", "talk": "约谈"}
EXTENSION_STATUSES = {"pending": "待审批", "approved": "已批准", "rejected": "未批准"}


class ProblemAction(BaseModel):
    """A 通报 / 提醒 / 约谈 taken on a Problem. `document_id` is filled by the documents area when the
    official 通报、提醒函、约谈通知书 is issued."""
    problem = ForeignKeyField(Problem, backref="actions", on_delete="RESTRICT")
    kind = CharField(max_length=16)
    date = DateField()
    by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="ledger_actions")
    note = TextField(default="")
    document_id = IntegerField(null=True, index=True)
    created_at = DateTimeField(default=clock.now)

    @property
    def kind_label(self):
        return ACTION_KINDS.get(self.kind, self.kind)


class DeadlineExtension(BaseModel):
    """A request to move a Problem's 整改时限; only an approval by the office changes the deadline."""
    problem = ForeignKeyField(Problem, backref="extensions", on_delete="RESTRICT")
    requested_by = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="extension_requests")
    old_deadline = DateField(null=True)
    new_deadline = DateField()
    reason = TextField()
    status = CharField(max_length=16, default="pending", index=True)
    decided_by = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="extension_decisions")
    decided_at = DateTimeField(null=True)
    decision_note = TextField(default="")
    created_at = DateTimeField(default=clock.now)

    @property
    def status_label(self):
        return EXTENSION_STATUSES.get(self.status, self.status)


EVIDENCE_PURPOSES = {"evidence": "整改佐证材料", "attachment": "登记附件"}


class ProblemEvidence(BaseModel):
    """A file checked and stored through portal.uploads: an evidence file (整改佐证材料) or, with purpose
    "attachment", a file entered with the problem itself (登记附件, migration 0024)."""
    problem = ForeignKeyField(Problem, backref="evidence", on_delete="RESTRICT")
    purpose = CharField(max_length=16, default="evidence")
    filename = CharField(max_length=128)
    kind = CharField(max_length=8)
    key = CharField(max_length=64)
    size = IntegerField(default=0)
    uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=clock.now)


class Mechanism(BaseModel):
    """举一反三: the rule or system changed to fix common problems at the root."""
    title = CharField(max_length=128)  # 制度名称
    content = TextField(default="")  # what was changed
    owner = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="mechanisms_owned")
    department = ForeignKeyField(Department, null=True, on_delete="SET NULL")
    date = DateField()
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="mechanisms_created")
    created_at = DateTimeField(default=clock.now)


class MechanismProblem(BaseModel):
    mechanism = ForeignKeyField(Mechanism, backref="links", on_delete="CASCADE")
    problem = ForeignKeyField(Problem, backref="mechanism_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("mechanism", "problem"), True),)


Mechanism.problems = property(lambda self: Problem.select().join(MechanismProblem).where(
    MechanismProblem.mechanism == self.id))


class LedgerCount(BaseModel):
    """Problems per (status, deadline), maintained by database triggers in the same
    transaction as every insert/update/delete of a Problem (see migration 0005). Withdrawn entries are
    not counted; a missing deadline is stored as NO_DEADLINE. The whole-ledger counters and 逾期
    (deadline < today, computed at query time) sum these few hundred rows (statuses x deadlines, however
    many Problems there are) instead of scanning every Problem."""
    status = CharField(max_length=16)
    deadline = DateField()
    n = IntegerField(default=0)

    class Meta:
        table_name = "ledger_count"
        primary_key = CompositeKey("status", "deadline")


class LedgerVersion(BaseModel):
    """The data versions portal/cache.py keys its entries by: row 1 bumped by database triggers on every
    write that can change what the ledger list shows (migration 0009), row 2 on self-check status changes
    (migration 0018)."""
    v = BigIntegerField()

    class Meta:
        table_name = "ledger_version"
