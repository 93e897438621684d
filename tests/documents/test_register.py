"""The register through the UI: permissions, editor, escaping, missing glyphs, issuing, immutability,
stored PDF and its hash, corrections, links to the ledger, the seal."""
import datetime as dt
import hashlib
import io
import os

import pytest

from portal import nav
from portal.documents import service
from portal.models import AuditRecord, Document, Problem, SealImage
from tests.factories import make_department, make_problem, make_user

from .register_helpers import BODY, clerk, draft, pdf_text, reload


def form_data(doc, **over):
    data = dict(kind=doc.kind, title=doc.title, organ=doc.organ, prefix=doc.prefix, signer=doc.signer,
                addressees=doc.addressees, body=doc.body, attachments="\n".join(doc.attachment_list),
                signature=doc.signature, doc_date=doc.doc_date.isoformat() if doc.doc_date else "",
                note=doc.note, copy_to=doc.copy_to, printer=doc.printer, print_date="")
    data.update(over)
    return data


def png(mode="RGBA", size=(400, 400), transparent=True):
    from PIL import Image, ImageDraw
    im = Image.new(mode, size, (0, 0, 0, 0) if mode == "RGBA" else (255, 255, 255))
    ImageDraw.Draw(im).ellipse([20, 20, size[0] - 20, size[1] - 20], outline=(220, 0, 0) if mode != "RGBA" else (220, 0, 0, 255), width=12)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


# ---------------------------------------------------------------- access
@pytest.mark.parametrize("path", ["/documents/", "/documents/new", "/documents/batch"])
def test_staff_cannot_use_the_register(ctx, client, auth, path):
    u = make_user("plain", roles=("staff",))
    auth.login(u)
    assert client.get(path).status_code == 403


def test_clerk_sees_register_and_nav_and_home_panel(ctx, client, auth):
    u = clerk(username="clerk1")
    draft(u, title="待印发的通报甲")
    auth.login(u)
    r = client.get("/documents/")
    assert r.status_code == 200 and "待印发的通报甲" in r.get_data(as_text=True)
    assert "公文管理" in r.get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert "待印发的公文草稿" in home and "待印发的通报甲" in home


def test_filters_narrow_the_list(ctx, client, auth):
    u = clerk(username="clerk1")
    draft(u, title="第一份通报")
    service.issue(draft(u, title="第二份通报").id, u)
    auth.login(u)
    body = client.hx_get("/documents/?status=issued").get_data(as_text=True)
    assert "第二份通报" in body and "第一份通报" not in body
    body = client.get("/documents/?q=第一").get_data(as_text=True)
    assert "第一份通报" in body and "第二份通报" not in body


# ---------------------------------------------------------------- editor
def test_new_draft_save_and_preview(ctx, client, auth):
    u = clerk(username="clerk1")
    auth.login(u)
    r = client.post("/documents/new", data={"kind": "notice"})
    assert r.status_code == 302
    doc = Document.select().order_by(Document.id.desc()).first()
    assert doc.kind == "notice" and doc.prefix == "机管发" and doc.status == "draft"
    r = client.hx_post(f"/documents/{doc.id}/save", data=form_data(doc, title="关于开展回头看的通知", body=BODY))
    assert r.status_code == 200
    assert "已自动保存" in r.get_data(as_text=True)
    assert 'id="preview"' in r.get_data(as_text=True)  # the preview frame is refreshed out of band
    assert reload(doc).title == "关于开展回头看的通知"
    p = client.get(f"/documents/{doc.id}/preview")
    assert p.status_code == 200
    assert "frame-ancestors 'self'" in p.headers["Content-Security-Policy"]
    assert "script-src" not in p.headers["Content-Security-Policy"]
    assert "关于开展回头看的通知" in p.get_data(as_text=True)


def test_invalid_prefix_is_refused_with_message(ctx, client, auth):
    u = clerk(username="clerk1")
    doc = draft(u)
    auth.login(u)
    r = client.hx_post(f"/documents/{doc.id}/save", data=form_data(doc, prefix="ABC"))
    assert r.status_code == 422
    assert "发文字号前缀" in r.get_data(as_text=True)
    assert reload(doc).prefix == "机管发"


def test_script_and_template_syntax_print_as_text(ctx, client, auth):
    u = clerk(username="clerk1")
    doc = draft(u)
    auth.login(u)
    nasty = "正文<script>alert(1)</script>结束。\n另有{{ 7*7 }}与{% raw %}标记。"
    r = client.hx_post(f"/documents/{doc.id}/save", data=form_data(doc, body=nasty, title="<b>标题</b>"))
    assert r.status_code == 200
    html = client.get(f"/documents/{doc.id}/preview").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert "{{ 7*7 }}" in html and "另有49" not in html
    assert "<b>标题</b>" not in html
    page = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    r = client.hx_post(f"/documents/{doc.id}/issue", data=form_data(reload(doc)))
    assert r.status_code == 200, r.get_data(as_text=True)
    text = pdf_text(client.get(f"/documents/{doc.id}/pdf").data).replace("\n", "")
    assert "<script>alert(1)</script>" in text
    assert "{{ 7*7 }}" in text
    assert "<b>标题</b>" in text


def test_missing_glyph_refused_through_the_ui_naming_the_character(ctx, client, auth):
    u = clerk(username="clerk1")
    doc = draft(u)
    auth.login(u)
    rare = "\U0002A6A5"  # a CJK Extension B character no configured font has
    r = client.hx_post(f"/documents/{doc.id}/save", data=form_data(doc, body=BODY + f"\n责任人：王{rare}。"))
    assert r.status_code == 200
    assert rare in r.get_data(as_text=True)  # warned while typing
    r = client.hx_post(f"/documents/{doc.id}/issue", data=form_data(reload(doc)))
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    assert rare in body and "U+2A6A5" in body and "data-error-message" in body
    d = reload(doc)
    assert d.status == "draft" and d.number is None
    assert AuditRecord.select().where(AuditRecord.action == "document_refused").exists()


# ---------------------------------------------------------------- issuing, immutability, storage
def test_issue_stores_pdf_with_hash_and_serves_it_as_stored(ctx, client, auth, app):
    u = clerk(username="clerk1")
    doc = draft(u)
    auth.login(u)
    r = client.hx_post(f"/documents/{doc.id}/issue", data=form_data(doc))
    assert r.status_code == 200 and r.headers["HX-Redirect"] == f"/documents/{doc.id}"
    d = reload(doc)
    assert d.status == "issued" and d.number == "机管发〔2026〕1号" and d.issued_by_id == u.id
    got = client.get(f"/documents/{doc.id}/pdf")
    assert got.status_code == 200 and got.mimetype == "application/pdf"
    assert hashlib.sha256(got.data).hexdigest() == d.pdf_sha256
    assert "机管发〔2026〕1号" in pdf_text(got.data)
    assert "attachment" in got.headers["Content-Disposition"]
    actions = {a.action for a in AuditRecord.select()}
    assert {"document_issue", "document_download"} <= actions
    # tamper with the stored file: it is refused, not served
    path = os.path.join(app.instance_path, "uploads", d.pdf_key)
    with open(path, "r+b") as fh:
        fh.seek(200)
        fh.write(b"X")
    bad = client.get(f"/documents/{doc.id}/pdf")
    assert bad.status_code == 500 and bad.mimetype != "application/pdf"
    assert "校验失败" in bad.get_data(as_text=True)
    assert AuditRecord.select().where(AuditRecord.action == "document_integrity").exists()


def test_draft_pdf_is_marked_draft_and_has_no_number(ctx, client, auth):
    u = clerk(username="clerk1")
    doc = draft(u)
    auth.login(u)
    r = client.get(f"/documents/{doc.id}/pdf")
    assert r.status_code == 200
    text = pdf_text(r.data)
    assert "草稿" in text and "〔2026〕" not in text
    assert reload(doc).status == "draft"


def test_issued_document_is_immutable(ctx, client, auth):
    u = clerk(username="clerk1")
    doc = service.issue(draft(u).id, u)
    before = (doc.title, doc.body, doc.number, doc.pdf_sha256, doc.version)
    auth.login(u)
    r = client.hx_post(f"/documents/{doc.id}/save", data=form_data(doc, title="改过的标题"))
    assert r.status_code == 409 and "不能修改" in r.get_data(as_text=True)
    assert client.hx_post(f"/documents/{doc.id}/issue", data={}).status_code == 409
    assert client.hx_post(f"/documents/{doc.id}/delete").status_code == 409
    with pytest.raises(service.DocumentLocked):
        service.update_draft(doc.id, u, {"title": "直接改"})
    d = reload(doc)
    assert (d.title, d.body, d.number, d.pdf_sha256, d.version) == before
    assert "印发" in client.get(f"/documents/{doc.id}").get_data(as_text=True)


def test_correction_supersedes_and_both_are_linked(ctx, client, auth):
    u = clerk(username="clerk1")
    old = service.issue(draft(u).id, u)
    auth.login(u)
    r = client.post(f"/documents/{old.id}/correct")
    assert r.status_code == 302
    new = Document.get(Document.supersedes == old.id)
    assert new.status == "draft" and new.body == old.body
    assert client.post(f"/documents/{old.id}/correct").headers["Location"].endswith(f"/documents/{new.id}")
    client.hx_post(f"/documents/{new.id}/save", data=form_data(new, body=BODY + "\n（更正：补充说明。）"))
    r = client.hx_post(f"/documents/{new.id}/issue", data=form_data(reload(new), body=BODY + "\n（更正：补充说明。）"))
    assert r.status_code == 200
    old, new = reload(old), reload(new)
    assert old.superseded_by_id == new.id and new.supersedes_id == old.id
    assert old.status_label == "已更正" and new.number == "机管发〔2026〕2号"
    page = client.get(f"/documents/{old.id}").get_data(as_text=True)
    assert "此文已被更正" in page and new.number in page
    assert client.post(f"/documents/{old.id}/correct").status_code == 409


# ---------------------------------------------------------------- ledger links
def test_circular_names_problems_and_the_ledger_shows_it(ctx, client, auth):
    u = clerk(username="clerk1")
    dept = make_department("财务科")
    person = make_user("p1", dept, real_name="李明")
    p1 = make_problem(person=person, description="上班时间脱岗")
    p2 = make_problem(department=dept, description="值班记录不规范")
    p3 = make_problem(department=dept, description="与通报无关的问题")
    from portal.models.ledger import ProblemAction
    act = ProblemAction.create(problem=p1, kind="circular", date=dt.date(2026, 5, 6), by=u)
    doc = draft(u)
    auth.login(u)
    picker = client.hx_get(f"/documents/{doc.id}/problems?pq=脱岗").get_data(as_text=True)
    assert "上班时间脱岗" in picker and "值班记录不规范" not in picker
    data = form_data(doc)
    r = client.hx_post(f"/documents/{doc.id}/save", data={**data, "problem_ids": [str(p1.id), str(p2.id)]})
    assert r.status_code == 200
    r = client.hx_post(f"/documents/{doc.id}/issue", data={**data, "problem_ids": [str(p1.id), str(p2.id)]})
    assert r.status_code == 200
    d = reload(doc)
    assert [p.id for p in service.linked_problems(d)] == [p1.id, p2.id]
    text = pdf_text(client.get(f"/documents/{doc.id}/pdf").data).replace("\n", "")
    assert "上班时间脱岗" in text and "李明" in text
    head = make_user("h1", dept, roles=("dept_head", "staff"))
    panel = "".join(nav.problem_panels(Problem.get_by_id(p1.id), head))
    assert d.number in panel and d.title in panel
    assert not "".join(nav.problem_panels(Problem.get_by_id(p3.id), head))
    assert ProblemAction.get_by_id(act.id).document_id == d.id


def test_talk_notice_generated_from_a_ledger_action(ctx, client, auth):
    u = clerk(username="clerk1")
    dept = make_department("财务科")
    person = make_user("p1", dept, real_name="李明")
    p = make_problem(person=person, description="多次迟到早退")
    from portal.models.ledger import ProblemAction
    act = ProblemAction.create(problem=p, kind="talk", date=dt.date(2026, 5, 12), by=u, note="")
    auth.login(u)
    r = client.get(f"/documents/new?action={act.id}")
    assert r.status_code == 302
    doc = Document.get(Document.action_id == act.id)
    assert doc.kind == "talk-notice" and doc.addressees == "李明同志" and "多次迟到早退" in doc.body
    assert client.get(f"/documents/new?action={act.id}").headers["Location"].endswith(f"/documents/{doc.id}")
    service.issue(doc.id, u)
    assert ProblemAction.get_by_id(act.id).document_id == doc.id
    assert reload(doc).number == "机管约〔2026〕1号"


# ---------------------------------------------------------------- seal
def test_only_the_security_administrator_uploads_the_seal(ctx, client, auth):
    u = clerk(username="clerk1")
    auth.login(u)
    r = client.post("/documents/seal", data={"image": (io.BytesIO(png()), "seal.png")},
                    content_type="multipart/form-data")
    assert r.status_code == 403 and SealImage.select().count() == 0
    auth.logout()
    sec = make_user("sec1", roles=("secadmin",))
    auth.login(sec)
    for bad, msg in ((png(mode="RGB"), "透明"), (png(size=(60, 60)), "尺寸"), (b"\xff\xd8\xff\xe0JFIF", "PNG")):
        r = client.post("/documents/seal", data={"image": (io.BytesIO(bad), "seal.png")},
                        content_type="multipart/form-data")
        assert r.status_code == 422 and msg in r.get_data(as_text=True)
    r = client.post("/documents/seal", data={"image": (io.BytesIO(png()), "seal.png")},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    assert SealImage.select().where(SealImage.active == True).count() == 1  # noqa: E712
    assert AuditRecord.select().where(AuditRecord.action == "seal_upload").exists()
    assert client.get("/documents/").status_code == 403  # the seal admin does not see the register


def test_sealed_document_needs_a_seal_and_carries_it(ctx, client, auth):
    u = clerk(username="clerk1")
    doc = draft(u, seal=True)
    with pytest.raises(service.DocumentError) as e:
        service.issue(doc.id, u)
    assert "印章" in e.value.message
    service.save_seal(png(), make_user("sec1", roles=("secadmin",)))
    d = service.issue(doc.id, u)
    from pypdf import PdfReader
    auth.login(u)
    data = client.get(f"/documents/{d.id}/pdf").data
    assert any(len(pg.images) for pg in PdfReader(io.BytesIO(data)).pages)


def test_cli_sample_renders_a_pdf(runner, tmp_path):
    out = tmp_path / "circular.pdf"
    r = runner.invoke(args=["documents", "sample", "circular", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_bytes().startswith(b"%PDF-")
    r = runner.invoke(args=["documents", "sample", "nonsense", str(out)])
    assert r.exit_code != 0 and "未知的公文种类" in r.output


def test_changing_the_kind_reloads_the_editor_with_its_fields(ctx, client, auth):
    u = clerk(username="clerk1")
    doc = draft(u)
    auth.login(u)
    r = client.hx_post(f"/documents/{doc.id}/save", data=form_data(doc, kind="report", signer="周正华"))
    assert r.status_code == 200 and r.headers["HX-Redirect"] == f"/documents/{doc.id}"
    page = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert "签发人" in page and reload(doc).kind == "report"
    assert reload(doc).prefix == "机管报" and reload(doc).addressees.startswith("市纪委监委派驻纪检组")
