"""List queries for the clue ledger, always inside scope_clues(user)."""

from peewee import JOIN, Case, fn

from .. import clock, workdays
from ..models import Category, Department, Item, User
from ..models.tip import Clue, Tip
from ..paging import paginate
from .access import scope_clues

SOON_WORKDAYS = 5


def filtered(user, f: dict):
    q = (Clue.select(Clue, Tip).join(Tip).switch(Clue)
         .join(Item, JOIN.LEFT_OUTER, on=(Clue.item == Item.id)).switch(Clue)
         .where(scope_clues(user)))
    if f.get("status"):
        q = q.where(Clue.status == f["status"])
    if f.get("channel"):
        q = q.where(Clue.channel == f["channel"])
    if f.get("deadline") == "overdue":
        q = q.where(Clue.overdue_expr())
    elif f.get("deadline") == "soon":
        q = q.where(Clue.due_before_expr(workdays.add_workdays(clock.today(), SOON_WORKDAYS))
                    & ~Clue.overdue_expr())
    elif f.get("deadline") == "open":
        q = q.where(Clue.status != "concluded")
    if f.get("category"):
        q = q.where(Item.category == f["category"])
    if f.get("handler"):
        q = q.where(Clue.handler == f["handler"])
    if f.get("q"):
        q = q.where(Clue.number.contains(f["q"].strip().upper()))
    if f.get("same"):
        base = Clue.select(Clue, Tip).join(Tip).where((Clue.id == f["same"]) & scope_clues(user)).first()
        if base is None:
            q = q.where(Clue.id == 0)
        else:
            cond = Clue.id == base.id
            if base.subject_user_id:
                cond = cond | (Clue.subject_user == base.subject_user_id)
            if base.tip.subject_key:
                cond = cond | (Tip.subject_key == base.tip.subject_key)
            q = q.where(cond)
    return q


SubjectUser, SubjectDept = User.alias("subject_user"), Department.alias("subject_department")
Handler, HandlerDept = User.alias("handler"), Department.alias("handler_department")


def _with_relations(q):
    """The people, departments and category a row of the list shows, in the row query itself (not one query
    per row and relation): only the columns shown (never a person's password hash or phone)."""
    return (q.select_extend(SubjectUser.id, SubjectUser.real_name, SubjectDept.id, SubjectDept.name, Handler.id,
                            Handler.real_name, HandlerDept.id, HandlerDept.name, Item.id, Item.seq, Item.category,
                            Category.id, Category.name)
            .switch(Item).join(Category, JOIN.LEFT_OUTER, on=(Item.category == Category.id))
            .switch(Clue).join(SubjectUser, JOIN.LEFT_OUTER, on=(Clue.subject_user == SubjectUser.id))
            .switch(Clue).join(SubjectDept, JOIN.LEFT_OUTER, on=(Clue.subject_department == SubjectDept.id))
            .switch(Clue).join(Handler, JOIN.LEFT_OUTER, on=(Clue.handler == Handler.id))
            .switch(Clue).join(HandlerDept, JOIN.LEFT_OUTER, on=(Clue.handler_department == HandlerDept.id)))


def page_of(user, f: dict, counted: dict | None = None):
    """One page in one query with its relations; an unfiltered list takes its total from `counted` (counts())
    instead of counting again."""
    plain = not any(v for k, v in f.items() if k != "page")
    total = counted["all"] if counted is not None and plain else None
    q = _with_relations(filtered(user, f)).order_by(Clue.overdue_expr().desc(), Clue.id.desc())
    pg = paginate(q, f.get("page"), total=total)
    return pg.rows, pg.total, pg.page, pg.pages


def same_person_counts(user, rows) -> dict:
    """clue id -> number of visible clues about the same person (account or name), two queries."""
    keys = {r.tip.subject_key for r in rows if r.tip.subject_key}
    users = {r.subject_user_id for r in rows if r.subject_user_id}
    by_key, by_user = {}, {}
    if keys:
        for k, n in (Clue.select(Tip.subject_key, fn.COUNT(Clue.id)).join(Tip)
                     .where(Tip.subject_key.in_(list(keys)) & scope_clues(user))
                     .group_by(Tip.subject_key).tuples()):
            by_key[k] = n
    if users:
        for u, n in (Clue.select(Clue.subject_user, fn.COUNT(Clue.id))
                     .where(Clue.subject_user.in_(list(users)) & scope_clues(user))
                     .group_by(Clue.subject_user).tuples()):
            by_user[u] = n
    return {r.id: max(by_key.get(r.tip.subject_key, 1), by_user.get(r.subject_user_id, 1)) for r in rows}


def counts(user) -> dict:
    """The counters above the list (and "all", the unfiltered total) in one pass over the visible clues."""
    soon = workdays.add_workdays(clock.today(), SOON_WORKDAYS)
    conds = {
        "pending": Clue.status == "pending",
        "open": Clue.status != "concluded",
        "overdue": Clue.overdue_expr(),
        "soon": Clue.due_before_expr(soon) & ~Clue.overdue_expr(),
    }
    sums = [fn.SUM(Case(None, [(c, 1)], 0)) for c in conds.values()]
    row = Clue.select(fn.COUNT(Clue.id), *sums).where(scope_clues(user)).tuples().first() or (0,) * 5
    out = {k: int(v or 0) for k, v in zip(conds, row[1:])}  # PostgreSQL sums to Decimal, None when empty
    out["all"] = int(row[0] or 0)
    return out


def category_choices():
    from ..models import Campaign
    c = Campaign.active()
    rows = Category.select().where(Category.campaign == c).order_by(Category.seq) if c else []
    return [(0, "全部类别")] + [(cat.id, cat.name) for cat in rows]


def handler_filter_choices(user):
    handlers = Clue.select(Clue.handler).where(scope_clues(user) & Clue.handler.is_null(False))
    people = User.select(User.id, User.real_name).where(User.id.in_(handlers)).order_by(User.id).tuples()
    return [(0, "全部承办人")] + list(people)


def department_choices():
    rows = Department.select().where(Department.is_active == True).order_by(Department.sort_order)  # noqa: E712
    return [(0, "（不交办部门）")] + [(d.id, d.name) for d in rows]


def people_choices(first="请选择"):
    rows = (User.select(User, Department).join(Department).where(User.is_active_flag == True)  # noqa: E712
            .order_by(Department.sort_order, User.sort_name, User.id))
    return [(0, first)] + [(u.id, f"{u.real_name}（{u.department.name}{'·' + u.title if u.title else ''}）") for u in rows]
