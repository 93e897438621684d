"""The dashboard's 督办 block read from the trigger-kept tallies (migration 0044) gives the numbers a fresh
COUNT over the problem table gives, after inserts, status / department / item / person changes, withdrawal,
bulk updates and deletes, for the whole bureau and for a leader's scope; and the next dashboard shows a write."""
import datetime as dt
import re

from peewee import fn

from portal import problems
from portal.extensions import db
from portal.models import Item, Problem, ProblemEvent
from portal.models.tally import ItemPeople, ItemPersonTally
from portal.supervision import rag, tallied
from tests.factories import default_campaign, make_department, make_problem

NOW = dt.datetime(2026, 12, 3, 10, 0)
TODAY = NOW.date()


def _live():
    return (Problem.withdrawn == False) & Problem.item.is_null(False)  # noqa: E712


def _fresh_tallies():
    p = Problem
    by_key = {(i, u or 0, d): n for i, u, d, n in
              p.select(p.item, p.person, p.department, fn.COUNT(p.id)).where(_live())
              .group_by(p.item, p.person, p.department).tuples()}
    people = {i: n for i, n in p.select(p.item, fn.COUNT(fn.DISTINCT(p.person))).where(_live())
              .group_by(p.item).tuples() if n}
    return by_key, people


def _kept_tallies():
    t = ItemPersonTally
    return ({(r.item_id, r.person_id, r.department_id): r.n for r in t.select().where(t.n != 0)},
            {r.item_id: r.persons for r in ItemPeople.select().where(ItemPeople.persons != 0)})


def _fresh_items(viewer):
    """patterns.common's GROUP BY over every problem, as it was before the tallies."""
    from portal.permissions import scope_problems
    p = Problem
    q = (p.select(p.item, fn.COUNT(fn.DISTINCT(p.department)), fn.COUNT(fn.DISTINCT(p.person)), fn.COUNT(p.id))
         .where(_live() & scope_problems(viewer)).group_by(p.item).tuples())
    return sorted(tuple(int(x) for x in row) for row in q)


def _fresh_rag(viewer):
    return rag._counts(Problem.department, rag._scope(viewer), TODAY)


def _agree(bureau):
    assert _kept_tallies() == _fresh_tallies()
    for viewer in (bureau.office, bureau.leader, bureau.head_a, bureau.staff_a, None):
        assert tallied.department_counts(viewer, TODAY) == _fresh_rag(viewer), viewer
        if viewer is not None:
            assert sorted(tallied.item_counts(viewer)) == _fresh_items(viewer), viewer


def test_tallies_equal_a_fresh_count_after_every_kind_of_write(bureau, travel):
    travel(NOW)
    items = list(Item.select().where(Item.campaign == default_campaign()).order_by(Item.seq))
    third = make_department("后勤科")
    o = bureau.office
    p1 = make_problem(bureau.staff_a, item=items[0], deadline=TODAY - dt.timedelta(days=2))
    p2 = make_problem(bureau.staff_a, item=items[0], department=bureau.asset, deadline=TODAY + dt.timedelta(days=1))
    p3 = make_problem(bureau.staff_b, item=items[1], deadline=TODAY + dt.timedelta(days=30))
    p4 = make_problem(None, department=third, item=items[1], status="in_progress")
    p5 = make_problem(bureau.leader, department=third, item=items[2], deadline=TODAY - dt.timedelta(days=1))
    make_problem(bureau.staff_b, item=items[2], status="closed")
    _agree(bureau)
    assert ItemPeople.get_by_id(items[0].id).persons == 1                          # one person, two departments

    problems.transition(p3.id, "in_progress", o, 1)                                # status
    problems.update(p1.id, o, 1, department=third.id)                              # department
    problems.update(p2.id, o, 1, item=items[1].id)                                 # category (item)
    problems.update(p4.id, o, 1, person=bureau.staff_a2.id)                        # person
    problems.update(p5.id, o, 1, withdrawn=True)                                   # leaves every tally
    _agree(bureau)

    # 被退回: sent back by the verifier, and returned in the 销号 review
    ProblemEvent.create(problem=p3.id, kind="status", from_status="rectified", to_status="in_progress")
    ProblemEvent.create(problem=p3.id, kind="status", from_status="rectified", to_status="in_progress")
    Problem.update(review_stage="returned").where(Problem.id.in_([p3.id, p4.id])).execute()
    _agree(bureau)
    assert tallied.department_counts(o, TODAY)[bureau.asset.id]["returned"] == 1

    # writes that bypass the service layer: bulk updates, an insert without events, deletes
    Problem.update(item=items[3].id, person=bureau.staff_b.id).where(Problem.department == third.id).execute()
    Problem.update(withdrawn=False).where(Problem.id == p5.id).execute()
    Problem.update(status="pending").where(Problem.department == bureau.fin.id).execute()
    bare = Problem.insert(department=bureau.fin.id, person=bureau.staff_a.id, item=items[3].id, source="other",
                          status="pending", description="无事件记录的问题", deadline=TODAY,
                          campaign=items[3].campaign_id).execute()
    nobody = Problem.insert(department=third.id, item=items[3].id, source="other", status="pending",
                            description="无责任人的问题", campaign=items[3].campaign_id).execute()
    _agree(bureau)
    with db.atomic():
        Problem.delete().where(Problem.id.in_([bare, nobody])).execute()
    _agree(bureau)
    assert ItemPersonTally.select(fn.SUM(ItemPersonTally.n)).scalar() == Problem.select().where(_live()).count()


def test_next_dashboard_shows_a_write(bureau, client, auth, travel):
    travel(NOW)
    items = list(Item.select().where(Item.campaign == default_campaign()).order_by(Item.seq))
    make_problem(bureau.staff_a, item=items[0], deadline=TODAY + dt.timedelta(days=20))
    auth.login(bureau.office)

    def fin_row(html):
        m = re.search(rf'<tr data-dept="{bureau.fin.id}" data-colour="(\w+)">(.*?)</tr>', html, re.S)
        return m.group(1), [int(x) for x in re.findall(r">(\d+)<", m.group(2))][1:]

    html = client.get("/dashboard/").get_data(as_text=True)
    assert '<b id="n-total">1</b>' in html and fin_row(html) == ("green", [1, 0, 0, 0])
    late = make_problem(bureau.staff_a2, item=items[0], deadline=TODAY - dt.timedelta(days=3))
    html = client.get("/dashboard/").get_data(as_text=True)
    assert '<b id="n-total">2</b>' in html and '<b id="n-overdue">1</b>' in html
    assert fin_row(html) == ("red", [2, 1, 0, 0])
    problems.transition(late.id, "in_progress", bureau.office, 1)
    problems.update(late.id, bureau.office, 2, department=bureau.asset.id)
    html = client.get("/dashboard/").get_data(as_text=True)
    assert fin_row(html) == ("green", [1, 0, 0, 0])
    assert re.search(rf'<tr data-dept="{bureau.asset.id}" data-colour="red">', html)


def _fresh_links():
    from portal.models.ledger import MechanismProblem
    q = (MechanismProblem.select(Problem.item, MechanismProblem.mechanism, fn.COUNT(MechanismProblem.id))
         .join(Problem).where(Problem.item.is_null(False)).group_by(Problem.item, MechanismProblem.mechanism).tuples())
    return {(i, m): n for i, m, n in q}


def _kept_links():
    from portal.models.tally import MechanismItemTally as T
    return {(r.item_id, r.mechanism_id): r.n for r in T.select().where(T.n != 0)}


def test_mechanism_item_tally_follows_links_items_and_deletes(bureau, travel):
    from portal.models.ledger import Mechanism, MechanismProblem
    from portal.supervision import patterns
    travel(NOW)
    items = list(Item.select().where(Item.campaign == default_campaign()).order_by(Item.seq))
    ps = [make_problem(bureau.staff_a, item=items[k % 2]) for k in range(4)]
    m1 = patterns.start_mechanism(bureau.office, items[0].id)                    # links both problems of item 0
    m2 = Mechanism.create(title="第二个机制", date=TODAY)
    MechanismProblem.create(mechanism=m2.id, problem=ps[1].id)
    assert _kept_links() == _fresh_links() == {(items[0].id, m1.id): 2, (items[1].id, m2.id): 1}
    problems.update(ps[1].id, bureau.office, 1, item=items[0].id)               # the linked problem moves
    MechanismProblem.update(mechanism=m1.id).where(MechanismProblem.problem == ps[3].id).execute()
    MechanismProblem.delete().where(MechanismProblem.problem == ps[0].id).execute()
    assert _kept_links() == _fresh_links()
    bare = Problem.insert(department=bureau.fin.id, item=items[1].id, source="other", status="pending",
                          description="无事件记录的问题", campaign=items[1].campaign_id).execute()
    MechanismProblem.create(mechanism=m2.id, problem=bare)
    MechanismProblem.create(mechanism=m1.id, problem=bare)
    assert _kept_links() == _fresh_links()
    with db.atomic():
        Problem.delete().where(Problem.id == bare).execute()                    # its links go by cascade
    assert _kept_links() == _fresh_links()
    Mechanism.delete().where(Mechanism.id == m2.id).execute()
    assert _kept_links() == _fresh_links()
    shown = {g["item"]: [m.id for m in g["mechanisms"]] for g in patterns.common(bureau.office)}
    for item, ids in shown.items():
        assert ids == sorted({m for (i, m) in _fresh_links() if i == item}), item


def test_a_cold_dashboard_reads_tallies_not_every_problem(bureau, client, auth, travel, monkeypatch):
    """After a write, the office's dashboard groups no Problems: its problem numbers come from the tallies;
    the only read of the problem table is the 被退回 one, through its partial indexes."""
    from portal.supervision.tallied import RETURNED_SQL
    travel(NOW)
    items = list(Item.select().where(Item.campaign == default_campaign()).order_by(Item.seq))
    for k in range(3):
        make_problem(bureau.staff_a, item=items[k], deadline=TODAY - dt.timedelta(days=k))
    auth.login(bureau.office)
    assert client.get("/dashboard/").status_code == 200
    make_problem(bureau.staff_b, item=items[0])                                   # the next page is cold
    seen = []
    real = db.obj.execute_sql

    def record(sql, params=None, *a, **k):
        seen.append(sql)
        return real(sql, params, *a, **k)
    monkeypatch.setattr(db.obj, "execute_sql", record)
    html = client.get("/dashboard/").get_data(as_text=True)
    monkeypatch.undo()
    assert '<b id="n-total">4</b>' in html
    reads = [s for s in seen if re.search(r'(FROM|JOIN) "problem"( |$)', s)]
    assert reads == [RETURNED_SQL], reads
    assert len(seen) <= 40, len(seen)
