"""The trigger-maintained Problem tallies (migration 0010) equal a GROUP BY over the problem table after
every kind of write: inserts, transitions, department/item/aspect/deadline/source changes, withdrawal,
bulk updates and deletes; the dashboard's matrices read them and give the numbers plain SQL gives."""
import datetime as dt

from peewee import fn

from portal import problems
from portal.dashboard import queries
from portal.extensions import db
from portal.models import Aspect, Item, Problem
from portal.models.tally import ItemTally, OpenTally, ProblemTally
from tests.factories import default_campaign, make_department, make_problem, make_user

TODAY = dt.date(2026, 6, 15)


def _live():
    return Problem.withdrawn == False  # noqa: E712


def _direct():
    p = Problem
    by_status = {(d, st, src, bool(sr)): n for d, st, src, sr, n in
                 p.select(p.department, p.status, p.source, p.self_reported, fn.COUNT(p.id))
                 .where(_live()).group_by(p.department, p.status, p.source, p.self_reported).tuples()}
    by_item = {(d, i or 0, a or 0): n for d, i, a, n in
               p.select(p.department, p.item, p.aspect, fn.COUNT(p.id))
               .where(_live()).group_by(p.department, p.item, p.aspect).tuples()}
    open_ = {(d, dl): n for d, dl, n in
             p.select(p.department, p.deadline, fn.COUNT(p.id))
             .where(_live() & p.status.in_(("pending", "in_progress")) & p.deadline.is_null(False))
             .group_by(p.department, p.deadline).tuples()}
    return by_status, by_item, open_


def _tallied():
    t, i, o = ProblemTally, ItemTally, OpenTally
    return ({(r.department_id, r.status, r.source, bool(r.self_reported)): r.n for r in t.select().where(t.n != 0)},
            {(r.department_id, r.item_id, r.aspect_id): r.n for r in i.select().where(i.n != 0)},
            {(r.department_id, r.deadline): r.n for r in o.select().where(o.n != 0)})


def test_tallies_follow_every_kind_of_write(ctx, travel):
    travel(dt.datetime.combine(TODAY, dt.time(9, 0)))
    a, b = make_department("财务科"), make_department("资产管理科")
    office = make_user("tally-office", a, roles=("discipline", "staff"))
    staff = make_user("tally-staff", b)
    camp = default_campaign()
    items = list(Item.select().where(Item.campaign == camp).order_by(Item.seq))
    aspects = list(Aspect.select().where(Aspect.campaign == camp).order_by(Aspect.seq))
    p1 = make_problem(staff, source="selfcheck", self_reported=True, aspect=aspects[0].id,
                      deadline=TODAY - dt.timedelta(days=3))
    p2 = make_problem(staff, department=a, source="tip", item=items[4], deadline=TODAY + dt.timedelta(days=9))
    p3 = make_problem(staff, source="inspection", deadline=None, aspect=aspects[2].id)
    p4 = make_problem(staff, department=a, status="in_progress", deadline=TODAY - dt.timedelta(days=1))
    assert _tallied() == _direct()

    problems.transition(p1.id, "in_progress", office, 1)                      # status moves
    problems.update(p2.id, office, 1, department=b.id, deadline=TODAY - dt.timedelta(days=5))
    problems.update(p3.id, office, 1, deadline=TODAY + dt.timedelta(days=2), aspect=aspects[1].id)
    problems.update(p4.id, office, 1, withdrawn=True)                          # leaves every tally
    assert _tallied() == _direct()

    # writes that bypass the service layer are counted too: a bulk UPDATE and a DELETE
    Problem.update(item=items[7].id, source="review").where(Problem.department == b.id).execute()
    Problem.update(withdrawn=False).where(Problem.id == p4.id).execute()      # back in
    bare = Problem.insert(department=a.id, source="other", status="pending", description="无事件记录的问题",
                          deadline=TODAY - dt.timedelta(days=1), campaign=camp.id).execute()  # no events: deletable
    assert _tallied() == _direct()
    with db.atomic():
        Problem.delete().where(Problem.id == bare).execute()
    assert _tallied() == _direct()
    assert ProblemTally.select(fn.SUM(ProblemTally.n)).scalar() == Problem.select().where(_live()).count()


def test_matrices_read_the_tallies_and_equal_plain_counts(ctx, travel):
    travel(dt.datetime.combine(TODAY, dt.time(9, 0)))
    a, b = make_department("财务科"), make_department("资产管理科")
    staff = make_user("tally-staff2", a)
    for k in range(6):
        make_problem(staff, department=a if k % 2 else b, status=("pending", "in_progress", "closed")[k % 3],
                     deadline=TODAY + dt.timedelta(days=k - 3), source=("tip", "review")[k % 2])
    m = queries.problem_matrix(None, TODAY)
    assert sum(n for _, _, n in m["by_dept"]) == sum(n for _, _, n in m["by_source"]) == 6
    assert Problem.select().where(_live()).count() == 6
    for dept in (a, b):
        assert m["late"].get(dept.id, 0) == Problem.select().where(
            Problem.overdue_expr(TODAY) & (Problem.department == dept.id)).count()
    assert sorted(m["by_source"]) == [("review", False, 3), ("tip", False, 3)]
    # scoped to one department
    only_a = queries.problem_matrix((a.id,), TODAY)
    assert {d for d, _, _ in only_a["by_dept"]} == {a.id} and sum(n for _, _, n in only_a["by_dept"]) == 3
    assert queries.problem_matrix((), TODAY) == {"by_dept": [], "by_source": [], "late": {}}
    items = queries.item_matrix((a.id,))
    assert sum(n for _, _, n in items) == 3 and all(i is not None and asp is None for i, asp, _ in items)
