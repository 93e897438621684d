"""The dashboard's numbers: a few aggregated queries, each scoped in SQL to the departments the viewer
oversees — Problems from the trigger-maintained tallies (migration 0010), the other areas over covering
indexes (migration 0008).

Every function takes the set of department ids (None = all) from `scope_departments(user)` and returns
plain dicts/lists; views.py turns them into charts. Self-checks, clues and actions are in sources.py.
"""
from collections import OrderedDict

from peewee import Value, fn

from .. import clock
from ..models import SOURCES, STATUSES, Aspect, Category, Department, Item
from ..models.tally import ItemTally, OpenTally, ProblemTally
from ..permissions import visible_departments

# "found by others" = every source except the person's own self-check (自查从宽、被查从严)
RECTIFIED = ("rectified", "closed")


def scope_departments(user):
    """None = every department; otherwise a sorted tuple of department ids (may be empty)."""
    depts = visible_departments(user)
    return None if depts is None else tuple(sorted(depts))


def _in_scope(field, depts):
    if depts is None:
        return Value(1) == Value(1)
    if not depts:
        return Value(1) == Value(0)
    return field.in_(list(depts))


def departments(depts):
    """The departments shown as rows: every active department in scope (the bureau root only when it
    has problems of its own)."""
    q = (Department.select(Department.id, Department.name, Department.kind, Department.sort_order)
         .where(_in_scope(Department.id, depts) & (Department.is_active == True)  # noqa: E712
                & (Department.kind != "bureau"))
         .order_by(Department.sort_order, Department.id))
    return list(q)


def problem_matrix(depts, today=None):
    """The Problem counts the charts need, read from the trigger-maintained tallies (migration 0010): a
    few thousand rows whatever the number of Problems, grouped in SQL so only a few hundred come back.
    Withdrawn problems (removed from a resubmitted self-check) are not counted.
    Returns {"by_dept": [(department, status, n)], "by_source": [(source, self_reported, n)],
    "late": {department: overdue}} — overdue = pending or in progress past the deadline."""
    today = today or clock.today()
    t, o = ProblemTally, OpenTally
    live = (t.n != 0) & _in_scope(t.department_id, depts)
    by_dept = [(d, st, int(n)) for d, st, n in
               t.select(t.department_id, t.status, fn.SUM(t.n)).where(live)
               .group_by(t.department_id, t.status).tuples()]
    by_source = [(src, bool(sr), int(n)) for src, sr, n in
                 t.select(t.source, t.self_reported, fn.SUM(t.n)).where(live)
                 .group_by(t.source, t.self_reported).tuples()]
    late = {d: int(n) for d, n in
            o.select(o.department_id, fn.SUM(o.n))
            .where((o.deadline < today) & (o.n != 0) & _in_scope(o.department_id, depts))
            .group_by(o.department_id).tuples()}
    return {"by_dept": by_dept, "by_source": by_source, "late": late}


def item_matrix(depts):
    """Counts per (item, aspect) from the item tally (None where the Problem has no item or aspect);
    the caller folds items into their categories."""
    t = ItemTally
    q = (t.select(t.item_id, t.aspect_id, fn.SUM(t.n))
         .where((t.n != 0) & _in_scope(t.department_id, depts))
         .group_by(t.item_id, t.aspect_id)
         .tuples())
    return [(i or None, a or None, int(n)) for i, a, n in q]


def problem_stats(depts, today=None):
    """Everything the problem charts need, from the tallies."""
    today = today or clock.today()
    m = problem_matrix(depts, today)
    by_dept = OrderedDict((d.id, _dept_blank(d)) for d in departments(depts))
    missing = ({d for d, _, _ in m["by_dept"]} | set(m["late"])) - set(by_dept)
    if missing:  # problems of inactive departments (or the bureau root) are still counted
        for d in (Department.select().where(Department.id.in_(list(missing)))
                  .order_by(Department.sort_order, Department.id)):
            by_dept[d.id] = _dept_blank(d)
    by_source = OrderedDict((s, 0) for s in SOURCES)
    self_split = {"self": 0, "others": 0}
    total = {"total": 0, "overdue": 0, **{s: 0 for s in STATUSES}}
    for d, st, n in m["by_dept"]:
        for row in (by_dept[d], total):
            row["total"] += n
            row[st] = row.get(st, 0) + n
    for d, late in m["late"].items():
        by_dept[d]["overdue"] += late
        total["overdue"] += late
    for src, sr, n in m["by_source"]:
        by_source[src] = by_source.get(src, 0) + n
        self_split["self" if sr else "others"] += n
    for row in list(by_dept.values()) + [total]:
        done = sum(row.get(s, 0) for s in RECTIFIED)
        row["done"] = done
        row["rate"] = round(100.0 * done / row["total"], 1) if row["total"] else None
    cats, aspects = category_aspect_stats(depts)
    return {"departments": list(by_dept.values()), "by_source": by_source, "self_split": self_split,
            "total": total, "by_category": cats, "by_aspect": aspects, "today": today}


def _dept_blank(d):
    return {"id": d.id, "name": d.name, "total": 0, "overdue": 0, **{s: 0 for s in STATUSES}}



def _labels():
    """Item -> category and the names of categories and aspects: three tiny tables kept in portal/cache.py
    while the reference data version (migration 0029: campaigns, categories, items, aspects …) is unchanged,
    so a newly loaded campaign still shows at once; one version read instead of three queries."""
    from .. import cache
    return cache.memo("dashboard", cache.key("labels", on=("reference",)), _read_labels)


def _read_labels():
    items = dict(Item.select(Item.id, Item.category).tuples())
    cats = list(Category.select(Category.id, Category.name, Category.title, Category.campaign, Category.seq)
                .order_by(Category.campaign.desc(), Category.seq))
    aspects = list(Aspect.select(Aspect.id, Aspect.name, Aspect.campaign, Aspect.seq)
                   .order_by(Aspect.campaign.desc(), Aspect.seq))
    return items, cats, aspects


def category_aspect_stats(depts):
    items, cats, aspects = _labels()
    cat_count, asp_count = {}, {}
    no_cat = no_asp = 0
    for item_id, aspect_id, n in item_matrix(depts):
        c = items.get(item_id)
        if c is None:
            no_cat += n
        else:
            cat_count[c] = cat_count.get(c, 0) + n
        if aspect_id is None:
            no_asp += n
        else:
            asp_count[aspect_id] = asp_count.get(aspect_id, 0) + n
    active_campaigns = {c.campaign_id for c in cats[:1]}
    by_cat = [{"id": c.id, "name": c.name, "title": c.title, "n": cat_count.get(c.id, 0)}
              for c in cats if c.campaign_id in active_campaigns or cat_count.get(c.id)]
    by_asp = [{"id": a.id, "name": a.name, "n": asp_count.get(a.id, 0)}
              for a in aspects if a.campaign_id in active_campaigns or asp_count.get(a.id)]
    if no_cat:
        by_cat.append({"id": None, "name": "未归类", "title": "", "n": no_cat})
    if no_asp:
        by_asp.append({"id": None, "name": "未标注", "n": no_asp})
    return by_cat, by_asp
