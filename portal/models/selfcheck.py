"""Self-check (自查自纠): one SelfCheck per person per campaign, its draft answers and problems, the
frozen submitted versions, and the department's own report (单位自查自纠情况).

Draft state lives in SelfCheckAnswer / SelfCheckProblem and is edited by autosave. Submitting freezes
a SelfCheckVersion whose `content` is the JSON documented in portal/selfcheck/submission.py
(`frozen_content`); the content never changes afterwards, only the review fields are filled in.
"""
from peewee import (BooleanField, CharField, DateTimeField, ForeignKeyField, IntegerField,
                    TextField)

from .. import clock
from .base import BaseModel
from .campaign import Aspect, Campaign, Item
from .org import Department, User

# the one vocabulary of a self-check's state, on every page (已退回 is not 未开始/草稿: it was submitted once)
SELFCHECK_STATUSES = {
    "not_started": "未开始",
    "draft": "草稿",
    "submitted": "待审核",
    "returned": "已退回",
    "approved": "已通过",
}
PERFUNCTORY_LABEL = "退回敷衍"  # people returned at least once as 敷衍应付
REVIEW_OUTCOMES = {"approved": "审核通过", "returned": "退回修改"}
REPORT_STATUSES = {"draft": "草稿", "submitted": "已报送"}


class SelfCheck(BaseModel):
    user = ForeignKeyField(User, backref="selfchecks", on_delete="RESTRICT")
    campaign = ForeignKeyField(Campaign, backref="selfchecks", on_delete="RESTRICT")
    status = CharField(max_length=16, default="not_started", index=True)
    current_step = IntegerField(default=1)  # 1..n categories, n+1 = review step
    draft_version = IntegerField(default=0)  # optimistic lock between tabs: bumped by every save
    versions_count = IntegerField(default=0)  # number of the latest SelfCheckVersion
    perfunctory_count = IntegerField(default=0)  # times returned as 敷衍应付
    reopened_by_discipline = BooleanField(default=False)  # editable after the deadline
    reopened_by = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="selfchecks_reopened")
    created_at = DateTimeField(default=clock.now)
    updated_at = DateTimeField(default=clock.now)
    submitted_at = DateTimeField(null=True)  # latest submission

    class Meta:
        indexes = ((("user", "campaign"), True), (("campaign", "status"), False))

    @property
    def status_label(self):
        return SELFCHECK_STATUSES.get(self.status, self.status)


class SelfCheckAnswer(BaseModel):
    """The draft answer to one item: "" (not answered), "no_problem" or "problem"."""
    selfcheck = ForeignKeyField(SelfCheck, backref="answers", on_delete="CASCADE")
    item = ForeignKeyField(Item, on_delete="RESTRICT")
    answer = CharField(max_length=16, default="")
    updated_at = DateTimeField(default=clock.now)

    class Meta:
        indexes = ((("selfcheck", "item"), True),)


class SelfCheckProblem(BaseModel):
    """A draft problem under an item. `key` is stable across versions: it links the Problem in the
    ledger (origin "selfcheck:<selfcheck id>:<key>"). Drafts may be incomplete; the deadline is kept
    as typed (ISO text) and validated when the step is completed and at submission."""
    selfcheck = ForeignKeyField(SelfCheck, backref="problems", on_delete="CASCADE")
    item = ForeignKeyField(Item, on_delete="RESTRICT")
    key = CharField(max_length=16)
    position = IntegerField(default=0)
    aspect = ForeignKeyField(Aspect, null=True, on_delete="RESTRICT")
    description = TextField(default="")
    measure = TextField(default="")
    deadline = CharField(max_length=64, default="")  # as typed; checked at submission
    fixed_at_once = BooleanField(default=False)

    class Meta:
        indexes = ((("selfcheck", "key"), True), (("selfcheck", "item"), False))


class SelfCheckVersion(BaseModel):
    """A frozen submission. Content fields are written once; the review fields are filled in by the
    reviewer (approve / return, optionally as perfunctory)."""
    selfcheck = ForeignKeyField(SelfCheck, backref="versions", on_delete="RESTRICT")
    number = IntegerField()
    submitted_at = DateTimeField(default=clock.now)
    content_hash = CharField(max_length=64)
    content = TextField()  # JSON, see service.frozen_content
    review_outcome = CharField(max_length=16, default="")  # "", approved, returned
    review_comment = TextField(default="")
    perfunctory = BooleanField(default=False)
    reviewer = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="selfcheck_reviews")
    reviewed_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("selfcheck", "number"), True),)

    @property
    def outcome_label(self):
        return REVIEW_OUTCOMES.get(self.review_outcome, "待审核")


class DepartmentReport(BaseModel):
    """单位自查自纠情况: the department head's report to the discipline office for a period.

    period: free text, "全程" (whole campaign) or a month "YYYY-MM". numbers: JSON of
    service.department_numbers() — pre-filled when the form is opened, frozen at submission.
    One report per (department, campaign, period). The reports area lists who has not reported by
    selecting departments without a row with status "submitted" for the period."""
    department = ForeignKeyField(Department, backref="selfcheck_reports", on_delete="RESTRICT")
    campaign = ForeignKeyField(Campaign, on_delete="RESTRICT")
    period = CharField(max_length=16, default="全程")
    numbers = TextField(default="{}")
    narrative = TextField(default="")
    status = CharField(max_length=16, default="draft")
    submitted_by = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="dept_reports")
    submitted_at = DateTimeField(null=True)
    created_at = DateTimeField(default=clock.now)
    updated_at = DateTimeField(default=clock.now)

    class Meta:
        indexes = ((("department", "campaign", "period"), True),)

    @property
    def status_label(self):
        return REPORT_STATUSES.get(self.status, self.status)
