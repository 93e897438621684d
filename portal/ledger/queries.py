"""Ledger queries. Every query starts from scoped_problems(user): the role's scope is part of the SQL.

filtered(user, args)      -> the ordered, joined query of what the filter shows (no pagination)
status_counts(user, args) -> {pending, in_progress, rectified, closed, overdue, total}
page_of(user, filters)    -> one screen page, its total and the counters (total reuses the counters)

Decorating rows and the ledger's cell texts are in table.py, filter choices in choices.py, rendered
screen rows in rows.py.
"""

import datetime as dt
import math
import re

from flask import current_app
from peewee import JOIN, Case, fn

from .. import clock, search
from ..paging import Page, paginate
from ..models import SEVERITIES, STATUSES, Category, Department, Item, Problem, User
from ..models.ledger import NO_DEADLINE, DeadlineExtension, LedgerCount, MechanismProblem, ProblemAction
from ..models.problem import due_soon_cond, overdue_cond
from ..permissions import scope_problems, visible_departments
from .forms import Filters, parse_filters
from .forms import _month as month_range
from .rows import attach_ops
from .table import decorate


Person = User.alias("person")


def scoped_problems(user):
    """Problems the user may see (scope in SQL), without withdrawn self-check entries."""
    return Problem.select().where(scope_problems(user) & (Problem.withdrawn == False))  # noqa: E712


def charge_expr(user):
    """The departments part of the user's scope alone (the dashboard counts departments; the ledger's
    scope adds the user's own problems elsewhere): links from a count carry scope=depts."""
    depts = visible_departments(user)
    if depts is None:
        return Problem.id.is_null(False)
    return Problem.department.in_(sorted(depts) or [0])


def _as_filters(args) -> Filters:
    return args if isinstance(args, Filters) else parse_filters(args or {})


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
    if f.charge:
        conds.append(charge_expr(user))
    if f.mine:
        conds.append(Problem.person == user.id)
    if f.person:
        conds.append(Problem.person == f.person)
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
        conds.append(Problem.due_soon_expr())
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
    if f.aspect == "none":
        conds.append(Problem.aspect.is_null())
    elif f.aspect:
        conds.append(Problem.aspect == int(f.aspect))
    if f.action or f.action_month:
        acts = ProblemAction.select(ProblemAction.problem)
        if f.action:
            acts = acts.where(ProblemAction.kind == f.action)
        if f.action_month:
            first, last = month_range(f.action_month)
            acts = acts.where(ProblemAction.date.between(first, last))
        conds.append(Problem.id.in_(acts))
    if f.self_reported:
        conds.append(Problem.self_reported == (f.self_reported == "1"))
    if f.stage:
        conds.append(Problem.review_stage == f.stage)
    for term in f.q.split():
        phrase = search.indexable(term)
        text = (Problem.id.in_(search.matching_ids(phrase)) if phrase else
                (_has(Problem.description, term) | _has(Problem.measures, term) | _has(Problem.remark, term)))
        like = (text
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
    if f.sort == "person":  # 拼音 order (portal/sorting.py), not the bytes of the name
        from ..sorting import person_order
        rank = person_order(Problem.person)
        if rank is not None:
            cols = [rank]
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
    narrowed = (f.dept or f.mine or f.person or f.q or f.mech or f.cat or f.source or f.severity or f.ext or f.aspect or f.action
                or f.action_month or f.self_reported)
    if visible_departments(user) is None and not narrowed:
        return _summary_counts(f, counts)
    conds = _conditions(user, f, with_status=False)
    if f.q:
        # a search counts exactly up to a bound, then says "1,000+" instead of reading every match
        bound = search.COUNT_BOUND
        found = Problem.select(Problem.id).where(_where(conds)).limit(bound + 1)
        if found.count() > bound:
            return dict(dict.fromkeys(STATUSES, "—"), overdue="—", total=bound, capped=True)
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
    overdue = overdue_cond(lc.status, lc.deadline, today)
    conds = [lc.n != 0]
    if f.due_from:
        conds += [lc.deadline >= f.due_from, lc.deadline != NO_DEADLINE]
    if f.due_to:
        conds.append(lc.deadline <= f.due_to)
    if f.overdue:
        conds.append(overdue)
    if f.due_soon:
        conds.append(due_soon_cond(lc.status, lc.deadline, today))
    late = 0
    for status, n, od in (lc.select(lc.status, fn.SUM(lc.n), fn.SUM(Case(None, [(overdue, lc.n)], 0)))
                          .where(_where(conds)).group_by(lc.status).tuples()):
        if status in counts:
            counts[status] = int(n or 0)
            late += int(od or 0)
    counts["overdue"] = late
    counts["total"] = sum(counts[s] for s in STATUSES)
    return counts


def page_of(user, f: Filters, per_page=None) -> Page:
    """One screen page (portal/paging.py); its total comes from the counters, which it also carries."""
    counts = status_counts(user, f)
    total = counts["total"] if f.status and counts.get("capped") else (
        counts[f.status] if f.status else counts["total"])
    pg = paginate(filtered(user, f), f.page, per_page or current_app.config.get("PAGE_SIZE", 50), total=total)
    f.page = pg.page  # out of range -> last page
    decorate(pg.rows, with_evidence=False)
    attach_ops(pg.rows, user)
    pg.counts = counts
    return pg
