"""通知公告: publishing an issued 通报/通知, who sees it and its PDF, read receipts, 已阅, reminders and 撤回;
leaders and the chief read the register's issued documents."""
import pytest

from portal.documents import service as documents
from portal.models import AuditRecord, Notice
from portal.models.publication import Publication, PublicationRecipient
from portal.publications import service
from tests.documents.register_helpers import draft
from tests.factories import make_problem


def issued(bureau, kind="circular", problems=(), **fields):
    return documents.issue(draft(bureau.clerk, kind=kind, problems=problems, **fields).id, bureau.clerk)


def publish_to_departments(bureau, doc, require_ack=True):
    return service.publish(doc.id, bureau.office, "departments", [bureau.fin.id, bureau.asset.id], [], require_ack)


def test_publish_to_two_departments_reaches_their_people_only(bureau, client, auth):
    doc = issued(bureau)
    pub = publish_to_departments(bureau, doc)
    got = {r.user_id for r in PublicationRecipient.select().where(PublicationRecipient.publication == pub.id)}
    assert got == {bureau.head_a.id, bureau.staff_a.id, bureau.staff_a2.id, bureau.head_b.id, bureau.staff_b.id}
    assert Notice.select().where((Notice.kind == "publication") & (Notice.user == bureau.staff_a.id)).count() == 1
    auth.login(bureau.staff_a)
    home = client.get("/").get_data(as_text=True)
    assert "data-publications-panel" in home and doc.title in home and "未读" in home
    r = client.get(f"/publications/{pub.id}/pdf")
    assert r.status_code == 200 and r.data[:4] == b"%PDF"
    assert PublicationRecipient.get(publication=pub.id, user=bureau.staff_a.id).read_at is not None
    assert AuditRecord.select().where(AuditRecord.action == "publication_download").count() == 1


@pytest.mark.parametrize("who,status", [("staff_b", 200), ("leader", 200), ("chief", 200), ("office", 200),
                                        ("clerk", 200), ("inspector", 404), ("disc_head", 404),
                                        ("sysadmin", 404), ("auditor", 404)])
def test_pdf_only_for_recipients_leaders_chief_office(bureau, client, auth, who, status):
    pub = publish_to_departments(bureau, issued(bureau))
    auth.login(bureau[who])
    assert client.get(f"/publications/{pub.id}/pdf").status_code == status
    assert client.get(f"/publications/{pub.id}").status_code == status
    if status == 404:
        denied = AuditRecord.select().where((AuditRecord.action == "access_denied")
                                            & (AuditRecord.object_type == "publication"))
        assert denied.count() == 2


def test_home_lists_unread_first(bureau, client, auth):
    first = publish_to_departments(bureau, issued(bureau, title="关于第一件事的通报"))
    publish_to_departments(bureau, issued(bureau, kind="notice", title="关于第二件事的通知"))
    service.mark_read(Publication.get_by_id(first.id), bureau.staff_a)
    rows = list(service.board(bureau.staff_a))
    assert [p.document.title for p in rows] == ["关于第二件事的通知", "关于第一件事的通报"]
    service.mark_read(rows[0], bureau.staff_a)
    assert [p.document.title for p in service.board(bureau.staff_a)][0] == "关于第二件事的通知"  # newest, both read


def test_ack_button_and_receipts_and_reminders(bureau, client, auth):
    pub = publish_to_departments(bureau, issued(bureau))
    auth.login(bureau.staff_a)
    page = client.get(f"/publications/{pub.id}").get_data(as_text=True)
    assert "已阅</button>" in page
    r = client.hx_post(f"/publications/{pub.id}/ack")
    assert r.status_code == 200 and "data-acked" in r.get_data(as_text=True)
    assert client.post(f"/publications/{pub.id}/ack", csrf=False).status_code == 400  # CSRF
    auth.logout()
    auth.login(bureau.office)
    page = client.get(f"/publications/{pub.id}").get_data(as_text=True)
    assert 'data-dept="财务科"' in page and 'data-dept="资产管理科"' in page and "未确认 4 人" in page
    r = client.hx_post(f"/publications/{pub.id}/remind", data={"round": "0"})
    assert r.status_code == 200 and "已提醒 4 人" in r.get_data(as_text=True)
    reminders = Notice.select().where(Notice.dedupe_key == f"publication:{pub.id}:remind:1")
    assert {n.user_id for n in reminders} == {bureau.head_a.id, bureau.staff_a2.id, bureau.head_b.id,
                                              bureau.staff_b.id}
    # the same round again (a double click): nothing more is sent
    r = client.hx_post(f"/publications/{pub.id}/remind", data={"round": "0"})
    assert "本轮提醒已发送过" in r.get_data(as_text=True)
    assert Notice.select().where(Notice.dedupe_key.startswith(f"publication:{pub.id}:remind")).count() == 4
    client.hx_post(f"/publications/{pub.id}/remind", data={"round": "1"})
    assert Notice.select().where(Notice.dedupe_key == f"publication:{pub.id}:remind:2").count() == 4
    # a recipient cannot remind
    auth.logout()
    auth.login(bureau.staff_b)
    assert client.hx_post(f"/publications/{pub.id}/remind", data={"round": "2"}).status_code == 403


def test_withdraw_keeps_record_and_removes_from_home(bureau, client, auth):
    doc = issued(bureau)
    pub = publish_to_departments(bureau, doc)
    auth.login(bureau.office)
    assert client.post(f"/publications/{pub.id}/withdraw", data={"reason": ""}).status_code == 422
    r = client.post(f"/publications/{pub.id}/withdraw", data={"reason": "内容有误，更正后重发"})
    assert r.status_code == 303
    assert Publication.get_by_id(pub.id).status == "withdrawn"
    assert PublicationRecipient.select().where(PublicationRecipient.publication == pub.id).count() == 5
    assert AuditRecord.select().where(AuditRecord.action == "publication_withdraw").count() == 1
    assert "已撤回" in client.get(f"/publications/{pub.id}").get_data(as_text=True)  # the office still sees it
    auth.logout()
    auth.login(bureau.staff_a)
    assert doc.title not in client.get("/").get_data(as_text=True)
    assert client.get(f"/publications/{pub.id}/pdf").status_code == 404


def test_naming_circular_needs_a_signer(bureau, client, auth):
    p = make_problem(person=bureau.staff_a, description="工作时间脱岗")
    unsigned = issued(bureau, problems=[p.id])
    assert any("签发" in m for m in service.publish_problems(unsigned))
    auth.login(bureau.office)
    r = client.post(f"/publications/document/{unsigned.id}/publish", data={"audience": "all"})
    assert r.status_code == 409 and Publication.select().count() == 0
    signed = issued(bureau, problems=[p.id], signer="周正华")
    assert service.publish_problems(signed) == []
    r = client.post(f"/publications/document/{signed.id}/publish", data={"audience": "all"})
    assert r.status_code == 303
    pub = Publication.get(document=signed.id)
    everyone = PublicationRecipient.select().where(PublicationRecipient.publication == pub.id).count()
    assert everyone == 12  # the business accounts, not the three administrators
    # a 通报 naming nobody needs no signer; a draft or a report cannot be published
    assert service.publish_problems(issued(bureau)) == []
    assert service.publish_problems(draft(bureau.clerk))
    assert service.publish_problems(issued(bureau, kind="report", signer="周正华"))


def test_publish_form_validation(bureau, client, auth):
    doc = issued(bureau)
    auth.login(bureau.office)
    url = f"/publications/document/{doc.id}/publish"
    assert client.post(url, data={"audience": "departments"}).status_code == 422
    assert client.post(url, data={"audience": "people", "people": ["999999"]}).status_code == 422
    assert client.post(url, data={"audience": "nobody"}).status_code == 422
    r = client.post(url, data={"audience": "people", "people": [str(bureau.staff_b.id)]})
    assert r.status_code == 303
    pub = Publication.get(document=doc.id)
    assert [r.user_id for r in pub.recipients] == [bureau.staff_b.id]
    auth.logout()
    auth.login(bureau.staff_a)
    assert client.post(url, data={"audience": "all"}).status_code == 403


@pytest.mark.parametrize("who", ["leader", "chief"])
def test_leaders_and_chief_read_issued_documents(bureau, client, auth, who):
    doc = issued(bureau)
    d = draft(bureau.clerk, title="尚未印发的草稿")
    auth.login(bureau[who])
    page = client.get("/documents/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert doc.title in text and "尚未印发的草稿" not in text and "起草公文" not in text
    assert client.get(f"/documents/{doc.id}").status_code == 200
    assert client.get(f"/documents/{doc.id}/pdf").status_code == 200
    assert client.get(f"/documents/{d.id}").status_code == 404
    assert client.get(f"/documents/{d.id}/pdf").status_code == 404
    assert client.post(f"/documents/{doc.id}/correct").status_code == 403
    assert client.post("/documents/new", data={"kind": "notice"}).status_code == 403


def test_staff_still_cannot_read_the_register(bureau, client, auth):
    doc = issued(bureau)
    auth.login(bureau.staff_a)
    assert client.get("/documents/").status_code == 403
    assert client.get(f"/documents/{doc.id}/pdf").status_code == 403


def test_register_panel_offers_publishing_or_says_why_not(bureau, client, auth):
    p = make_problem(person=bureau.staff_a, description="工作时间脱岗")
    unsigned = issued(bureau, problems=[p.id])
    plain = issued(bureau, kind="notice", title="关于开展自查的通知")
    auth.login(bureau.clerk)
    page = client.hx_get(f"/publications/document/{unsigned.id}").get_data(as_text=True)
    assert "data-publish-blocked" in page and "签发" in page
    page = client.hx_get(f"/publications/document/{plain.id}").get_data(as_text=True)
    assert 'name="audience"' in page and "财务科" in page
    assert 'id="publication-panel"' in client.get(f"/documents/{plain.id}").get_data(as_text=True)
    auth.logout()
    auth.login(bureau.leader)  # reads the register, does not publish
    assert client.get(f"/publications/document/{plain.id}").status_code == 403
    assert 'id="publication-panel"' not in client.get(f"/documents/{plain.id}").get_data(as_text=True)


def test_board_lists_what_each_may_read(bureau, client, auth):
    pub = publish_to_departments(bureau, issued(bureau, title="只发财务科资产管理科的通报"))
    for who, shown in (("staff_a", True), ("leader", True), ("chief", True), ("clerk", True), ("inspector", False)):
        auth.login(bureau[who])
        text = client.get("/publications/").get_data(as_text=True)
        assert ("只发财务科资产管理科的通报" in text) == shown, who
        auth.logout()
    auth.login(bureau.auditor)
    assert client.get("/publications/").status_code == 403
    assert pub.id
