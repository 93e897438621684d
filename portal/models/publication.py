"""通知公告: an issued 通报/通知 published to everyone, chosen departments or named people, and each
recipient's read receipt (已读 when first opened, 已阅 when acknowledged)."""
import json

from peewee import BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .. import clock
from .base import BaseModel
from .document import Document
from .org import Department, User

AUDIENCES = {"all": "全体人员", "departments": "指定科室（单位）", "people": "指定人员"}
PUBLICATION_STATUSES = {"published": "已发布", "withdrawn": "已撤回"}


class Publication(BaseModel):
    document = ForeignKeyField(Document, unique=True, backref="publications", on_delete="RESTRICT")
    audience = CharField(max_length=16)  # all | departments | people
    targets = TextField(default="{}")  # JSON {"departments": [ids], "people": [ids]} as chosen
    require_ack = BooleanField(default=False)  # the recipient presses 已阅
    status = CharField(max_length=16, default="published", index=True)
    published_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    published_at = DateTimeField(default=clock.now, index=True)
    withdrawn_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    withdrawn_at = DateTimeField(null=True)
    withdraw_reason = CharField(max_length=255, default="")
    remind_round = IntegerField(default=0)  # one per click of 提醒未读
    reminded_at = DateTimeField(null=True)

    @property
    def audience_label(self):
        return AUDIENCES.get(self.audience, self.audience)

    @property
    def status_label(self):
        return PUBLICATION_STATUSES.get(self.status, self.status)

    @property
    def target_dict(self) -> dict:
        try:
            v = json.loads(self.targets or "{}")
            return v if isinstance(v, dict) else {}
        except ValueError:
            return {}


class PublicationRecipient(BaseModel):
    publication = ForeignKeyField(Publication, backref="recipients", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    department = ForeignKeyField(Department, null=True, backref="+", on_delete="SET NULL")  # at publishing
    read_at = DateTimeField(null=True)  # first opened
    ack_at = DateTimeField(null=True)  # pressed 已阅
    reminded = IntegerField(default=0)  # reminders received

    class Meta:
        indexes = ((("publication", "user"), True), (("user", "read_at"), False))
