"""举一反三: the patterns the ledger notices (plan 三(四)).

多发频发: the same person (or the same department) has collected problems of the same checklist item at
least `repeat_threshold` times in the campaign → the ledger flags it and offers 通报 / 提醒 / 约谈.
普遍性共性: one item has problems in at least `common_departments` departments, or among at least
`common_share_percent` % of the active staff → the dashboard lists it and offers a 长效机制."""
import datetime as dt

from peewee import fn

from .. import campaign_settings, clock
from ..models import Department, Item, Problem, User
from ..models.ledger import Mechanism, MechanismProblem
from ..permissions import scope_problems

ANSWERS = {"circular": "通报", "reminder": "提醒", "talk": "约谈"}


def _live(viewer):
    where = Problem.withdrawn == False  # noqa: E712
    return where & scope_problems(viewer) if viewer is not None else where


def frequent(viewer) -> list[dict]:
    """[{kind: person|department, ref, name, item, n, ids}] — person groups first; a department group is
    listed only when it is not one person's group again."""
    n = int(campaign_settings.get("repeat_threshold"))
    out = []
    by_person = (Problem.select(Problem.person, Problem.item, fn.COUNT(Problem.id).alias("n"))
                 .where(_live(viewer) & Problem.person.is_null(False) & Problem.item.is_null(False))
                 .group_by(Problem.person, Problem.item).having(fn.COUNT(Problem.id) >= n).tuples())
    for person, item, count in by_person:
        out.append(dict(kind="person", ref=person, item=item, n=count))
    by_dept = (Problem.select(Problem.department, Problem.item, fn.COUNT(Problem.id),
                              fn.COUNT(fn.DISTINCT(Problem.person)))
               .where(_live(viewer) & Problem.item.is_null(False))
               .group_by(Problem.department, Problem.item).having(fn.COUNT(Problem.id) >= n).tuples())
    covered = {(g["item"], User.get_by_id(g["ref"]).department_id, g["n"]) for g in out}
    for dept, item, count, persons in by_dept:
        if persons <= 1 and (item, dept, count) in covered:
            continue
        out.append(dict(kind="department", ref=dept, item=item, n=count))
    items = {i.id: i for i in Item.select().where(Item.id.in_([g["item"] for g in out] or [0]))}
    for g in out:
        g["item_obj"] = items.get(g["item"])
        if g["kind"] == "person":
            g["name"] = User.get_by_id(g["ref"]).real_name
            cond = Problem.person == g["ref"]
        else:
            g["name"] = Department.get_by_id(g["ref"]).name
            cond = Problem.department == g["ref"]
        g["ids"] = [p.id for p in Problem.select(Problem.id).where(_live(viewer) & cond & (Problem.item == g["item"]))
                    .order_by(Problem.id)]
    out.sort(key=lambda g: (-g["n"], g["kind"] != "person", g["name"]))
    return out


def common(viewer=None) -> list[dict]:
    """Items with problems in many departments or among a large share of the staff."""
    min_depts = int(campaign_settings.get("common_departments"))
    share = int(campaign_settings.get("common_share_percent"))
    from .tallied import item_counts
    staff = User.select().where(User.is_active_flag == True).count() or 1  # noqa: E712
    out = []
    # per item over the live problems in scope: departments, people, problems (the trigger-kept tallies)
    for item, depts, persons, n in item_counts(viewer):
        pct = round(100 * persons / staff, 1)
        if depts >= min_depts or pct >= share:
            out.append(dict(item=item, departments=depts, persons=persons, n=n, share=pct))
    items = {i.id: i for i in Item.select().where(Item.id.in_([g["item"] for g in out] or [0]))}
    mechanisms = {}
    if out:  # the 长效机制 linked to problems of these items, from their trigger-kept tally (migration 0044)
        from ..models.tally import MechanismItemTally as T
        for m in (Mechanism.select(Mechanism, T.item_id).join(T, on=(T.mechanism_id == Mechanism.id))
                  .where(T.item_id.in_([g["item"] for g in out]) & (T.n > 0)).objects()
                  .order_by(Mechanism.id)):
            mechanisms.setdefault(m.item_id, []).append(m)
    for g in out:
        g["item_obj"] = items.get(g["item"])
        g["mechanisms"] = mechanisms.get(g["item"], [])
    out.sort(key=lambda g: (-g["departments"], -g["n"]))
    return out


def start_mechanism(actor, item_id, title: str = "") -> Mechanism:
    """A 长效机制 linked to every live problem of the item (audited)."""
    from .. import audit
    from ..errors import Invalid
    from ..extensions import db
    from ..quoting import quoted
    item = Item.get_or_none(Item.id == item_id)
    if item is None:
        raise Invalid("问题项不存在")
    ids = [p.id for p in Problem.select(Problem.id).where((Problem.item == item.id) & (Problem.withdrawn == False))]  # noqa: E712
    title = (title or "").strip()[:128] or f"针对{quoted(item.text[:40])}问题的长效机制"[:128]
    with db.atomic():
        m = Mechanism.create(title=title, content=f"举一反三：{item.text}", date=clock.today(), created_by=actor.id,
                             owner=actor.id)
        for pid in ids:
            MechanismProblem.create(mechanism=m.id, problem=pid)
        audit.record("mechanism_from_pattern", "mechanism", m.id, actor=actor, detail={"item": item.id, "problems": len(ids)})
    return m


def mechanism_item(m):
    row = (Problem.select(Problem.item, fn.COUNT(Problem.id)).join(MechanismProblem)
           .where((MechanismProblem.mechanism == m.id) & Problem.item.is_null(False))
           .group_by(Problem.item).order_by(fn.COUNT(Problem.id).desc()).tuples().first())
    return Item.get_or_none(Item.id == row[0]) if row else None


def effect(m, today=None) -> dict | None:
    """The item's new problems in equal windows before and after the mechanism was built: fell or not."""
    today = today or clock.today()
    item = mechanism_item(m)
    if item is None:
        return None
    days = max((today - m.date).days, 1)
    start = dt.datetime.combine(m.date, dt.time.min)
    live = (Problem.item == item.id) & (Problem.withdrawn == False)  # noqa: E712
    before = Problem.select().where(live & (Problem.created_at >= start - dt.timedelta(days=days))
                                    & (Problem.created_at < start)).count()
    after = Problem.select().where(live & (Problem.created_at >= start)
                                   & (Problem.created_at < start + dt.timedelta(days=days))).count()
    return dict(item=item, days=days, before=before, after=after, fell=after < before)
