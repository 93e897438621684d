"""Ledger queries. Every query starts from scoped_problems(user): the role's scope is part of the SQL.

filtered(user, args)      -> the ordered, joined query of what the filter shows (no pagination)
status_counts(user, args) -> {pending, in_progress, rectified, closed, overdue, total}
page_of(user, filters)    -> one screen page, its total and the counters (total reuses the counters)
"""
import datetime as dt
import math
import re
from collections import defaultdict
from dataclasses import dataclass

from flask import current_app
from peewee import JOIN, Case, fn

from .. import clock
from ..models import (SEVERITIES, SOURCES, STATUSES, Category, Department, Item, Problem, User)
from ..models.ledger import (NO_DEADLINE, DeadlineExtension, LedgerCount, Mechanism, MechanismProblem,
                             ProblemAction, ProblemEvidence)
from ..permissions import scope_problems, visible_departments
from .forms import Filters, parse_filters

Person = User.alias("person")
OPEN = ("pending", "in_progress")


def scoped_problems(user):
    """Problems the user may see (scope in SQL), without withdrawn self-check entries."""
    return Problem.select().where(scope_problems(user) & (Problem.withdrawn == False))  # noqa: E712


def _as_filters(args) -> Filters:
    return args if isinstance(args, Filters) else parse_filters(args or {})


def due_soon_expr(today=None):
    today = today or clock.today()
    days = current_app.config.get("DUE_SOON_DAYS", 7)
    return (Problem.deadline.between(today, today + dt.timedelta(days=days))
            & Problem.status.in_(OPEN) & (Problem.withdrawn == False))  # noqa: E712


def _has(field, term):
    """Substring match. SQLite: instr() (a plain byte search, several times faster than LIKE on Chinese
    text, and no wildcards to escape); PostgreSQL: ILIKE through peewee's contains()."""
    from ..db import is_postgres
    if is_postgres():
        return field.contains(term)
    return fn.INSTR(field, term) > 0


def _conditions(user, f: Filters, with_status=True) -> list:
    """The where-parts of a filter. Values out of the user's reach simply match nothing."""
    conds = [scope_problems(user), Problem.withdrawn == False]  # noqa: E712
    if f.dept:
        conds.append(Problem.department == f.dept)
    if f.cat:
        if f.cat[0] == "c":
            conds.append(Problem.item.in_(Item.select(Item.id).where(Item.category == int(f.cat[1:]))))
        else:
            conds.append(Problem.item == int(f.cat[1:]))
    if f.source:
        conds.append(Problem.source == f.source)
    if f.severity:
        conds.append(Problem.severity == f.severity)
    if with_status and f.status:
        conds.append(Problem.status == f.status)
    if f.overdue:
        conds.append(Problem.overdue_expr())
    if f.due_soon:
        conds.append(due_soon_expr())
    if f.due_from:
        conds.append(Problem.deadline >= f.due_from)
    if f.due_to:
        conds.append(Problem.deadline <= f.due_to)
    if f.ext:
        conds.append(Problem.id.in_(DeadlineExtension.select(DeadlineExtension.problem)
                                    .where(DeadlineExtension.status == "pending")))
    if f.mech == "none":
        conds.append((Problem.severity == "common")
                     & Problem.id.not_in(MechanismProblem.select(MechanismProblem.problem)))
    elif f.mech:
        conds.append(Problem.id.in_(MechanismProblem.select(MechanismProblem.problem)
                                    .where(MechanismProblem.mechanism == int(f.mech))))
    for term in f.q.split():
        like = (_has(Problem.description, term) | _has(Problem.measures, term) | _has(Problem.remark, term)
                | Problem.person.in_(User.select(User.id).where(_has(User.real_name, term)))
                | Problem.department.in_(Department.select(Department.id).where(_has(Department.name, term))))
        m = re.fullmatch(r"#?(\d{1,9})", term)
        if m:
            like = like | (Problem.id == int(m.group(1)))
        conds.append(like)
    return conds


def _where(conds):
    out = conds[0]
    for c in conds[1:]:
        out = out & c
    return out


_STATUS_ORDER = Case(Problem.status, [(k, i) for i, k in enumerate(STATUSES)], 9)
_SEVERITY_ORDER = Case(Problem.severity, [(k, i) for i, k in enumerate(SEVERITIES)], 9)


def _order(f: Filters):
    d = "desc" if f.desc else "asc"
    cols = {
        "seq": [Problem.id],
        "source": [Problem.source],
        "department": [Department.sort_order, Department.id],
        "person": [Person.real_name],
        "category": [Item.seq],
        "severity": [_SEVERITY_ORDER],
        "status": [_STATUS_ORDER],
        "updated": [Problem.updated_at],
    }.get(f.sort)
    if f.sort == "deadline":
        order = [Problem.deadline.desc(nulls="LAST") if f.desc else Problem.deadline.asc(nulls="LAST")]
    else:
        order = [getattr(c, d)() for c in cols]
    if f.sort != "seq":
        order.append(Problem.id.desc() if f.desc else Problem.id.asc())
    return order


def _joined(where):
    # only the related columns the ledger shows (never a person's password hash or phone)
    return (Problem.select(Problem, Department.id, Department.name, Department.sort_order, Person.id,
                           Person.real_name, Item.id, Item.seq, Item.text, Item.category, Category.id,
                           Category.name)
            .join(Department, on=(Problem.department == Department.id))
            .switch(Problem).join(Person, JOIN.LEFT_OUTER, on=(Problem.person == Person.id))
            .switch(Problem).join(Item, JOIN.LEFT_OUTER, on=(Problem.item == Item.id))
            .join(Category, JOIN.LEFT_OUTER, on=(Item.category == Category.id))
            .where(where))


def filtered(user, args):
    """Every Problem the filter shows within the user's scope, in screen order (no pagination)."""
    f = _as_filters(args)
    return _joined(_where(_conditions(user, f))).order_by(*_order(f))


def status_counts(user, args) -> dict:
    """Counters above the table: the filter without its status part, one number per status plus
    逾期 (computed from deadline and status, never stored). A filter counts in one grouped pass over
    its rows (the scope and filter indexes narrow them); the all-seeing whole-ledger view (optionally narrowed by
    status, deadline range, overdue, due soon) reads the trigger-maintained LedgerCount instead."""
    f = _as_filters(args)
    counts = dict.fromkeys(STATUSES, 0)
    narrowed = f.dept or f.q or f.mech or f.cat or f.source or f.severity or f.ext
    if visible_departments(user) is None and not narrowed:
        return _summary_counts(f, counts)
    conds = _conditions(user, f, with_status=False)
    overdue = Problem.overdue_expr()
    # grouping by an expression (status || '') keeps SQLite from walking the status index in group
    # order with a table lookup per row; the WHERE still picks the scope/filter index
    key = Problem.status.concat("")
    q = (Problem.select(key, fn.COUNT(Problem.id).alias("n"), fn.SUM(Case(None, [(overdue, 1)], 0)).alias("late"))
         .where(_where(conds)).group_by(key).tuples())
    late = 0
    for status, n, od in q:
        if status in counts:
            counts[status] = int(n)
            late += int(od or 0)  # PostgreSQL sums to Decimal
    counts["overdue"] = late
    counts["total"] = sum(counts[s] for s in STATUSES)
    return counts


def _summary_counts(f: Filters, counts: dict) -> dict:
    """Whole-ledger counters from the trigger-maintained LedgerCount rows (a few thousand at most,
    whatever the number of Problems). 逾期 is still computed here, from deadline < today."""
    lc = LedgerCount
    today = clock.today()
    overdue = (lc.deadline < today) & lc.status.in_(OPEN)
    conds = [lc.n != 0]
    if f.due_from:
        conds += [lc.deadline >= f.due_from, lc.deadline != NO_DEADLINE]
    if f.due_to:
        conds.append(lc.deadline <= f.due_to)
    if f.overdue:
        conds.append(overdue)
    if f.due_soon:
        days = current_app.config.get("DUE_SOON_DAYS", 7)
        conds.append(lc.deadline.between(today, today + dt.timedelta(days=days)) & lc.status.in_(OPEN))
    late = 0
    for status, n, od in (lc.select(lc.status, fn.SUM(lc.n), fn.SUM(Case(None, [(overdue, lc.n)], 0)))
                          .where(_where(conds)).group_by(lc.status).tuples()):
        if status in counts:
            counts[status] = int(n or 0)
            late += int(od or 0)
    counts["overdue"] = late
    counts["total"] = sum(counts[s] for s in STATUSES)
    return counts


@dataclass
class Page:
    rows: list
    total: int
    page: int
    pages: int
    per_page: int
    counts: dict

    @property
    def offset(self):
        return (self.page - 1) * self.per_page


def page_of(user, f: Filters, per_page=None) -> Page:
    per_page = per_page or current_app.config.get("PAGE_SIZE", 50)
    counts = status_counts(user, f)
    total = counts[f.status] if f.status else counts["total"]
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, f.page), pages)  # out of range -> last page
    f.page = page
    rows = list(filtered(user, f).limit(per_page).offset((page - 1) * per_page)) if total else []
    decorate(rows, with_evidence=False)
    attach_ops(rows, user)
    return Page(rows, total, page, pages, per_page, counts)


def decorate(rows, with_evidence=True, with_extensions=True):
    """Attach to each Problem: .action_list, .mechanism_list, .evidence_count, .pending_ext — in a
    few queries for the whole list (no query per row)."""
    ids = [p.id for p in rows]
    acts, mechs, evid, exts = defaultdict(list), defaultdict(list), defaultdict(int), {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for a in (ProblemAction.select().where(ProblemAction.problem.in_(chunk))
                  .order_by(ProblemAction.date, ProblemAction.id)):
            acts[a.problem_id].append(a)
        for mp in (MechanismProblem.select(MechanismProblem.problem, Mechanism.id, Mechanism.title)
                   .join(Mechanism).where(MechanismProblem.problem.in_(chunk))):
            mechs[mp.problem_id].append(mp.mechanism)
        if with_evidence:  # only the row editor shows the evidence count
            for pid, n in (ProblemEvidence.select(ProblemEvidence.problem, fn.COUNT(ProblemEvidence.id))
                           .where(ProblemEvidence.problem.in_(chunk))
                           .group_by(ProblemEvidence.problem).tuples()):
                evid[pid] = n
        if with_extensions:
            for e in DeadlineExtension.select().where(DeadlineExtension.problem.in_(chunk)
                                                      & (DeadlineExtension.status == "pending")):
                exts[e.problem_id] = e
    today = clock.today()
    soon = today + dt.timedelta(days=current_app.config.get("DUE_SOON_DAYS", 7))
    for p in rows:
        p.action_list = acts.get(p.id, [])
        p.mechanism_list = mechs.get(p.id, [])
        p.evidence_count = evid.get(p.id, 0)
        p.pending_ext = exts.get(p.id)
        p.due_soon = (p.status in OPEN and p.deadline is not None and not p.withdrawn
                      and today <= p.deadline <= soon)
    return rows


# -- the paper columns, shared by the screen and the export ----------------------------------------

COLUMNS = ("序号", "问题来源", "责任单位", "责任人", "问题类别", "问题描述", "严重程度", "整改措施",
           "整改时限", "整改状态", "处理方式", "销号情况", "备注")


def _rel(p, name):
    """A related row if it was loaded with the query (or is cheap to load)."""
    try:
        return getattr(p, name)
    except Exception:  # noqa: BLE001 - a missing relation shows as empty
        return None


def source_text(p):
    return "自查（主动查摆）" if p.self_reported or p.source == "selfcheck" else SOURCES.get(p.source, p.source)


def category_text(p):
    item = _rel(p, "item")
    if item is None:
        return ""
    cat = _rel(item, "category")
    return f"{cat.name if cat else ''} {item.seq}. {item.text}".strip()


def status_text(p):
    s = STATUSES.get(p.status, p.status)
    return s + "（逾期）" if p.is_overdue else s


def actions_text(p):
    return "；".join(f"{a.kind_label} {a.date.isoformat()}" for a in getattr(p, "action_list", []))


def closing_text(p):
    if p.status == "closed":
        return f"已销号 {p.closed_at.date().isoformat()}" if p.closed_at else "已销号"
    return "未销号"


def remark_text(p):
    parts = [p.remark] if p.remark else []
    if p.fixed_at_once:
        parts.append("立行立改")
    for m in getattr(p, "mechanism_list", []):
        parts.append(f"长效机制：{m.title}")
    return "；".join(parts)


def cells(p, seq: int) -> list:
    """One ledger line as text, in COLUMNS order."""
    dept = _rel(p, "department")
    person = _rel(p, "person")
    return [
        seq, source_text(p), dept.name if dept else "", person.real_name if person else "",
        category_text(p), p.description, SEVERITIES.get(p.severity, p.severity), p.measures,
        p.deadline.isoformat() if p.deadline else "", status_text(p), actions_text(p),
        closing_text(p), remark_text(p),
    ]


# -- choices for the filter form --------------------------------------------------------------------

def department_choices(user):
    depts = visible_departments(user)
    q = Department.select(Department.id, Department.name).where(Department.is_active == True)  # noqa: E712
    if depts is not None:
        if not depts:
            return []
        q = q.where(Department.id.in_(sorted(depts)))
    return list(q.order_by(Department.sort_order, Department.id).tuples())


_CATEGORY_CACHE: dict = {}


def category_choices():
    """[(Category, [Item…])] of the active campaign. A campaign version never changes its checklist
    (changed content becomes a new version), so the list is kept per (id, content hash)."""
    from ..models import Campaign
    c = Campaign.active()
    if c is None:
        return []
    key = (c.id, c.content_hash)
    if key not in _CATEGORY_CACHE:
        items = defaultdict(list)
        for it in (Item.select(Item.id, Item.seq, Item.text, Item.category).where(Item.campaign == c)
                   .order_by(Item.seq)):
            items[it.category_id].append(it)
        _CATEGORY_CACHE.clear()
        _CATEGORY_CACHE[key] = [(cat, items[cat.id]) for cat in
                                Category.select().where(Category.campaign == c).order_by(Category.seq)]
    return _CATEGORY_CACHE[key]


def mechanism_choices():
    return list(Mechanism.select(Mechanism.id, Mechanism.title).order_by(Mechanism.date.desc(), Mechanism.id.desc())
                .tuples())


def heads_choices(user):
    """People a Problem may be assigned to: department heads within the user's reach."""
    from ..models import RoleAssignment
    heads = RoleAssignment.select(RoleAssignment.user).where(RoleAssignment.role == "dept_head")
    q = (User.select(User.id, User.real_name, Department.name).join(Department)
         .where(User.id.in_(heads) & (User.is_active_flag == True)))  # noqa: E712
    depts = visible_departments(user)
    if depts is not None:
        q = q.where(User.department.in_(sorted(depts) or [0]))
    return list(q.order_by(Department.sort_order, User.id).tuples())


def attach_ops(rows, user):
    """The row buttons each Problem offers this user: [(mode, label, primary)], decided once in Python."""
    from ..permissions import can
    office = "discipline" in user.roles
    for p in rows:
        ops = []
        st = p.status
        if st == "pending" and can(user, "problem.rectify", p):
            ops.append(("start", "开始整改", True))
        if st == "in_progress" and can(user, "problem.rectify", p):
            ops.append(("rectify", "报告已整改", True))
        if st == "rectified" and office:
            ops += [("close", "销号", True), ("return", "退回", False)]
        if getattr(p, "pending_ext", None) and office:
            ops.append(("decide", "审批延期", False))
        if st in OPEN and not getattr(p, "pending_ext", None) and can(user, "problem.extend", p):
            ops.append(("extend", "申请延期", False))
        if st != "closed" and office:
            ops.append(("action", "通报提醒约谈", False))
        if st != "closed" and can(user, "problem.edit", p):
            ops.append(("edit", "编辑", False))
        p.ops = ops
    return rows


# -- row rendering memo ------------------------------------------------------------------------------
# A row's HTML is a pure function of what it shows; the key below holds every shown value, so a change
# anywhere (a field, an action, a link, the date, the viewer's buttons) is a new key, never a stale row.
_ROW_CACHE: dict = {}
_ROW_CACHE_MAX = 5000


def _row_key(p, seq, office, base, today):
    item = p.item if p.item_id else None
    return (
        p.id, p.version, seq, office, base, today, p.status, p.severity, p.source, p.self_reported,
        p.description, p.measures, p.remark, p.deadline, p.fixed_at_once, p.closed_at, p.withdrawn,
        p.department.name, p.person.real_name if p.person_id else None,
        (item.id, item.seq, item.text, item.category.name) if item else None,
        tuple((a.id, a.kind, a.date, a.document_id) for a in p.action_list),
        tuple((m.id, m.title) for m in p.mechanism_list),
        (p.pending_ext.id, p.pending_ext.new_deadline) if p.pending_ext else None,
        tuple(p.ops), p.due_soon,
    )


def render_row(p, seq, office, base, today, actor=True):
    from flask import render_template
    from markupsafe import Markup
    key = (_row_key(p, seq, office, base, today), actor)
    html = _ROW_CACHE.get(key)
    if html is None:
        html = Markup(render_template("ledger/_row.html", p=p, seq=seq, office=office, L=base, today=today,
                                      error=None, actor=actor))
        if len(_ROW_CACHE) >= _ROW_CACHE_MAX:
            _ROW_CACHE.clear()
        _ROW_CACHE[key] = html
    return html
