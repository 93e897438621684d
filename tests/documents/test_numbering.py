"""发文字号: per prefix and year, sequential, never doubled or skipped — also under concurrency."""
import datetime as dt
import threading

import pytest
from peewee import IntegrityError

from portal.documents import service
from portal.extensions import db
from portal.models import Document, DocumentNumberCounter

from .register_helpers import clerk, draft


def test_numbers_follow_prefix_and_year(ctx):
    u = clerk()
    a = service.issue(draft(u).id, u)
    b = service.issue(draft(u).id, u)
    c = service.issue(draft(u, kind="reminder-letter", title="提醒函").id, u)
    d = service.issue(draft(u, doc_date=dt.date(2027, 1, 4)).id, u)
    assert a.number == "机管发〔2026〕1号"
    assert b.number == "机管发〔2026〕2号"
    assert c.number == "机管函〔2026〕1号"
    assert d.number == "机管发〔2027〕1号"
    assert (a.prefix, a.year, a.seq) == ("机管发", 2026, 1)


def test_refused_issue_does_not_consume_a_number(ctx):
    u = clerk()
    service.issue(draft(u).id, u)
    bad = draft(u, body="本段含有字库没有的字：\U00020000。")
    with pytest.raises(service.DocumentError) as e:
        service.issue(bad.id, u)
    assert "\U00020000" in e.value.message and "U+20000" in e.value.message
    assert Document.get_by_id(bad.id).status == "draft"
    nxt = service.issue(draft(u).id, u)
    assert nxt.number == "机管发〔2026〕2号"


def test_unique_constraint_on_prefix_year_seq(ctx):
    u = clerk()
    service.issue(draft(u).id, u)
    with pytest.raises(IntegrityError):
        with db.atomic():
            Document.create(kind="circular", status="issued", prefix="机管发", year=2026, seq=1)


def test_concurrent_issues_get_distinct_consecutive_numbers(app, ctx):
    u = clerk()
    n = 8
    ids = [draft(u, title=f"通报{i}").id for i in range(n)]
    barrier = threading.Barrier(n)
    errors = []

    def worker(doc_id):
        with app.app_context():
            with db.connection_context():
                try:
                    barrier.wait(timeout=10)
                    service.issue(doc_id, u)
                except Exception as e:  # noqa: BLE001
                    errors.append(repr(e))

    threads = [threading.Thread(target=worker, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    seqs = sorted(d.seq for d in Document.select().where(Document.id.in_(ids)))
    assert seqs == list(range(1, n + 1))
    assert DocumentNumberCounter.get(prefix="机管发", year=2026).last_seq == n


def test_the_same_draft_issued_twice_at_once_is_issued_once(app, ctx):
    u = clerk()
    doc = draft(u)
    barrier = threading.Barrier(4)
    outcomes = []

    def worker():
        with app.app_context():
            with db.connection_context():
                barrier.wait(timeout=10)
                try:
                    outcomes.append(service.issue(doc.id, u).number)
                except service.DocumentLocked:
                    outcomes.append("locked")

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["locked", "locked", "locked", "机管发〔2026〕1号"]
    assert DocumentNumberCounter.get(prefix="机管发", year=2026).last_seq == 1


def test_a_counter_behind_the_register_never_reuses_a_number(ctx):
    u = clerk()
    service.issue(draft(u).id, u)
    service.issue(draft(u).id, u)
    DocumentNumberCounter.update(last_seq=0).execute()  # e.g. restored from an older backup
    assert service.issue(draft(u).id, u).number == "机管发〔2026〕3号"
