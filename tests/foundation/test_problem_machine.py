"""The Problem status machine: every allowed and refused jump, optimistic locking, history."""
import itertools

import pytest

from portal import problems
from portal.models import STATUSES, TRANSITIONS, AuditRecord, Problem, ProblemEvent
from tests.factories import make_problem, make_user

ALL_PAIRS = [(a, b) for a, b in itertools.product(STATUSES, STATUSES) if a != b]


def _at(status, user):
    p = make_problem(person=user)
    path = {"pending": [], "in_progress": ["in_progress"], "rectified": ["in_progress", "rectified"],
            "closed": ["in_progress", "rectified", "closed"]}[status]
    for step in path:
        p = problems.transition(p.id, step, user, p.version)
    return p


@pytest.mark.parametrize("frm, to", ALL_PAIRS)
def test_every_transition(ctx, frm, to):
    user = make_user()
    p = _at(frm, user)
    if (frm, to) in TRANSITIONS:
        new = problems.transition(p.id, to, user, p.version, note="说明")
        assert new.status == to and new.version == p.version + 1
        ev = ProblemEvent.select().where(ProblemEvent.problem == p.id).order_by(ProblemEvent.id.desc()).first()
        assert (ev.from_status, ev.to_status, ev.note) == (frm, to, "说明")
    else:
        with pytest.raises(problems.IllegalTransition):
            problems.transition(p.id, to, user, p.version)
        assert Problem.get_by_id(p.id).status == frm
        assert AuditRecord.select().where(AuditRecord.action == "problem_refused").count() == 1


def test_exactly_the_documented_transitions():
    assert TRANSITIONS == {("pending", "in_progress"), ("in_progress", "rectified"),
                           ("rectified", "closed"), ("rectified", "in_progress")}


def test_version_conflict(ctx):
    user = make_user()
    p = make_problem(person=user)
    problems.update(p.id, user, p.version, measures="第一人的修改")
    with pytest.raises(problems.VersionConflict) as e:
        problems.update(p.id, user, p.version, measures="第二人的修改")
    assert e.value.current.measures == "第一人的修改"
    with pytest.raises(problems.VersionConflict):
        problems.transition(p.id, "in_progress", user, p.version)
    assert Problem.get_by_id(p.id).measures == "第一人的修改"


def test_update_records_changes(ctx):
    user = make_user()
    p = make_problem(person=user, severity="general")
    new = problems.update(p.id, user, p.version, severity="serious", note="升级")
    ev = ProblemEvent.select().where(ProblemEvent.kind == "edit").get()
    assert '"severity": ["general", "serious"]' in ev.changes
    assert new.version == 2
    same = problems.update(new.id, user, new.version, severity="serious")
    assert same.version == 2  # no change, no event


def test_history_is_immutable(ctx):
    p = make_problem(person=make_user())
    ev = ProblemEvent.get(ProblemEvent.problem == p.id)
    ev.note = "改写历史"
    with pytest.raises(PermissionError):
        ev.save()
    with pytest.raises(PermissionError):
        ev.delete_instance()
    with pytest.raises(PermissionError):
        ProblemEvent.update(note="x").execute()


def test_overdue_is_computed(ctx, travel):
    import datetime as dt
    user = make_user()
    p = make_problem(person=user, deadline=dt.date(2026, 12, 1))
    travel(dt.date(2026, 12, 1))
    assert not Problem.get_by_id(p.id).is_overdue
    assert Problem.select().where(Problem.overdue_expr()).count() == 0
    travel(dt.date(2026, 12, 2))
    assert Problem.get_by_id(p.id).is_overdue
    assert Problem.select().where(Problem.overdue_expr()).count() == 1
    p = problems.transition(p.id, "in_progress", user, p.version)
    p = problems.transition(p.id, "rectified", user, p.version)
    assert not p.is_overdue and Problem.select().where(Problem.overdue_expr()).count() == 0
