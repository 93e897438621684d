"""Periodic reports upward (定期报送) and the departments' reporting periods.

Report / ReportFile are append-only: a generated report and its files never change. Each file's
SHA-256 is stored; the bytes live under instance/reports/<report id>/.
ReportingPeriod is a period the departments report their self-check status for (单位自查自纠情况),
with a due date; DepartmentReport.period (self-check area) carries its `code`.
"""
from peewee import (CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField)

from .. import clock
from .base import BaseModel, Immutable
from .campaign import Campaign
from .org import User

REPORT_KINDS = {"weekly": "周报", "monthly": "月报", "range": "专项时段"}

# the three bodies the office reports to (work plan 四（三）)
RECIPIENTS = (
    ("jijianzu", "市纪委监委派驻纪检组"),
    ("jigongwei", "市纪工委"),
    ("jiufengban", "市纠风办"),
)
RECIPIENT_NAMES = dict(RECIPIENTS)

FILE_KINDS = {"pdf": "报告（PDF）", "xlsx": "问题台账（Excel）", "zip": "报送包（ZIP）"}


class Report(Immutable):
    kind = CharField(max_length=16)  # weekly / monthly / range
    period_start = DateField()
    period_end = DateField()
    title = CharField(max_length=200)
    number = CharField(max_length=64, default="")  # 发文字号
    signer = CharField(max_length=32)  # 签发人
    narrative = TextField(default="")  # the office's own progress text
    stats = TextField(default="")  # JSON snapshot of the generated tables
    problem_count = IntegerField(default=0)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=clock.now, index=True)

    @property
    def kind_label(self):
        return REPORT_KINDS.get(self.kind, self.kind)


class ReportFile(Immutable):
    report = ForeignKeyField(Report, backref="files", on_delete="RESTRICT")
    recipient = CharField(max_length=16, default="")  # "" = shared by all recipients
    kind = CharField(max_length=8)  # pdf / xlsx / zip
    filename = CharField(max_length=200)
    path = CharField(max_length=255)  # relative to instance/reports
    sha256 = CharField(max_length=64)
    size = IntegerField()

    class Meta:
        indexes = ((("report", "recipient", "kind"), True),)

    @property
    def recipient_name(self):
        return RECIPIENT_NAMES.get(self.recipient, "各报送单位共用")

    @property
    def kind_label(self):
        return FILE_KINDS.get(self.kind, self.kind)


class ReportingPeriod(BaseModel):
    """A period for which every department reports its self-check status, and when it is due."""
    campaign = ForeignKeyField(Campaign, null=True, on_delete="SET NULL")
    code = CharField(max_length=32, unique=True)  # e.g. "2026-05", "2026-W19"
    name = CharField(max_length=64)  # 2026年5月
    start_date = DateField()
    end_date = DateField()
    due_date = DateField(index=True)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=clock.now)
