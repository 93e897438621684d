"""Immutable means immutable, in the database (migration 0014): submitted self-check versions, issued documents
(and their numbers), problem events, clue events and the audit trail refuse UPDATE and DELETE from any SQL
client, not only through the ORM; the app's own legitimate writes still work."""
import json

import pytest
from peewee import IntegrityError

from portal import clock
from portal import db as portal_db
from portal.extensions import db
from portal.models import Document, ProblemEvent
from portal.models.selfcheck import SelfCheck, SelfCheckVersion
from portal.models.tip import ClueEvent
from tests.factories import default_campaign, make_department, make_problem, make_user
from tests.triggers import suspended


def _refused(sql, *params):
    """The statement, run as from a SQL shell, is refused and changes nothing."""
    with pytest.raises(IntegrityError) as e:
        with db.atomic():
            db.execute_sql(sql.replace("%s", db.param), params)
    assert "immutable" in str(e.value)


def _works(sql, *params):
    with db.atomic():
        return db.execute_sql(sql.replace("%s", db.param), params).rowcount


def _truncate_refused(table):
    if portal_db.is_postgres():
        _refused(f'TRUNCATE "{table}" CASCADE')


def test_problem_events_refuse_update_and_delete(ctx):
    p = make_problem(department=make_department("财务科"))
    ev = ProblemEvent.get(ProblemEvent.problem == p.id)
    _refused('UPDATE "problem_event" SET "note" = %s WHERE "id" = %s', "改写的记录", ev.id)
    _refused('UPDATE "problem_event" SET "at" = "at" WHERE "id" = %s', ev.id)
    _refused('DELETE FROM "problem_event" WHERE "id" = %s', ev.id)
    _refused('DELETE FROM "problem_event"')
    _truncate_refused("problem_event")
    assert ProblemEvent.get_by_id(ev.id).note == ev.note
    # the app keeps appending events
    from portal import problems
    problems.update(p.id, None, p.version, description="新的问题描述")
    assert ProblemEvent.select().where(ProblemEvent.problem == p.id).count() == 2


def test_clue_events_refuse_update_and_delete(ctx, client):
    from tests.tips.util import org, submit
    org()
    r, code, _pw = submit(client)
    assert code, r.get_data(as_text=True)[:400]
    ev = ClueEvent.select().order_by(ClueEvent.id).first()
    _refused('UPDATE "clue_event" SET "kind" = %s WHERE "id" = %s', "status", ev.id)
    _refused('UPDATE "clue_event" SET "actor_id" = NULL WHERE "id" = %s', ev.id)
    _refused('DELETE FROM "clue_event" WHERE "id" = %s', ev.id)
    _truncate_refused("clue_event")
    assert ClueEvent.get_by_id(ev.id).kind == ev.kind


def _submitted(user):
    camp = default_campaign()
    sc = SelfCheck.create(user=user, campaign=camp, status="submitted", versions_count=1, submitted_at=clock.now())
    content = json.dumps({"person": {"id": user.id}, "number": 1, "items": []})
    v = SelfCheckVersion.create(selfcheck=sc, number=1, content=content, content_hash="a" * 64)
    return sc, v


def test_submitted_selfcheck_versions_refuse_changes_but_take_one_review(ctx):
    from portal.selfcheck.review import review
    dept = make_department("办公室")
    user = make_user("staff1", dept)
    reviewer = make_user("head1", dept, roles=("dept_head", "staff"))
    sc, v = _submitted(user)
    table = SelfCheckVersion._meta.table_name
    for column, value in (("content", '{"forged": true}'), ("content_hash", "b" * 64), ("number", 2),
                          ("submitted_at", "2026-01-01 00:00:00")):
        _refused(f'UPDATE "{table}" SET "{column}" = %s WHERE "id" = %s', value, v.id)
    _refused(f'DELETE FROM "{table}" WHERE "id" = %s', v.id)
    _truncate_refused(table)
    # the reviewer's decision is written once, by the app …
    reviewed = review(sc, reviewer, "returned", "请补充具体问题", True, 1)
    assert reviewed.review_outcome == "returned" and reviewed.perfunctory
    # … and then stays as it was
    _refused(f'UPDATE "{table}" SET "review_outcome" = %s WHERE "id" = %s', "approved", v.id)
    _refused(f'UPDATE "{table}" SET "review_comment" = %s WHERE "id" = %s', "", v.id)
    _refused(f'UPDATE "{table}" SET "reviewer_id" = NULL WHERE "id" = %s', v.id)
    fresh = SelfCheckVersion.get_by_id(v.id)
    assert (fresh.review_outcome, fresh.review_comment, fresh.content) == ("returned", "请补充具体问题", v.content)


def _issued(number="机管发〔2026〕1号", seq=1, **extra):
    return Document.create(kind="circular", status="issued", title="关于某项工作的通报", prefix="机管发", year=2026,
                           seq=seq, number=number, body="正文", issued_at=clock.now(), pdf_key="documents/x.pdf",
                           pdf_sha256="c" * 64, **extra)


def test_issued_documents_and_their_numbers_refuse_changes(ctx):
    doc = _issued()
    for column, value in (("number", "机管发〔2026〕9号"), ("seq", 9), ("year", 2025), ("prefix", "机管函"),
                          ("body", "改写的正文"), ("title", "改写"), ("pdf_sha256", "d" * 64), ("status", "draft")):
        _refused(f'UPDATE "document" SET "{column}" = %s WHERE "id" = %s', value, doc.id)
    _refused('DELETE FROM "document" WHERE "id" = %s', doc.id)
    _truncate_refused("document")
    fresh = Document.get_by_id(doc.id)
    assert (fresh.number, fresh.seq, fresh.body, fresh.status) == ("机管发〔2026〕1号", 1, "正文", "issued")


def test_drafts_stay_free_and_a_correction_supersedes_once(ctx):
    draft = Document.create(kind="circular", status="draft", title="草稿", body="初稿")
    assert _works('UPDATE "document" SET "body" = %s WHERE "id" = %s', "二稿", draft.id) == 1
    # issuing is an update of a draft
    assert _works('UPDATE "document" SET "status" = %s, "number" = %s, "seq" = 2, "prefix" = %s, "year" = 2026 '
                  'WHERE "id" = %s', "issued", "机管发〔2026〕2号", "机管发", draft.id) == 1
    old = _issued("机管发〔2026〕1号", 1)
    # the app's statement when a correction is issued (documents/issuing.py): superseded_by, once
    n = (Document.update(superseded_by=draft.id)
         .where((Document.id == old.id) & Document.superseded_by.is_null()).execute())
    assert n == 1 and Document.get_by_id(old.id).superseded_by_id == draft.id
    other = _issued("机管发〔2026〕3号", 3)
    _refused('UPDATE "document" SET "superseded_by_id" = %s WHERE "id" = %s', other.id, old.id)
    _refused('UPDATE "document" SET "superseded_by_id" = NULL WHERE "id" = %s', old.id)
    # a draft may be deleted, an issued document not
    gone = Document.create(kind="notice", status="draft", title="作废草稿")
    assert _works('DELETE FROM "document" WHERE "id" = %s', gone.id) == 1
    _refused('DELETE FROM "document" WHERE "id" = %s', draft.id)


def test_the_test_setup_can_still_empty_the_tables(ctx):
    """What the test set-up does between tests (tests/triggers.py), as the database owner."""
    _issued()
    make_problem(department=make_department("财务科"))
    with db.atomic(), suspended():
        db.execute_sql('DELETE FROM "document"')
        db.execute_sql('DELETE FROM "problem_event"')
    assert Document.select().count() == 0 and ProblemEvent.select().count() == 0
    _refused('DELETE FROM "audit_record"')  # the triggers are back
