"""Ledger queries. Every query starts from scoped_problems(user): the role's scope is part of the SQL.

filtered(user, args)      -> the ordered, joined query of what the filter shows (no pagination)
status_counts(user, args) -> {pending, in_progress, rectified, closed, overdue, total}
page_of(user, filters)    -> one screen page, its total and the counters (total reuses the counters)

Decorating rows and the ledger's cell texts are in table.py, filter choices in choices.py, rendered
screen rows in rows.py.
"""

import datetime as dt
import re

from flask import current_app
from peewee import JOIN, SQL, Case, fn

from .. import clock, search
from ..paging import Page, page_number
from ..models import STATUSES, Category, Department, Item, Problem, User
from ..models.ledger import NO_DEADLINE, DeadlineExtension, LedgerCount, MechanismProblem, ProblemAction
from ..models.problem import due_soon_cond, overdue_cond
from ..permissions import scope_problems, visible_departments
from .forms import Filters, parse_filters
from .forms import _month as month_range
from . import keyset
from .keyset import Person
from .rows import attach_ops
from .table import decorate



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


def _conditions(user, f: Filters, with_status=True, joined=False) -> list:
    """The where-parts of a filter. Values out of the user's reach simply match nothing. joined: the query
    is joined to the search index (_fts_joined), which answers the indexable words itself."""
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
    conds += _search_conditions(f.q, joined)
    return conds


def _indexed(q: str) -> list:
    """The phrases of the search's words that the index answers together (not numbers: see below)."""
    return [search.indexable(t) for t in q.split()
            if search.indexable(t) and not re.fullmatch(r"#?(\d{1,9})", t)]


def _fts_phrases(f: Filters, user) -> list:
    """SQLite, for a viewer who sees the whole ledger with no department or person chosen: the search's
    phrases to join the FTS5 table for (the index's matches are then mostly shown: reading them in order
    stops early). Empty otherwise: a narrow scope reads its few rows through its own index and keeps the
    IN-subquery form, as PostgreSQL always does (its planner drives that from the GIN index itself)."""
    from ..db import is_postgres
    wide = visible_departments(user) is None and not (f.dept or f.person or f.mine or f.charge)
    return _indexed(f.q) if f.q and wide and not is_postgres() else []


def _fts_joined(query, f: Filters, user):
    """`query` joined to the FTS5 table for _fts_phrases, or None when there are none."""
    phrases = _fts_phrases(f, user)
    if not phrases:
        return None
    return query.switch(Problem).join(search.Fts, on=(search.Fts.rowid == Problem.id)).where(search.fts_match(phrases))


def _search_conditions(q: str, joined=False) -> list:
    """The search box: every word must match. Words the bigram index answers (2+ characters) are one probe of
    the index for all of them together (names are in the indexed document, portal/search.py); a word that
    is a number also finds that Problem's number; a single character falls back to a substring scan of the
    texts and names."""
    conds, indexed = [], []
    for term in q.split():
        phrase = search.indexable(term)
        m = re.fullmatch(r"#?(\d{1,9})", term)
        if phrase and not m:
            indexed.append(phrase)
        elif phrase:
            conds.append(Problem.id.in_(search.matching_ids([phrase], also=int(m.group(1)))))
        else:
            like = (_has(Problem.description, term) | _has(Problem.measures, term) | _has(Problem.remark, term)
                    | Problem.person.in_(User.select(User.id).where(_has(User.real_name, term)))
                    | Problem.department.in_(Department.select(Department.id).where(_has(Department.name, term))))
            if m:
                like = like | (Problem.id == int(m.group(1)))
            conds.append(like)
    if indexed and not joined:
        conds.insert(0, Problem.id.in_(search.matching_ids(indexed)))
    return conds


_where = keyset.all_of  # every condition of a filter, joined with AND


def _order(f: Filters, flip=False):
    """The screen order of a filter; flip=True is the same order backwards (to read a deep page from the end)."""
    return keyset.order_by(f, flip)


def _joined(where):
    # only the related columns the ledger shows (never a person's password hash or phone)
    return (Problem.select(Problem, Department.id, Department.name, Department.sort_order, Person.id,
                           Person.real_name, Person.sort_name, Item.id, Item.seq, Item.text, Item.category, Category.id,
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
    """Counters above the table (see _counts)."""
    return _counts(user, _as_filters(args))[0]


def _counts(user, f: Filters) -> tuple[dict, list | None]:
    """(counters, ids): counters above the table: the filter without its status part, one number per status plus
    逾期 (computed from deadline and status, never stored). A filter counts in one grouped pass over
    its rows (the scope and filter indexes narrow them); the all-seeing whole-ledger view (optionally narrowed by
    status, deadline range, overdue, due soon) reads the trigger-maintained LedgerCount instead. ids: a
    search's matches when they are under the bound (else None)."""
    counts = dict.fromkeys(STATUSES, 0)
    ids = None
    narrowed = (f.dept or f.mine or f.person or f.q or f.mech or f.cat or f.source or f.severity or f.ext or f.aspect or f.action
                or f.action_month or f.self_reported)
    if visible_departments(user) is None and not narrowed:
        return _summary_counts(f, counts), None
    conds = _conditions(user, f, with_status=False)
    overdue = Problem.overdue_expr()
    late_case = Case(None, [(overdue, 1)], 0)
    if f.q:
        # a search counts exactly up to a bound, then says "1,000+" instead of reading every match: at most
        # bound + 1 matches are read (id, status, late) and counted here; under the bound their ids go to the
        # page query (page_of), which then reads those rows only instead of searching again
        bound = search.COUNT_BOUND
        base = Problem.select(Problem.id, Problem.status, late_case)
        joined = _fts_joined(base, f, user)
        if joined is not None:
            base = joined.where(_where(_conditions(user, f, with_status=False, joined=True)))
        else:
            base = base.where(_where(conds))
        found = list(base.limit(bound + 1).tuples())
        if len(found) > bound:
            return dict(dict.fromkeys(STATUSES, "—"), overdue="—", total=bound, capped=True), None
        rows = {}
        for _id, status, od in found:
            n, late = rows.get(status, (0, 0))
            rows[status] = (n + 1, late + int(od or 0))
        rows = [(st, n, od) for st, (n, od) in rows.items()]
        ids = [i for i, _s, _l in found]
    else:
        # grouping by an expression (status || '') keeps SQLite from walking the status index in group
        # order with a table lookup per row; the WHERE still picks the scope/filter index
        key = Problem.status.concat("")
        rows = (Problem.select(key, fn.COUNT(SQL("*")).alias("n"), fn.SUM(late_case).alias("late"))
                .where(_where(conds)).group_by(key).tuples())
    q = rows
    late = 0
    for status, n, od in q:
        if status in counts:
            counts[status] = int(n)
            late += int(od or 0)  # PostgreSQL sums to Decimal
    counts["overdue"] = late
    counts["total"] = sum(counts[s] for s in STATUSES)
    return counts, ids


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


def _page_ids(where, f: Filters, offset, n, total, key=None, fts=None):
    """The ids of one page as a subquery, with only the sort's own joins. With a key (keyset.py: the 下一页 /
    上一页 link's position) the page seeks past it through the order's index; otherwise a page number reads
    from the nearer end of the order (the last page is the first n rows backwards), so no page joins or skips
    more than half the filter's rows. The page's rows are then joined for these n ids only. fts (the viewer):
    joined to SQLite's search index (`where` then leaves the indexed words out), read in the index's rowid
    order for 序号 when paged by number."""
    q = Problem.select(Problem.id)
    if f.sort == "department":
        q = q.join(Department, on=(Problem.department == Department.id))
    elif f.sort == "person":
        q = q.join(Person, JOIN.LEFT_OUTER, on=(Problem.person == Person.id))
    elif f.sort == "category":
        q = q.join(Item, JOIN.LEFT_OUTER, on=(Problem.item == Item.id))
    if key is not None:
        back = not f.after
        q = q.where(where & keyset.seek(f, key, backwards=back))
        if fts:
            q = _fts_joined(q, f, fts)
        return q.order_by(*_order(f, flip=back)).limit(n)
    q = q.where(where)
    order = _order
    if fts:
        q = _fts_joined(q, f, fts)
        if f.sort == "seq":  # the same order, said as the index's rowid: the FTS5 scan yields it directly
            order = _rowid_order
    back = total - offset - n
    if 0 <= back < offset:
        return q.order_by(*order(f, flip=True)).limit(n).offset(back)
    return q.order_by(*order(f)).limit(n).offset(offset)


def _rowid_order(f: Filters, flip=False):
    """The 序号 order said as the FTS5 table's rowid (= Problem id)."""
    return [search.Fts.rowid.desc() if f.desc != flip else search.Fts.rowid.asc()]


def _pending_extension(column):
    """A correlated subquery: `column` of the Problem's newest pending deadline extension (or NULL)."""
    de = DeadlineExtension
    return (de.select(column).where((de.problem == Problem.id) & (de.status == "pending"))
            .order_by(de.id.desc()).limit(1))


def page_of(user, f: Filters, per_page=None) -> Page:
    """One screen page (portal/paging.py) in four queries: the counters (which give the total), the page's
    rows with their relations, pending extension and 督办 badges, their actions, their mechanisms."""
    counts, ids = _counts(user, f)
    total = counts["total"] if f.status and counts.get("capped") else (
        counts[f.status] if f.status else counts["total"])
    size = per_page or current_app.config.get("PAGE_SIZE", 50)
    pages = max(1, -(-total // size))
    f.page = min(page_number(f.page), pages)  # out of range -> last page
    offset = (f.page - 1) * size
    n = max(0, min(size, total - offset))
    key = None
    if f.cursor and n:
        key = keyset.parse_key(f.cursor, f)
        if key is None:
            f.errors.append("翻页位置参数无效，已按页码显示。")
    # a capped search's total is the bound, not the matches' count: its pages are read forwards only
    known = 10 ** 12 if counts.get("capped") else total
    rows = _rows(user, f, offset, size if key else n, known, key, ids) if n else []
    if key is not None and not rows:  # nothing past that position any more: the page by its number
        rows = _rows(user, f, offset, n, known, None, ids)
    pg = Page(rows, total, f.page, pages, size)
    if rows:
        pg.prev_key, pg.next_key = keyset.key_of(rows[0], f), keyset.key_of(rows[-1], f)
    decorate(pg.rows, with_evidence=False, with_extensions=False)
    attach_ops(pg.rows, user)
    pg.counts = counts
    return pg


def _rows(user, f, offset, n, total, key=None, ids=None):
    """The page's Problems with their relations, pending extension and 督办 badges: one query. ids: a search's
    few matches, found by the counters' query (the page then reads those rows only)."""
    fts = None
    if ids is not None:
        where = Problem.id.in_(ids or [0])
        if f.status:
            where = where & (Problem.status == f.status)
    else:
        fts = user if _fts_phrases(f, user) else None
        where = _where(_conditions(user, f, joined=fts is not None))
    rows = list(_run_rows_query(f, _page_ids(where, f, offset, n, total, key, fts)))
    for p in rows:
        p.pending_ext = None
        if getattr(p, "ext_id", None):
            when = p.ext_date
            when = dt.date.fromisoformat(str(when)[:10]) if when and not isinstance(when, dt.date) else when
            p.pending_ext = DeadlineExtension(id=p.ext_id, problem=p.id, new_deadline=when, status="pending")
    return rows


_ROWS_SQL = {}  # (database, sort, desc, repeat threshold) -> (query, SQL before/after the page's ids, params)
_IDS = "__page_ids__"


def _run_rows_query(f, ids):
    """Run the row query (_joined + pending extension + badges, in screen order) for the page's id subquery.
    Its SQL is the same for every page of a sort: it is compiled once and only the small id subquery is
    compiled per page (compiling the whole query was a tenth of a cold page's CPU)."""
    from ..extensions import db
    from ..supervision.badges import columns as badge_columns
    from .. import campaign_settings
    k = (type(db.obj).__name__, f.sort, f.desc, campaign_settings.get("repeat_threshold"))
    cached = _ROWS_SQL.get(k)
    if cached is None:
        ext_id, ext_date = DeadlineExtension.id, DeadlineExtension.new_deadline
        q = _joined(Problem.id.in_(SQL(_IDS)))
        q = q.select_extend(_pending_extension(ext_id).alias("ext_id"),
                            _pending_extension(ext_date).alias("ext_date"), *badge_columns())
        q = q.order_by(*_order(f))
        sql, params = q.sql()
        before, after = sql.split(_IDS)
        split = before.count(db.obj.param)
        cached = _ROWS_SQL[k] = (q, before, after, params[:split], params[split:])
    q, before, after, p1, p2 = cached
    ids_sql, ids_params = ids.sql()
    cursor = db.execute_sql(f"{before}({ids_sql}){after}", [*p1, *ids_params, *p2])
    return q._get_cursor_wrapper(cursor)
