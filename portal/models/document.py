"""Official documents (公文): the register, 发文字号 counters, links to ledger Problems, seal images and
batch print jobs."""
import json

from peewee import (BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField,
                    TextField)

from .. import clock
from .base import BaseModel
from .org import Department, User
from .problem import Problem

KIND_LABELS = {
    "circular": "通报",
    "notice": "通知",
    "reminder-letter": "提醒函",
    "talk-notice": "约谈通知书",
    "work-plan": "工作方案",
    "report": "报告",
    "self-check-report": "个人对照检查材料",
    "department-report": "单位自查自纠情况报告",
    "minutes": "会议纪要",
    "supervision-notice": "督办通知单",
}
# the kinds the register's editor writes (the two self-check kinds are generated from data)
EDITOR_KINDS = ("circular", "notice", "reminder-letter", "talk-notice", "report", "minutes", "work-plan",
                "department-report", "supervision-notice")
DEFAULT_PREFIX = {
    "circular": "机管发", "notice": "机管发", "reminder-letter": "机管函", "talk-notice": "机管约",
    "report": "机管报", "minutes": "机管纪", "work-plan": "", "department-report": "",
    "supervision-notice": "机管督",
}
STATUS_LABELS = {"draft": "草稿", "issued": "已印发"}


class Document(BaseModel):
    kind = CharField(max_length=24, index=True)
    status = CharField(max_length=16, default="draft", index=True)  # draft | issued
    title = CharField(max_length=200, default="")
    organ = CharField(max_length=64, default="")        # 发文机关标志
    prefix = CharField(max_length=16, default="")       # 发文字号 prefix, e.g. 机管发
    year = IntegerField(null=True)
    seq = IntegerField(null=True)
    number = CharField(max_length=48, null=True)        # 机管发〔2026〕5号, set at issue
    signer = CharField(max_length=32, default="")       # 签发人 (report)
    addressees = CharField(max_length=255, default="")
    body = TextField(default="")
    attachments = TextField(default="[]")               # JSON list of titles
    signature = CharField(max_length=128, default="")
    doc_date = DateField(null=True)                     # 成文日期
    note = CharField(max_length=255, default="")        # 附注
    copy_to = CharField(max_length=255, default="")
    printer = CharField(max_length=128, default="")     # 印发机关
    print_date = DateField(null=True)
    seal = BooleanField(default=False)
    extra = TextField(default="{}")                     # kind-specific fields (JSON)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="documents_created")
    created_at = DateTimeField(default=clock.now)
    updated_at = DateTimeField(default=clock.now)
    issued_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="documents_issued")
    issued_at = DateTimeField(null=True, index=True)
    pdf_key = CharField(max_length=128, null=True)
    pdf_sha256 = CharField(max_length=64, null=True)
    pdf_size = IntegerField(null=True)
    pages = IntegerField(null=True)
    supersedes = ForeignKeyField("self", null=True, on_delete="RESTRICT", backref="corrections")
    superseded_by = ForeignKeyField("self", null=True, on_delete="SET NULL", backref="+")
    action_id = IntegerField(null=True, index=True)    # the ledger ProblemAction it was generated from
    version = IntegerField(default=1)

    class Meta:
        indexes = ((("prefix", "year", "seq"), True),)

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def status_label(self):
        if self.status == "issued" and self.superseded_by_id:
            return "已更正"
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def is_draft(self):
        return self.status == "draft"

    @property
    def attachment_list(self) -> list:
        try:
            v = json.loads(self.attachments or "[]")
            return [str(x) for x in v] if isinstance(v, list) else []
        except ValueError:
            return []

    @property
    def extra_dict(self) -> dict:
        try:
            v = json.loads(self.extra or "{}")
            return v if isinstance(v, dict) else {}
        except ValueError:
            return {}


class DocumentNumberCounter(BaseModel):
    """The last 发文字号 sequence used per (prefix, year); updated inside the issuing transaction."""
    prefix = CharField(max_length=16)
    year = IntegerField()
    last_seq = IntegerField(default=0)

    class Meta:
        indexes = ((("prefix", "year"), True),)


class DocumentProblem(BaseModel):
    """A ledger Problem named in a document (通报点名, 提醒, 约谈)."""
    document = ForeignKeyField(Document, backref="problem_links", on_delete="CASCADE")
    problem = ForeignKeyField(Problem, backref="document_links", on_delete="RESTRICT")
    position = IntegerField(default=0)

    class Meta:
        indexes = ((("document", "problem"), True),)


class SealImage(BaseModel):
    """The issuing organ's seal (PNG with transparency); the newest active one is used."""
    key = CharField(max_length=128)
    sha256 = CharField(max_length=64)
    width = IntegerField()
    height = IntegerField()
    size = IntegerField()
    uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    uploaded_at = DateTimeField(default=clock.now)
    active = BooleanField(default=True, index=True)


JOB_STATUS = {"queued": "排队中", "running": "生成中", "done": "已完成", "failed": "失败",
              "cancelled": "已取消", "expired": "已过期"}


class PrintJob(BaseModel):
    """A background batch print (all personal self-check reports of a department or the bureau)."""
    kind = CharField(max_length=24, default="selfcheck-batch")
    requested_by = ForeignKeyField(User, on_delete="CASCADE", backref="print_jobs")
    department = ForeignKeyField(Department, null=True, on_delete="CASCADE", backref="+")  # None = bureau
    status = CharField(max_length=16, default="queued", index=True)
    total = IntegerField(default=0)
    done = IntegerField(default=0)
    cancel_requested = BooleanField(default=False)
    result_path = CharField(max_length=255, null=True)
    result_sha256 = CharField(max_length=64, null=True)
    result_size = IntegerField(null=True)
    pages = IntegerField(null=True)
    error = TextField(default="")
    created_at = DateTimeField(default=clock.now)
    started_at = DateTimeField(null=True)
    heartbeat_at = DateTimeField(null=True)
    finished_at = DateTimeField(null=True)
    expires_at = DateTimeField(null=True)

    @property
    def status_label(self):
        return JOB_STATUS.get(self.status, self.status)

    @property
    def finished(self):
        return self.status in ("done", "failed", "cancelled", "expired")
