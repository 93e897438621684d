"""Parsing and validation of the wizard's step form, plus the small WTForms of review and report.

The wizard form is dynamic (items × problems), so it is parsed by hand:
  a-<item_id>                        "no_problem" | "problem" | ""
  k-<item_id>                        problem keys in display order (repeated)
  p-<item_id>-<key>-aspect|description|measure|deadline|fixed
Nothing typed is dropped because of another field: every step is saved as far as it can be stored.
Three kinds of errors:
  invalid – the value is not acceptable yet (text too long, a date that is not a date or lies outside
            the campaign, too many rows): kept in the draft exactly as typed, shown with its message
            on every render of the step (also after a reload); submitting refuses it. 422.
  hard    – a value the page never offers (an unknown answer or aspect) or one beyond any reason
            (a text over 10× its limit): that value alone is dropped or cut, the rest is saved. 422.
  soft    – the answer is incomplete (no description, no measure …): drafts are saved anyway; moving
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
MAX_DEADLINE_TEXT = 64  # a typed deadline is kept as text, valid or not (SelfCheckProblem.deadline)
MAX_TEXT_KEPT = 10 * MAX_DESCRIPTION  # longer texts are cut: kept as typed up to here
MAX_ROWS_KEPT = 50  # rows beyond this per item are dropped

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
    hard: dict = field(default_factory=dict)  # field name -> message (value dropped or cut)
    soft: dict = field(default_factory=dict)  # incomplete (includes `invalid`)
    invalid: dict = field(default_factory=dict)  # kept as typed, not acceptable yet

    @property
    def messages(self) -> dict:
        """What the page must show now, besides what is merely incomplete."""
        return {**self.invalid, **self.hard}


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
    values, hard, soft, invalid = {}, {}, {}, {}
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
        limit = problem_limit(it)
        problems = []
        for k in keys:
            p = _parse_problem(form, it.id, k, aspects, hard)
            if p is not None:
                problems.append(p)
        if len(problems) > MAX_ROWS_KEPT:
            hard[f"a-{it.id}"] = f"每项最多填写 {limit} 条问题"
            problems = problems[:MAX_ROWS_KEPT]
        values[it.id] = {"answer": answer, "problems": problems}
        invalid.update(value_errors(it.id, values[it.id], period, limit))
        soft.update(completion_errors(it.id, values[it.id], period, limit))
    return StepInput(values, hard, soft, invalid)


def problem_limit(item) -> int:
    return MAX_PROBLEMS_OPEN if item.is_open else MAX_PROBLEMS


def _parse_problem(form, item_id, key, aspects, hard):
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
    if len(description) > MAX_TEXT_KEPT:
        hard[pre + "description"] = f"问题描述不能超过 {MAX_DESCRIPTION} 字（当前 {len(description)} 字）"
        description = description[:MAX_TEXT_KEPT]
    if len(measure) > MAX_TEXT_KEPT:
        hard[pre + "measure"] = f"整改措施不能超过 {MAX_MEASURE} 字（当前 {len(measure)} 字）"
        measure = measure[:MAX_TEXT_KEPT]
    if len(deadline) > MAX_DEADLINE_TEXT:
        hard[pre + "deadline"] = "整改时限不是有效日期，请按“年-月-日”填写"
        deadline = deadline[:MAX_DEADLINE_TEXT]
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


def value_errors(item_id, value, period, limit=MAX_PROBLEMS_OPEN) -> dict:
    """Messages for values kept in the draft as typed but not acceptable: a text over its limit, a
    deadline that is not a date or lies outside the campaign, more rows than the item allows."""
    errs = {}
    if value["answer"] == "no_problem":  # rows left under "未发现问题" are not submitted
        return errs
    if len(value["problems"]) > limit:
        errs[f"a-{item_id}"] = f"每项最多填写 {limit} 条问题"
    for p in value["problems"]:
        pre = f"p-{item_id}-{p['key']}-"
        if len(p["description"]) > MAX_DESCRIPTION:
            errs[pre + "description"] = f"问题描述不能超过 {MAX_DESCRIPTION} 字（当前 {len(p['description'])} 字）"
        if len(p["measure"]) > MAX_MEASURE:
            errs[pre + "measure"] = f"整改措施不能超过 {MAX_MEASURE} 字（当前 {len(p['measure'])} 字）"
        if p["deadline"]:
            msg = deadline_error(p["deadline"], period)
            if msg:
                errs[pre + "deadline"] = msg
    return errs


def completion_errors(item_id, value, period, limit=MAX_PROBLEMS_OPEN) -> dict:
    """Every error of one item's answer before it may be submitted: what is still missing, and the
    values kept as typed that are not acceptable (value_errors)."""
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
    errs.update(value_errors(item_id, value, period, limit))
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
