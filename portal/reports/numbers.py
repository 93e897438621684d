"""The period's numbers (Problems found, rectified, by source/department/category), the report's tables,
summary text, body and the document fields handed to the documents engine.
"""

import datetime as dt
from collections import OrderedDict

from peewee import JOIN, Case, fn

from .. import clock
from ..models.problem import HAND_ONLY_SOURCES
from ..models import SOURCES, Campaign, Category, Department, Item, Problem
from ..models.ledger import ProblemAction
from . import charts
from .common import ACTION_LABELS, DONE, _cn
from .figures import extra_stats
from .tables_more import extra_tables, extra_text


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
    sources = OrderedDict((s, 0) for s in SOURCES if s not in HAND_ONLY_SOURCES)  # those only when present
    for src, n in Problem.select(Problem.source, fn.COUNT(Problem.id)).where(new).group_by(Problem.source).tuples():
        sources[src] = sources.get(src, 0) + n

    # 5. actions taken in the period
    actions = OrderedDict((k, 0) for k in ACTION_LABELS)
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
            "actions": dict(actions), "totals": totals, **extra_stats(start, end)}


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
    a = stats["actions"]
    out.append({
        "caption": "表4　本期通报、提醒、约谈情况",
        "header": ["措施", "次数"],
        "widths": [8, 4],
        "rows": [[ACTION_LABELS.get(k, k), str(n)] for k, n in _ordered(a, ACTION_LABELS)]
        + [["合计", str(sum(a.values()))]],
    })
    return out


def all_tables(stats):
    """The PDF's tables and the further ones (the page and the workbook show them; the PDF says them in text)."""
    out = tables(stats)
    return out + extra_tables(stats, len(out) + 1)


def summary_text(stats, label):
    t = stats["totals"]
    parts = [f"{label}，全局新登记问题{t['new']}个，其中个人自查发现{t['new_self']}个、"
             f"明察暗访和举报等被查发现{t['new_others']}个，已整改{t['new_done']}个。"]
    rate = f"{t['rate']}%" if t["rate"] is not None else "—"
    parts.append(f"截至{_cn(dt.date.fromisoformat(stats['end']))}，累计登记问题{t['total']}个，"
                 f"已整改（含销号）{t['done']}个，整改率{rate}；逾期未整改{t['overdue']}个。")
    a = stats["actions"]
    parts.append(f"本期对问题严重或多发频发的，通报{a.get('circular', 0)}次、提醒{a.get('reminder', 0)}次、"
                 f"约谈{a.get('talk', 0)}次。")
    return "".join(parts)


def compose_body(narrative, stats, label, n_tables, n_figures=0, typical="", plan=""):
    """The office's narrative, then the generated data section: summary, tables (and charts placed in the
    body when ``n_figures``; the 报告 puts them on 附件 pages instead, see doc_for)."""
    narrative = "\n".join(line.strip() for line in (narrative or "").strip().splitlines() if line.strip())
    lines = ["一、工作开展情况"] + (narrative.splitlines() if narrative else ["（无）"])
    lines += ["二、有关数据统计", summary_text(stats, label)]
    lines += [f"[[表格{i}]]" for i in range(1, n_tables + 1)]
    lines += [f"[[图{i}]]" for i in range(1, n_figures + 1)]
    lines += extra_text(stats)
    if typical.strip() or plan.strip():
        lines += ["三、典型案例"] + (_paras(typical) or ["（无）"])
        lines += ["四、下一步工作计划"] + (_paras(plan) or ["（无）"])
    lines += ["特此报告。"]
    return "\n".join(lines)


def _paras(text):
    return [line.strip() for line in (text or "").strip().splitlines() if line.strip()]


def doc_for(report_fields, stats, recipient_name):
    label = report_fields["label"]
    tbls, figs = tables(stats), charts.figures(stats)
    organ = report_fields["organ"]
    return {
        "organ": organ + "文件",
        "number": report_fields["number"] or None,
        "signer": report_fields["signer"],
        "title": report_fields["title"],
        "addressees": recipient_name,
        "body": compose_body(report_fields["narrative"], stats, label, len(tbls),
                             typical=report_fields.get("typical_cases", ""), plan=report_fields.get("next_plan", "")),
        "tables": tbls,
        # the charts on 附件 pages of their own (titled), so no page of body text is left short
        "attachments": [f"{label}“六治六提”问题整改台账（电子表格）"]
        + charts.attachment_pages(figs, label),
        "signature": report_fields["signature"],
        "date": report_fields["date"],
        "copy_to": "局党组书记、局长，局领导班子成员",
        "printer": organ + "办公室",
        "print_date": report_fields["date"],
        "note": report_fields.get("audit_head", ""),  # 附注: the audit chain's head (portal/audit.py)
    }
