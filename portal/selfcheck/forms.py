"""Parsing and validation of the wizard's step form, plus the small WTForms of review and report.

The wizard form is dynamic (items × problems), so it is parsed by hand:
  a-<item_id>                        "no_problem" | "problem" | ""
  k-<item_id>                        problem keys in display order (repeated)
  p-<item_id>-<key>-aspect|description|measure|deadline|fixed
Two kinds of errors:
  hard  – the value itself is unacceptable (too long, bad date, date outside the campaign, unknown
          aspect): nothing is saved, the step re-renders with the message, 422.
  soft  – the answer is incomplete (no description, no measure …): drafts are saved anyway; moving
          on from the step and submitting require none.
Field names that point outside the step (another campaign's or another step's item) raise Tampered,
answered with 400 and an audit record.
"""
import datetime as dt
import re
import secrets
from dataclasses import dataclass, field

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..errors import PortalError

MAX_DESCRIPTION = 500
MAX_MEASURE = 500
MIN_TEXT = 5
MAX_PROBLEMS = 10
MAX_PROBLEMS_OPEN = 20
MAX_COMMENT = 1000
MAX_NARRATIVE = 5000

KEY_RE = re.compile(r"^[0-9a-f]{8}$")
NAME_RE = re.compile(r"^(?:(?P<a>[ak])-(?P<item>\d{1,9})|p-(?P<pitem>\d{1,9})-(?P<key>[^-]{1,40})-"
                     r"(?P<part>aspect|description|measure|deadline|fixed))$")
ANSWERS = ("", "no_problem", "problem")


class Tampered(PortalError):
    """The request refers to items or keys the page never offered: a crafted request (400, audited)."""


def new_key() -> str:
    return secrets.token_hex(4)


@dataclass
class StepInput:
    values: dict  # item_id -> {"answer", "problems": [problem dicts]}
    hard: dict = field(default_factory=dict)  # field name -> message
    soft: dict = field(default_factory=dict)


def cn_day(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def parse_step(form, items, aspects: dict, period: tuple[dt.date, dt.date]) -> StepInput:
    """Read one step's answers from a request form. `items`: the step's Item rows; `aspects`:
    {id: name}; `period`: (start, end) of the campaign."""
    ids = {it.id for it in items}
    for name in form.keys():
        m = NAME_RE.match(name)
        if not m:
            continue
        item_id = int(m.group("item") or m.group("pitem"))
        if item_id not in ids:
            raise Tampered(f"field {name} refers to item {item_id} outside the step")
    values, hard, soft = {}, {}, {}
    for it in items:
        answer = form.get(f"a-{it.id}", "")
        if answer not in ANSWERS:
            hard[f"a-{it.id}"] = "请选择“未发现问题”或“存在问题”"
            answer = ""
        keys = []
        for k in form.getlist(f"k-{it.id}"):
            if not KEY_RE.match(k):
                raise Tampered(f"bad problem key {k!r}")
            if k not in keys:
                keys.append(k)
        limit = MAX_PROBLEMS_OPEN if it.is_open else MAX_PROBLEMS
        problems = []
        for k in keys:
            p = _parse_problem(form, it.id, k, aspects, period, hard)
            if p is not None:
                problems.append(p)
        if len(problems) > limit:
            hard[f"a-{it.id}"] = f"每项最多填写 {limit} 条问题"
        values[it.id] = {"answer": answer, "problems": problems}
        soft.update(completion_errors(it.id, values[it.id], period))
    return StepInput(values, hard, soft)


def _parse_problem(form, item_id, key, aspects, period, hard):
    pre = f"p-{item_id}-{key}-"
    raw_aspect = form.get(pre + "aspect", "").strip()
    description = form.get(pre + "description", "").strip()
    measure = form.get(pre + "measure", "").strip()
    deadline = form.get(pre + "deadline", "").strip()
    fixed = form.get(pre + "fixed", "") in ("1", "on", "y", "true")
    if not (raw_aspect or description or measure or deadline or fixed):
        return None  # an untouched blank row
    aspect_id = None
    if raw_aspect:
        try:
            aspect_id = int(raw_aspect)
        except ValueError:
            aspect_id = None
        if aspect_id not in aspects:
            hard[pre + "aspect"] = "请从列表中选择问题所属方面"
            aspect_id = None
    if len(description) > MAX_DESCRIPTION:
        hard[pre + "description"] = f"问题描述不能超过 {MAX_DESCRIPTION} 字（当前 {len(description)} 字）"
    if len(measure) > MAX_MEASURE:
        hard[pre + "measure"] = f"整改措施不能超过 {MAX_MEASURE} 字（当前 {len(measure)} 字）"
    if deadline:
        msg = deadline_error(deadline, period)
        if msg:
            hard[pre + "deadline"] = msg
            deadline = deadline[:10] if len(deadline) <= 10 else ""
    return {"key": key, "aspect_id": aspect_id, "description": description, "measure": measure,
            "deadline": deadline, "fixed_at_once": fixed}


def deadline_error(text: str, period) -> str | None:
    try:
        d = dt.date.fromisoformat(text)
        if len(text) != 10:
            raise ValueError
    except ValueError:
        return "整改时限不是有效日期，请按“年-月-日”填写"
    start, end = period
    if d < start or d > end:
        return f"整改时限须在活动期间内（{cn_day(start)}至{cn_day(end)}）"
    return None


def completion_errors(item_id, value, period) -> dict:
    """Soft errors of one item's answer: what is still missing before it counts as answered."""
    errs = {}
    answer = value["answer"]
    if answer == "":
        errs[f"a-{item_id}"] = "请作答：选择“未发现问题”，或填写存在的具体问题"
    elif answer == "problem":
        if not value["problems"]:
            errs[f"a-{item_id}"] = "已选择“存在问题”，请至少填写一条具体问题"
        for p in value["problems"]:
            pre = f"p-{item_id}-{p['key']}-"
            if not p["aspect_id"]:
                errs[pre + "aspect"] = "请选择问题所属方面"
            if not p["description"]:
                errs[pre + "description"] = "请填写具体问题描述"
            elif len(p["description"]) < MIN_TEXT:
                errs[pre + "description"] = f"问题描述过于简单，请具体写明（至少 {MIN_TEXT} 个字）"
            if not p["measure"]:
                errs[pre + "measure"] = "请填写整改措施"
            elif len(p["measure"]) < MIN_TEXT:
                errs[pre + "measure"] = f"整改措施过于简单，请具体写明（至少 {MIN_TEXT} 个字）"
            if not p["deadline"]:
                errs[pre + "deadline"] = "请填写整改时限"
            elif deadline_error(p["deadline"], period):
                errs[pre + "deadline"] = deadline_error(p["deadline"], period)
    return errs


class ReviewForm(FlaskForm):
    outcome = SelectField("审核意见", choices=[("approved", "审核通过"), ("returned", "退回修改")])
    comment = TextAreaField("审核意见说明", validators=[Optional(), Length(max=MAX_COMMENT, message=f"审核意见不能超过 {MAX_COMMENT} 字")])
    perfunctory = BooleanField("认定为自查自纠不深入、敷衍应付")
    expected_version = HiddenField()

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if self.outcome.data == "returned" and not (self.comment.data or "").strip():
            self.comment.errors = list(self.comment.errors) + ["退回时请写明需要修改的内容"]
            ok = False
        if self.perfunctory.data and self.outcome.data != "returned":
            self.perfunctory.errors = list(self.perfunctory.errors) + ["认定敷衍应付时须退回修改"]
            ok = False
        return ok


class ReportForm(FlaskForm):
    narrative = TextAreaField("自查自纠情况说明", validators=[Length(max=MAX_NARRATIVE, message=f"情况说明不能超过 {MAX_NARRATIVE} 字")])


class ReportSubmitForm(ReportForm):
    narrative = TextAreaField("自查自纠情况说明", validators=[
        DataRequired(message="报送前请填写自查自纠情况说明"),
        Length(min=20, max=MAX_NARRATIVE, message=f"情况说明须为 20 至 {MAX_NARRATIVE} 字")])


class EmptyForm(FlaskForm):
    pass
