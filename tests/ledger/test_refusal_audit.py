"""A refused status change leaves its audit record even though the ledger's transaction around it rolls
back (issue 11: the record used to be written inside that transaction and rolled back with it)."""
import json

import pytest

from portal import audit, errors
from portal.extensions import db
from portal.ledger import service
from portal.models import AuditRecord, Problem, ProblemEvent


def _refusals(p):
    return list(AuditRecord.select().where((AuditRecord.action == "problem_refused")
                                           & (AuditRecord.object_id == str(p.id))))


def test_status_change_refused_inside_the_ledger_transaction_is_audited(client, auth, org):
    auth.login(org.office)
    before = ProblemEvent.select().count()
    r = client.hx_post(f"/ledger/{org.pa1.id}/status", data={"to": "closed", "version": "1", "mode": "close"})
    assert r.status_code == 409 and "不能从" in r.get_data(as_text=True)
    rows = _refusals(org.pa1)
    assert len(rows) == 1
    assert rows[0].outcome == "refused" and rows[0].actor_id == org.office.id
    assert json.loads(rows[0].detail) == {"from": "pending", "to": "closed"}
    # the business write was rolled back: no status change, no event
    assert Problem.get_by_id(org.pa1.id).status == "pending"
    assert ProblemEvent.select().count() == before
    assert audit.verify() == (True, "ok")


def test_refusal_in_a_caller_transaction_survives_its_rollback(ctx, org):
    p = Problem.get_by_id(org.pa2.id)
    with pytest.raises(errors.IllegalTransition):
        with db.atomic():  # any caller's transaction around the ledger's own
            service.change_status(p, "closed", org.office, p.version, "")
    assert not db.in_transaction()
    assert len(_refusals(p)) == 1


def test_role_refusal_is_audited_once_and_the_chain_holds(ctx, org):
    p = Problem.get_by_id(org.pa2.id)
    with pytest.raises(errors.Refused) as e:
        with db.atomic():
            service.change_status(p, "in_progress", org.staff_a, p.version, "")
    assert e.value.status == 409  # the ledger's refusals keep their status
    rows = _refusals(p)
    assert len(rows) == 1 and "无权" in json.loads(rows[0].detail)["reason"]
    assert audit.verify() == (True, "ok")


def test_record_apart_waits_for_the_outer_transaction_and_writes_after_commit(ctx, org):
    with db.atomic():
        with db.atomic():
            audit.record_apart("problem_refused", "problem", "x1", actor=org.office)
        assert not AuditRecord.select().where(AuditRecord.object_id == "x1").exists()
    assert AuditRecord.select().where(AuditRecord.object_id == "x1").count() == 1
    audit.record_apart("problem_refused", "problem", "x2", actor=org.office)  # no transaction: at once
    assert AuditRecord.select().where(AuditRecord.object_id == "x2").count() == 1
    assert audit.verify() == (True, "ok")
