"""Periodic reports upward (定期报送): the period's numbers, the 报告 PDF for each of the three recipients
(documents engine, kind "report"), the ledger of the period as .xlsx (the ledger's build_xlsx), a zip per
recipient; every file written once under instance/reports/<id>/ with its SHA-256 recorded.

Also the departments' reporting periods and who has not reported (单位自查自纠情况, the self-check
area's DepartmentReport with `period` = ReportingPeriod.code).
"""
import calendar
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import zipfile
from collections import OrderedDict

from flask import current_app
from peewee import JOIN, Case, fn

from .. import audit, clock
from ..extensions import db
from ..models import (SOURCES, Campaign, Category, Department, Item, Problem, User)
from ..models.report import (RECIPIENTS, REPORT_KINDS, Report, ReportFile, ReportingPeriod)

OPEN = ("pending", "in_progress")
DONE = ("rectified", "closed")
DEFAULT_ORGAN = "××市机关事务管理局"
ACTION_LABELS = {"circular": "通报", "reminder": "提醒", "talk": "约谈"}


class ReportError(Exception):
    """Refused generation; `message` is shown to the user (Chinese)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------- periods
def week_of(d: dt.date):
    start = d - dt.timedelta(days=d.weekday())
    return start, start + dt.timedelta(days=6)


def month_of(d: dt.date):
    return d.replace(day=1), d.replace(day=calendar.monthrange(d.year, d.month)[1])


def period_label(kind, start, end):
    if kind == "monthly":
        return f"{start.year}年{start.month}月"
    return f"{_cn(start)}至{_cn(end)}"


def _cn(d):
    return f"{d.year}年{d.month}月{d.day}日"


def organ_name():
    c = Campaign.active()
    if c is not None and c.organ:
        return c.organ
    root = Department.select().where(Department.kind == "bureau").order_by(Department.id).first()
    return root.name if root else DEFAULT_ORGAN


def next_number(year):
    n = Report.select().where(Report.number.contains(f"〔{year}〕")).count() + 1
    return f"机管报〔{year}〕{n}号"


# ---------------------------------------------------------------- the period's numbers
def _in_period(field, start, end):
    """A datetime column within [start 00:00, end+1 00:00)."""
    return (field >= dt.datetime.combine(start, dt.time.min)) & (
        field < dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))


def period_problems(start, end):
    """The Problems registered in the period (the ledger of the report), in ledger order."""
    return (Problem.select().where(_in_period(Problem.created_at, start, end)
                                   & (Problem.withdrawn == False))  # noqa: E712
            .order_by(Problem.id))


def period_stats(start, end, today=None):
    """The tables of the report, as plain data (stored with the report as its snapshot)."""
    today = today or clock.today()
    new = _in_period(Problem.created_at, start, end) & (Problem.withdrawn == False)  # noqa: E712
    done = Case(None, [(Problem.status.in_(DONE), 1)], 0)
    late = Case(None, [(Problem.overdue_expr(today), 1)], 0)
    selfr = Case(None, [(Problem.self_reported == True, 1)], 0)  # noqa: E712

    # 1. new problems by category: self-reported / found by others / rectified
    cats = OrderedDict()
    c = Campaign.active()
    if c is not None:
        for cat in Category.select().where(Category.campaign == c).order_by(Category.seq):
            cats[cat.id] = {"name": cat.name, "total": 0, "self": 0, "others": 0, "done": 0}
    q = (Problem.select(Item.category, fn.COUNT(Problem.id), fn.SUM(selfr), fn.SUM(done))
         .join(Item, JOIN.LEFT_OUTER, on=(Problem.item == Item.id))
         .where(new).group_by(Item.category).tuples())
    for cat_id, n, s, dn in q:
        if cat_id not in cats:
            name = Category.get_by_id(cat_id).name if cat_id else "未归类"
            cats[cat_id] = {"name": name, "total": 0, "self": 0, "others": 0, "done": 0}
        row = cats[cat_id]
        row["total"] += n
        row["self"] += int(s or 0)
        row["others"] += n - int(s or 0)
        row["done"] += int(dn or 0)

    # 2. new problems by department, and 3. everything registered up to the period's end
    upto = (Problem.created_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)) & (
        Problem.withdrawn == False)  # noqa: E712
    depts = OrderedDict()
    for d in (Department.select().where(Department.is_active == True)  # noqa: E712
              .order_by(Department.sort_order, Department.id)):
        depts[d.id] = {"name": d.name, "new": 0, "new_self": 0, "new_done": 0, "total": 0, "done": 0,
                       "overdue": 0}
    for dept_id, n, s, dn in (Problem.select(Problem.department, fn.COUNT(Problem.id), fn.SUM(selfr),
                                             fn.SUM(done))
                              .where(new).group_by(Problem.department).tuples()):
        row = depts.setdefault(dept_id, _dept_blank(dept_id))
        row["new"], row["new_self"], row["new_done"] = n, int(s or 0), int(dn or 0)
    for dept_id, n, dn, lt in (Problem.select(Problem.department, fn.COUNT(Problem.id), fn.SUM(done),
                                              fn.SUM(late))
                               .where(upto).group_by(Problem.department).tuples()):
        row = depts.setdefault(dept_id, _dept_blank(dept_id))
        row["total"], row["done"], row["overdue"] = n, int(dn or 0), int(lt or 0)
    dept_rows = [r for r in depts.values() if r["new"] or r["total"]]

    # 4. by source
    sources = OrderedDict((s, 0) for s in SOURCES)
    for src, n in Problem.select(Problem.source, fn.COUNT(Problem.id)).where(new).group_by(Problem.source).tuples():
        sources[src] = sources.get(src, 0) + n

    # 5. actions taken in the period
    actions = OrderedDict((k, 0) for k in ACTION_LABELS)
    actions_available = False
    try:
        from ..models.ledger import ProblemAction
        actions_available = ProblemAction.table_exists()
    except ImportError:
        pass
    if actions_available:
        for kind, n in (ProblemAction.select(ProblemAction.kind, fn.COUNT(ProblemAction.id))
                        .where(ProblemAction.date.between(start, end))
                        .group_by(ProblemAction.kind).tuples()):
            actions[kind] = actions.get(kind, 0) + n

    totals = {
        "new": sum(r["total"] for r in cats.values()),
        "new_self": sum(r["self"] for r in cats.values()),
        "new_done": sum(r["done"] for r in cats.values()),
        "total": sum(r["total"] for r in dept_rows),
        "done": sum(r["done"] for r in dept_rows),
        "overdue": sum(r["overdue"] for r in dept_rows),
    }
    totals["new_others"] = totals["new"] - totals["new_self"]
    totals["rate"] = round(100.0 * totals["done"] / totals["total"], 1) if totals["total"] else None
    return {"start": start.isoformat(), "end": end.isoformat(), "as_of": today.isoformat(),
            "categories": list(cats.values()), "departments": dept_rows, "sources": dict(sources),
            "actions": dict(actions) if actions_available else None, "totals": totals}


def _dept_blank(dept_id):
    d = Department.get_or_none(Department.id == dept_id)
    return {"name": d.name if d else "（未知部门）", "new": 0, "new_self": 0, "new_done": 0, "total": 0,
            "done": 0, "overdue": 0}


def _pct(done, total):
    return f"{100.0 * done / total:.1f}%" if total else "—"


def _ordered(d, order):
    """A stored snapshot's dict (keys sorted by JSON) back in the display order."""
    return [(k, d[k]) for k in order if k in d] + [(k, v) for k, v in d.items() if k not in order]


def tables(stats):
    """The report's tables in the documents engine's format."""
    t = stats["totals"]
    out = [{
        "caption": "表1　本期新增问题按整顿重点分类统计",
        "header": ["整顿重点", "新增问题", "自查发现", "被查发现", "已整改"],
        "widths": [5, 4, 4, 4, 4],
        "rows": [[r["name"], str(r["total"]), str(r["self"]), str(r["others"]), str(r["done"])]
                 for r in stats["categories"]]
        + [["合计", str(t["new"]), str(t["new_self"]), str(t["new_others"]), str(t["new_done"])]],
    }, {
        "caption": "表2　各部门问题整改情况",
        "header": ["部门", "本期新增", "其中自查", "累计问题", "累计整改", "整改率", "逾期未改"],
        "widths": [10.5, 2.5, 2.5, 2.5, 2.5, 3.5, 2.5],  # the longest unit name (8 characters) on one line
        "rows": [[r["name"], str(r["new"]), str(r["new_self"]), str(r["total"]), str(r["done"]),
                  _pct(r["done"], r["total"]), str(r["overdue"])] for r in stats["departments"]]
        + [["合计", str(t["new"]), str(t["new_self"]), str(t["total"]), str(t["done"]),
            _pct(t["done"], t["total"]), str(t["overdue"])]],
    }, {
        "caption": "表3　本期新增问题来源",
        "header": ["问题来源", "问题数", "处理原则"],
        "widths": [6, 4, 8],
        "rows": [[SOURCES.get(s, s), str(n), "自查从宽" if s == "selfcheck" else "被查从严"]
                 for s, n in _ordered(stats["sources"], SOURCES)]
        + [["合计", str(t["new"]), ""]],
    }]
    if stats.get("actions") is not None:
        a = stats["actions"]
        out.append({
            "caption": "表4　本期通报、提醒、约谈情况",
            "header": ["措施", "次数"],
            "widths": [8, 4],
            "rows": [[ACTION_LABELS.get(k, k), str(n)] for k, n in _ordered(a, ACTION_LABELS)]
            + [["合计", str(sum(a.values()))]],
        })
    return out


def summary_text(stats, label):
    t = stats["totals"]
    parts = [f"{label}，全局新登记问题{t['new']}个，其中个人自查发现{t['new_self']}个、"
             f"明察暗访和举报等被查发现{t['new_others']}个，已整改{t['new_done']}个。"]
    rate = f"{t['rate']}%" if t["rate"] is not None else "—"
    parts.append(f"截至{_cn(dt.date.fromisoformat(stats['end']))}，累计登记问题{t['total']}个，"
                 f"已整改（含销号）{t['done']}个，整改率{rate}；逾期未整改{t['overdue']}个。")
    if stats.get("actions") is not None:
        a = stats["actions"]
        parts.append(f"本期对问题严重或多发频发的，通报{a.get('circular', 0)}次、提醒{a.get('reminder', 0)}次、"
                     f"约谈{a.get('talk', 0)}次。")
    return "".join(parts)


def compose_body(narrative, stats, label, n_tables):
    """The office's narrative, then the generated data section with the tables in place."""
    narrative = "\n".join(line.strip() for line in (narrative or "").strip().splitlines() if line.strip())
    lines = ["一、工作开展情况"] + (narrative.splitlines() if narrative else ["（无）"])
    lines += ["二、有关数据统计", summary_text(stats, label)]
    lines += [f"[[表格{i}]]" for i in range(1, n_tables + 1)]
    lines += ["特此报告。"]
    return "\n".join(lines)


def doc_for(report_fields, stats, recipient_name):
    label = report_fields["label"]
    tbls = tables(stats)
    organ = report_fields["organ"]
    return {
        "organ": organ + "文件",
        "number": report_fields["number"] or None,
        "signer": report_fields["signer"],
        "title": report_fields["title"],
        "addressees": recipient_name,
        "body": compose_body(report_fields["narrative"], stats, label, len(tbls)),
        "tables": tbls,
        "attachments": [f"{label}“六治六提”问题整改台账（电子表格）"],
        "signature": report_fields["signature"],
        "date": report_fields["date"],
        "copy_to": "局党组书记、局长，局领导班子成员",
        "printer": organ + "办公室",
        "print_date": report_fields["date"],
    }


# ---------------------------------------------------------------- files
def reports_dir():
    return os.path.join(current_app.instance_path, "reports")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _zip(members):
    """A reproducible zip: fixed timestamps, sorted names."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in sorted(members):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def _ledger_xlsx(problems_q, title):
    try:
        from ..ledger.export import build_xlsx
    except ImportError:  # the ledger area is not installed: a plain sheet with the same facts
        return _plain_xlsx(problems_q, title)
    return build_xlsx(problems_q.iterator(), title)


def _plain_xlsx(problems_q, title):
    from openpyxl import Workbook
    from ..models import SEVERITIES, STATUSES
    wb = Workbook()
    ws = wb.active
    ws.title = "整改台账"
    ws.append([title])
    ws.append(["序号", "问题来源", "责任单位", "问题描述", "严重程度", "整改措施", "整改时限", "整改状态"])
    for i, p in enumerate(problems_q, 1):
        ws.append([i, SOURCES.get(p.source, p.source), p.department.name, p.description,
                   SEVERITIES.get(p.severity, p.severity), p.measures,
                   p.deadline.isoformat() if p.deadline else "", STATUSES.get(p.status, p.status)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def generate(actor, kind, start, end, narrative, signer, number="", title="", signature="", date=None):
    """Build and keep a report: three PDFs (one per recipient), the period's ledger, a zip per recipient.
    Returns the Report. Raises ReportError with a Chinese message."""
    from ..documents.render import MissingGlyph, render_pdf
    if kind not in REPORT_KINDS:
        raise ReportError("报告类型无效。")
    if start > end:
        raise ReportError("起始日期不能晚于截止日期。")
    if (end - start).days > 366:
        raise ReportError("报告时段不能超过一年。")
    today = clock.today()
    if start > today:
        raise ReportError("报告时段尚未开始。")
    label = period_label(kind, start, end)
    organ = organ_name()
    title = (title or "").strip() or f"关于{label}“六治六提”干部队伍作风纪律整顿工作开展情况的报告"
    fields = {"label": label, "organ": organ, "number": (number or "").strip(), "signer": signer.strip(),
              "title": title, "narrative": narrative, "signature": (signature or "").strip() or organ,
              "date": date or today}
    stats = period_stats(start, end, today)
    pdfs = {}
    try:
        for code, name in RECIPIENTS:
            pdfs[code] = render_pdf("report", doc_for(fields, stats, name))
    except MissingGlyph as e:
        raise ReportError(str(e))
    plist = period_problems(start, end)
    count = plist.count()
    xlsx = _ledger_xlsx(plist, f"{label}“六治六提”问题整改台账")
    base = f"{label}作风纪律整顿工作情况报告"
    ledger_name = f"{label}问题整改台账.xlsx"
    files = [("", "xlsx", ledger_name, xlsx)]
    for code, name in RECIPIENTS:
        pdf_name = f"{base}（报{name}）.pdf"
        files.append((code, "pdf", pdf_name, pdfs[code]))
        files.append((code, "zip", f"{base}（报{name}）.zip", _zip([(pdf_name, pdfs[code]), (ledger_name, xlsx)])))
    root = reports_dir()
    os.makedirs(root, exist_ok=True)
    folder = None
    try:
        with db.atomic():
            report = Report.create(kind=kind, period_start=start, period_end=end, title=title,
                                   number=fields["number"], signer=fields["signer"], narrative=narrative or "",
                                   stats=json.dumps(stats, ensure_ascii=False, sort_keys=True),
                                   problem_count=count, created_by=actor, created_at=clock.now())
            folder = os.path.join(root, str(report.id))
            os.makedirs(folder, exist_ok=False)
            for i, (code, fkind, name, data) in enumerate(files, 1):
                rel = f"{report.id}/{i:02d}.{fkind}"
                path = os.path.join(root, rel)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o440)
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                ReportFile.create(report=report, recipient=code, kind=fkind, filename=name, path=rel,
                                  sha256=sha256(data), size=len(data))
            audit.record("report_generate", "report", report.id, actor=actor,
                         detail={"kind": kind, "start": start.isoformat(), "end": end.isoformat(),
                                 "problems": count, "files": len(files)})
    except Exception:
        if folder and os.path.isdir(folder):
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return report


class Tampered(Exception):
    pass


def read_file(rf: ReportFile) -> bytes:
    """The stored bytes, checked against the recorded SHA-256."""
    path = os.path.join(reports_dir(), rf.path)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise Tampered("文件缺失")
    if sha256(data) != rf.sha256:
        raise Tampered("文件内容与登记的校验值不符")
    return data


# ---------------------------------------------------------------- departments' own reports
def department_report_model():
    try:
        from ..models.selfcheck import DepartmentReport
    except ImportError:
        return None
    try:
        return DepartmentReport if DepartmentReport.table_exists() else None
    except Exception:  # noqa: BLE001
        return None


def reporting_departments():
    """The departments that report: active 科室 and 事业单位 (not the bureau root nor the leadership)."""
    return list(Department.select().where((Department.is_active == True)  # noqa: E712
                                          & Department.kind.in_(("office", "unit")))
                .order_by(Department.sort_order, Department.id))


def reporting_status(period_code, due_date=None, today=None):
    """[{department, status: submitted/draft/missing, submitted_at, late}] for one period, or None
    when the self-check area's reports are not available."""
    DR = department_report_model()
    if DR is None:
        return None
    today = today or clock.today()
    c = Campaign.active()
    q = DR.select().where(DR.period == period_code)
    if c is not None:
        q = q.where(DR.campaign == c.id)
    by_dept = {r.department_id: r for r in q}
    out = []
    for d in reporting_departments():
        r = by_dept.get(d.id)
        status = "missing" if r is None else ("submitted" if r.status == "submitted" else "draft")
        submitted_at = r.submitted_at if r is not None and status == "submitted" else None
        late = bool(due_date) and (
            (submitted_at is not None and submitted_at.date() > due_date)
            or (submitted_at is None and today > due_date))
        out.append({"department": d, "status": status, "submitted_at": submitted_at, "late": late,
                    "report": r})
    return out


def missing_departments(period_code):
    """Departments without a submitted report for the period (for reminders)."""
    rows = reporting_status(period_code) or []
    return [r["department"] for r in rows if r["status"] != "submitted"]


def periods():
    return list(ReportingPeriod.select().order_by(ReportingPeriod.start_date.desc(), ReportingPeriod.id.desc()))


def period_choices():
    """[(code, label)]: "全程", the campaign's months up to now (what the heads can report for), and
    any period the office set; newest first after "全程"."""
    set_by_office = {p.code: p for p in periods()}
    codes = set(set_by_office)
    c = Campaign.active()
    if c is not None:
        d = c.start_date.replace(day=1)
        last = min(c.end_date, clock.today())
        while d <= last:
            codes.add(f"{d.year}-{d.month:02d}")
            d = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    codes.discard("全程")
    out = [("全程", "全程（整顿工作全过程）")]
    for code in sorted(codes, reverse=True):
        p = set_by_office.get(code)
        if p is not None:
            out.append((code, f"{p.name}（报送截止 {p.due_date:%Y-%m-%d}）"))
        else:
            y, m = code.split("-")
            out.append((code, f"{y}年{int(m)}月（未设截止日期）"))
    return out


def create_period(actor, code, name, start, end, due):
    if start > end:
        raise ReportError("起始日期不能晚于截止日期。")
    if due < start:
        raise ReportError("报送截止日期不能早于周期起始日期。")
    if ReportingPeriod.select().where(ReportingPeriod.code == code).exists():
        raise ReportError(f"报送周期“{code}”已存在。")
    c = Campaign.active()
    p = ReportingPeriod.create(campaign=c, code=code, name=name, start_date=start, end_date=end,
                               due_date=due, created_by=actor, created_at=clock.now())
    audit.record("reporting_period_create", "reporting_period", p.id, actor=actor,
                 detail={"code": code, "due": due.isoformat()})
    return p


def user_name(uid):
    u = User.get_or_none(User.id == uid)
    return u.real_name if u else ""
