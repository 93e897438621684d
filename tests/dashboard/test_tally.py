"""The trigger-maintained Problem tallies (migration 0010) equal a GROUP BY over the problem table after
every kind of write: inserts, transitions, department/item/aspect/deadline/source changes, withdrawal,
bulk updates and deletes; the action tally follows actions and their Problems' department and withdrawal;
the dashboard's matrices read them and give the numbers plain SQL gives."""
import datetime as dt

from peewee import fn

from portal import problems
from portal.dashboard import queries
from portal.extensions import db
from portal.models import Aspect, Item, Problem
from portal.models.ledger import ProblemAction
from portal.models.tally import ActionTally, ItemTally, OpenTally, ProblemTally
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


def _actions_direct():
    out = {}
    for a in ProblemAction.select(ProblemAction, Problem).join(Problem).where(_live()):
        key = (a.problem.department_id, f"{a.date:%Y-%m}", a.kind)
        out[key] = out.get(key, 0) + 1
    return out


def _actions_tallied():
    t = ActionTally
    return {(r.department_id, r.month, r.kind): r.n for r in t.select().where(t.n != 0)}


def test_action_tally_follows_actions_and_their_problems(ctx, travel):
    travel(dt.datetime.combine(TODAY, dt.time(9, 0)))
    a, b = make_department("财务科"), make_department("资产管理科")
    office = make_user("tally-office3", a, roles=("discipline", "staff"))
    staff = make_user("tally-staff3", a)
    p1, p2 = make_problem(staff), make_problem(staff, department=b)
    may, june = dt.date(2026, 5, 20), dt.date(2026, 6, 3)
    acts = [ProblemAction.create(problem=p, kind=k, date=d, by=office)
            for p, k, d in ((p1, "talk", june), (p1, "talk", june), (p1, "circular", may), (p2, "reminder", june))]
    assert _actions_tallied() == _actions_direct() == {
        (a.id, "2026-06", "talk"): 2, (a.id, "2026-05", "circular"): 1, (b.id, "2026-06", "reminder"): 1}

    ProblemAction.update(date=may, kind="reminder").where(ProblemAction.id == acts[0].id).execute()  # moved
    ProblemAction.delete().where(ProblemAction.id == acts[1].id).execute()
    assert _actions_tallied() == _actions_direct()
    problems.update(p1.id, office, Problem.get_by_id(p1.id).version, department=b.id)    # actions follow it
    assert _actions_tallied() == _actions_direct()
    assert (a.id, "2026-05", "circular") not in _actions_tallied()
    problems.update(p2.id, office, Problem.get_by_id(p2.id).version, withdrawn=True)     # leaves the count
    assert _actions_tallied() == _actions_direct()
    assert (b.id, "2026-06", "reminder") not in _actions_tallied()
    ProblemAction.create(problem=p2, kind="talk", date=june, by=office)                   # on a withdrawn one
    Problem.update(withdrawn=False).where(Problem.id == p2.id).execute()                  # back, with both
    assert _actions_tallied() == _actions_direct()
    assert _actions_tallied()[(b.id, "2026-06", "talk")] == 1
