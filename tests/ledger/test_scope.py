"""Who sees what: the list, the detail page, every partial and the export are scoped in SQL; crafted
requests for Problems outside one's scope get 404 and are audited."""
import pytest

from portal.ledger.export import read_back
from portal.models import AuditRecord, Problem

from .conftest import row_ids


def _expected(org, name):
    every = {org.pa1.id, org.pa2.id, org.pb1.id, org.pc1.id}
    return {"office": every, "leader": {org.pa1.id, org.pa2.id}, "head_a": {org.pa1.id, org.pa2.id},
            "head_b": {org.pb1.id}, "staff_a": {org.pa1.id}, "staff_b": {org.pb1.id}}[name]


NAMES = ["office", "leader", "head_a", "head_b", "staff_a", "staff_b"]


@pytest.mark.parametrize("name", NAMES)
def test_list_partial_and_export_are_scoped(client, auth, org, name):
    auth.login(getattr(org, name))
    want = _expected(org, name)
    r = client.get("/ledger/")
    assert r.status_code == 200
    assert row_ids(r.get_data(as_text=True)) == want
    r = client.hx_get("/ledger/?sort=deadline")
    assert r.status_code == 200 and "<html" not in r.get_data(as_text=True)
    assert row_ids(r.get_data(as_text=True)) == want
    r = client.get("/ledger/export.xlsx")
    assert r.status_code == 200
    _title, header, rows = read_back(r.data)
    descs = {row[5] for row in rows}
    assert descs == {p.description for p in Problem.select().where(Problem.id.in_(want))}
    # asking for another department by filter does not widen the scope
    r = client.get(f"/ledger/?dept={org.b.id}")
    assert row_ids(r.get_data(as_text=True)) <= want


@pytest.mark.parametrize("name", NAMES)
def test_detail_and_partials_out_of_scope_are_404_and_audited(client, auth, org, name):
    auth.login(getattr(org, name))
    want = _expected(org, name)
    for p in (org.pa1, org.pa2, org.pb1, org.pc1):
        urls = [f"/ledger/{p.id}", f"/ledger/{p.id}/row", f"/ledger/{p.id}/row/edit"]
        for url in urls:
            r = client.get(url)
            assert (r.status_code == 200) == (p.id in want), (url, r.status_code)
        if p.id not in want:
            before = AuditRecord.select().where(AuditRecord.action == "access_denied").count()
            for url, data in ((f"/ledger/{p.id}/status", {"to": "in_progress", "version": "1"}),
                              (f"/ledger/{p.id}/edit", {"measures": "x", "version": "1"}),
                              (f"/ledger/{p.id}/action", {"kind": "talk", "date": "2026-05-01"}),
                              (f"/ledger/{p.id}/extension", {"new_deadline": "2027-01-01", "reason": "理由充分"}),
                              (f"/ledger/{p.id}/extension/decide", {"decision": "approve", "version": "1"})):
                r = client.hx_post(url, data=data)
                assert r.status_code == 404, url
            after = AuditRecord.select().where(AuditRecord.action == "access_denied").count()
            assert after == before + 5
            assert Problem.get_by_id(p.id).status == "pending"


def test_admin_roles_have_no_ledger(client, auth, org):
    auth.login(org.auditor)
    assert client.get("/ledger/").status_code == 403
    assert client.get(f"/ledger/{org.pa1.id}").status_code == 403
    assert client.get("/ledger/export.xlsx").status_code == 403


def test_anonymous_is_sent_to_login(client, org):
    r = client.get("/ledger/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    r = client.hx_post(f"/ledger/{org.pa1.id}/status", data={"to": "in_progress", "version": "1"})
    assert r.status_code in (400, 401)


def test_bulk_out_of_scope_ids_are_refused_and_audited(client, auth, org):
    # even the office's bulk form only touches what it can see; a head cannot bulk at all
    auth.login(org.head_a)
    r = client.hx_post("/ledger/bulk", data={"op": "remind", "ids": [str(org.pb1.id), str(org.pa1.id)]})
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert "不在您的查看范围内" in text
    assert AuditRecord.select().where((AuditRecord.action == "access_denied")
                                      & (AuditRecord.object_id == str(org.pb1.id))).exists()
    from portal.models.ledger import ProblemAction
    assert ProblemAction.select().count() == 0  # 提醒 is the office's to record


def test_evidence_download_is_scoped(client, auth, org, app):
    from portal import uploads
    from portal.models.ledger import ProblemEvidence
    with app.test_request_context():
        key = uploads.store("ledger", b"%PDF-1.4 test")
    ev = ProblemEvidence.create(problem=org.pb1, filename="佐证.pdf", kind="pdf", key=key, size=13)
    auth.login(org.head_a)
    assert client.get(f"/ledger/evidence/{ev.id}").status_code == 404
    auth.logout()
    auth.login(org.head_b)
    r = client.get(f"/ledger/evidence/{ev.id}")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    assert "attachment" in r.headers["Content-Disposition"]
