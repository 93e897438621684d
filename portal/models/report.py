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


# ---------------------------------------------------------------- sign-off and dispatch (拟稿 → 审核 → 签发 → 编号 → 报送)
DRAFT_STATUSES = {
    "draft": "拟稿",
    "reviewing": "待审核",
    "signing": "待签发",
    "signed": "已签发",
    "numbered": "已编号归档",
}
STEP_LABELS = {
    "create": "拟稿", "edit": "修改", "submit": "送审核", "approve": "审核通过", "return": "退回",
    "sign": "签发", "number": "编号归档", "dispatch": "报送登记",
}
DISPATCH_METHODS = {"system": "系统", "paper": "纸质", "email": "邮件"}


class ReportDraft(BaseModel):
    """A report on its way to sign-off. The numbers are the period's SQL at the moment of each step (a
    snapshot in `stats`); the archived Report (immutable files) is made only after 签发, when numbered."""
    kind = CharField(max_length=16)
    period_start = DateField()
    period_end = DateField()
    title = CharField(max_length=200, default="")
    narrative = TextField(default="")
    typical_cases = TextField(default="")  # 典型案例: the office's own text
    next_plan = TextField(default="")  # 下一步工作计划
    status = CharField(max_length=16, default="draft", index=True)
    reviewer = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="reports_to_review")
    signer = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="reports_to_sign")
    signed_at = DateTimeField(null=True)
    report = ForeignKeyField(Report, null=True, on_delete="SET NULL")  # the archived report, once numbered
    job_id = CharField(max_length=64, default="")
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="report_drafts")
    created_at = DateTimeField(default=clock.now)
    updated_at = DateTimeField(default=clock.now)

    class Meta:
        table_name = "report_draft"

    @property
    def status_label(self):
        return DRAFT_STATUSES.get(self.status, self.status)

    @property
    def kind_label(self):
        return REPORT_KINDS.get(self.kind, self.kind)


class ReportStep(Immutable):
    """One step of a report's sign-off, with its time, person and comment."""
    draft = ForeignKeyField(ReportDraft, backref="steps", on_delete="CASCADE")
    action = CharField(max_length=16)
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="report_steps")
    at = DateTimeField(default=clock.now)
    comment = TextField(default="")

    class Meta:
        table_name = "report_step"

    @property
    def label(self):
        return STEP_LABELS.get(self.action, self.action)


class ReportDispatch(Immutable):
    """报送登记: one sending of a numbered report to a receiving body."""
    report = ForeignKeyField(Report, backref="dispatches", on_delete="RESTRICT")
    recipient = CharField(max_length=64)  # the body's name (市纠风办, or one configured in the campaign)
    sent_on = DateField()
    method = CharField(max_length=8)  # system / paper / email
    number = CharField(max_length=64, default="")  # 文号 as sent
    note = CharField(max_length=200, default="")
    sent_by = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="report_dispatches")
    created_at = DateTimeField(default=clock.now)

    class Meta:
        table_name = "report_dispatch"

    @property
    def method_label(self):
        return DISPATCH_METHODS.get(self.method, self.method)
