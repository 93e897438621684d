"""The ledger's GET filter (parsed by hand: unknown values are dropped with a Chinese message, never
a 500) and the small POST forms of the row actions."""
import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from ..models import SEVERITIES, SOURCES, STATUSES
from ..models.problem import REVIEW_STAGES
from ..models.ledger import ACTION_KINDS

SORTS = ("seq", "source", "department", "person", "category", "severity", "deadline", "status", "updated")
MAX_Q = 60


@dataclass
class Filters:
    dept: int | None = None
    cat: str = ""  # "c<category id>" or "i<item id>"
    source: str = ""
    severity: str = ""
    status: str = ""
    overdue: bool = False
    due_soon: bool = False
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    q: str = ""
    mech: str = ""  # mechanism id or "none" (普遍性问题 not yet covered)
    ext: bool = False  # with an extension request awaiting decision
    aspect: str = ""  # Aspect id or "none" (未标注)
    action: str = ""  # a ProblemAction kind (通报/提醒/约谈): problems with such an action
    action_month: str = ""  # "YYYY-MM": the action's date falls in that month
    self_reported: str = ""  # "1" 自查发现, "0" 被查发现
    stage: str = ""  # a Problem.review_stage: head, office, returned
    person: int | None = None  # person=<user id>: one person's problems (their page links here)
    mine: bool = False  # mine=1: only the user's own problems (the home panel of a staff member or the chief)
    charge: bool = False  # scope=depts: only the departments the user oversees (the dashboard's count), not own rows elsewhere
    sort: str = "seq"
    desc: bool = False
    page: int = 1
    after: str = ""  # keyset paging (keyset.py): the sort key of the previous page's last row
    before: str = ""  # ... or of the next page's first row (上一页)
    errors: list = field(default_factory=list)

    def args(self, **override) -> dict:
        """The filter as query-string pairs (empty ones left out); override e.g. page=3."""
        d = {
            "dept": self.dept or "", "cat": self.cat, "source": self.source, "severity": self.severity,
            "status": self.status, "overdue": "1" if self.overdue else "", "due_soon": "1" if self.due_soon else "",
            "due_from": self.due_from.isoformat() if self.due_from else "",
            "due_to": self.due_to.isoformat() if self.due_to else "", "q": self.q, "mech": self.mech,
            "ext": "1" if self.ext else "", "aspect": self.aspect, "action": self.action,
            "action_month": self.action_month, "self_reported": self.self_reported, "stage": self.stage,
            "scope": "depts" if self.charge else "", "mine": "1" if self.mine else "",
            "person": self.person or "",
            "sort": "" if self.sort == "seq" else self.sort, "dir": "desc" if self.desc else "",
            "page": self.page if self.page > 1 else "",
            "after": self.after, "before": self.before,
        }
        if "page" in override:  # another page, sort or filter: the position of this page no longer applies
            d["after"] = d["before"] = ""
        d.update(override)
        return {k: v for k, v in d.items() if v not in ("", None, 0, False)}

    def query_string(self, **override) -> str:
        return urlencode(self.args(**override))

    @property
    def active(self) -> bool:
        return bool(self.args(page="", sort="", dir=""))

    @property
    def cursor(self) -> str:
        return self.after or self.before


def _int(value):
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return n if 0 < n < 2**31 else None


def _date(value):
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _month(value):
    """First and last day of a "YYYY-MM" month, or None."""
    m = re.fullmatch(r"(\d{4})-(\d{2})", str(value).strip())
    if not m or not (2000 <= int(m.group(1)) <= 2100 and 1 <= int(m.group(2)) <= 12):
        return None
    first = dt.date(int(m.group(1)), int(m.group(2)), 1)
    nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def parse_filters(args) -> Filters:
    """Read request.args (or any mapping). Bad values are ignored and explained in `errors`."""
    f = Filters()
    err = f.errors
    raw = args.get("dept", "")
    if raw:
        f.dept = _int(raw)
        if f.dept is None:
            err.append("责任单位参数无效，已忽略。")
    raw = (args.get("cat") or "").strip()
    if raw:
        if raw[:1] in ("c", "i") and _int(raw[1:]):
            f.cat = raw[0] + str(_int(raw[1:]))
        else:
            err.append("问题类别参数无效，已忽略。")
    for name, allowed, label in (("source", SOURCES, "问题来源"), ("severity", SEVERITIES, "严重程度"),
                                 ("status", STATUSES, "整改状态")):
        raw = (args.get(name) or "").strip()
        if raw:
            if raw in allowed:
                setattr(f, name, raw)
            else:
                err.append(f"{label}“{raw[:20]}”不存在，已忽略。")
    f.overdue = args.get("overdue") in ("1", "on", "true", "y")
    f.due_soon = args.get("due_soon") in ("1", "on", "true", "y")
    f.ext = args.get("ext") in ("1", "on", "true", "y")
    f.charge = args.get("scope") == "depts"
    f.mine = args.get("mine") == "1"
    raw = args.get("person", "")
    if raw:
        f.person = _int(raw)
        if f.person is None:
            err.append("责任人参数无效，已忽略。")
    for name, label in (("due_from", "整改时限起"), ("due_to", "整改时限止")):
        raw = (args.get(name) or "").strip()
        if raw:
            d = _date(raw)
            if d is None or not (dt.date(2000, 1, 1) <= d <= dt.date(2100, 12, 31)):
                err.append(f"{label}日期“{raw[:20]}”无效，已忽略。")
            else:
                setattr(f, name, d)
    if f.due_from and f.due_to and f.due_from > f.due_to:
        f.due_from, f.due_to = f.due_to, f.due_from
        err.append("整改时限的起止日期前后颠倒，已自动调换。")
    q = " ".join((args.get("q") or "").split())
    if len(q) > MAX_Q:
        err.append(f"搜索内容过长，仅按前 {MAX_Q} 个字检索。")
        q = q[:MAX_Q]
    f.q = q
    raw = (args.get("mech") or "").strip()
    if raw:
        if raw == "none" or _int(raw):
            f.mech = raw if raw == "none" else str(_int(raw))
        else:
            err.append("长效机制参数无效，已忽略。")
    raw = (args.get("aspect") or "").strip()
    if raw:
        if raw == "none" or _int(raw):
            f.aspect = raw if raw == "none" else str(_int(raw))
        else:
            err.append("问题方面参数无效，已忽略。")
    raw = (args.get("action") or "").strip()
    if raw:
        if raw in ACTION_KINDS:
            f.action = raw
        else:
            err.append(f"处理方式“{raw[:20]}”不存在，已忽略。")
    raw = (args.get("action_month") or "").strip()
    if raw:
        if _month(raw) is None:
            err.append(f"处理月份“{raw[:20]}”无效，已忽略。")
        else:
            f.action_month = raw
    raw = (args.get("self_reported") or "").strip()
    if raw:
        if raw in ("1", "0"):
            f.self_reported = raw
        else:
            err.append("发现方式参数无效，已忽略。")
    raw = (args.get("stage") or "").strip()
    if raw:
        if raw in REVIEW_STAGES:
            f.stage = raw
        else:
            err.append("销号审核参数无效，已忽略。")
    raw = (args.get("sort") or "").strip()
    if raw in SORTS:
        f.sort = raw
    elif raw:
        err.append("排序参数无效，已按序号排序。")
    f.desc = args.get("dir") == "desc"
    raw = args.get("page")
    if raw:
        p = _int(raw)
        f.page = p or 1
    for name in ("after", "before"):  # checked against the sort when the page is read (keyset.parse_key)
        raw = (args.get(name) or "").strip()
        if raw:
            setattr(f, name, raw[:400])
    if f.after and f.before:
        f.before = ""
    return f


# -- POST forms of the row actions (plain dict parsing; every message is Chinese) -----------------

def read_version(form):
    return _int(form.get("version"))


def parse_action(form):
    """(kind, date, note), errors dict."""
    errors = {}
    kind = form.get("kind", "")
    if kind not in ACTION_KINDS:
        errors["kind"] = "请选择处理方式（通报、提醒或约谈）。"
    d = _date(form.get("date", "")) if form.get("date") else None
    if d is None:
        errors["date"] = "请填写有效的处理日期。"
    note = (form.get("note") or "").strip()
    if len(note) > 2000:
        errors["note"] = "说明不超过 2000 字。"
    return (kind, d, note), errors


def parse_extension(form, today, current_deadline):
    errors = {}
    d = _date(form.get("new_deadline", "")) if form.get("new_deadline") else None
    if d is None:
        errors["new_deadline"] = "请填写有效的新整改时限。"
    elif d <= today:
        errors["new_deadline"] = "新整改时限应晚于今天。"
    elif current_deadline and d <= current_deadline:
        errors["new_deadline"] = "新整改时限应晚于现有时限。"
    elif d > today + dt.timedelta(days=366):
        errors["new_deadline"] = "延期不宜超过一年，请与领导小组办公室沟通。"
    reason = (form.get("reason") or "").strip()
    if len(reason) < 4:
        errors["reason"] = "请写明延期理由（至少 4 个字）。"
    elif len(reason) > 1000:
        errors["reason"] = "延期理由不超过 1000 字。"
    return (d, reason), errors


def parse_edit(form, office: bool):
    """Editable text of a row. Heads edit 整改措施 and 备注; the office also 问题描述 and 严重程度."""
    errors, values = {}, {}
    measures = (form.get("measures") or "").strip()
    if len(measures) > 4000:
        errors["measures"] = "整改措施不超过 4000 字。"
    values["measures"] = measures
    remark = (form.get("remark") or "").strip()
    if len(remark) > 1000:
        errors["remark"] = "备注不超过 1000 字。"
    values["remark"] = remark
    if office:
        desc = (form.get("description") or "").strip()
        if len(desc) < 4:
            errors["description"] = "问题描述至少 4 个字。"
        elif len(desc) > 4000:
            errors["description"] = "问题描述不超过 4000 字。"
        values["description"] = desc
        sev = form.get("severity", "")
        if sev not in SEVERITIES:
            errors["severity"] = "请选择严重程度。"
        values["severity"] = sev
    return values, errors
