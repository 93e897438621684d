"""A clerk uploads a PDF for an attachment named in 附件说明 (through portal/uploads.py): it is printed after
the attachment pages the engine sets, its pages numbered on; wrong files and numbers are refused with a
Chinese message; saving the editor keeps it; it can be removed; both are audited."""
import io

from pypdf import PdfReader

from portal.documents import service
from portal.gongwen.render import render_pdf
from portal.gongwen.samples import sample
from portal.models import AuditRecord
from tests.gongwen.layout import PAGE_NO, Doc

from .register_helpers import clerk, draft, reload
from .test_register import form_data


def _upload(client, doc, n, data, name="材料.pdf"):
    return client.post(f"/documents/{doc.id}/attachments/{n}/pdf", data={"pdf": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_uploaded_pdf_attachment_printed_after_the_attachment_pages(ctx, client, auth):
    u = clerk(username="clerk-att")
    doc = draft(u, kind="notice")
    auth.login(u)
    data = form_data(doc, attachments="检查清单\n现场检查记录")
    data["attachment_bodies-0"] = "一、按时上报。\n二、逐项整改。"
    assert client.hx_post(f"/documents/{doc.id}/save", data=data).status_code == 200
    up = render_pdf("talk-notice", dict(sample("talk-notice"), title="现场检查记录扫描件"))
    n_up = len(PdfReader(io.BytesIO(up)).pages)
    assert _upload(client, doc, 3, up).status_code == 422                       # no third attachment
    r = _upload(client, doc, 2, b"not a pdf at all", name="记录.pdf")
    assert r.status_code == 422 and "PDF" in r.get_data(as_text=True)
    assert _upload(client, doc, 2, up).status_code == 302
    page = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert f"{n_up} 页" in page and "移除" in page
    assert client.hx_post(f"/documents/{doc.id}/save", data=data).status_code == 200   # an autosave keeps it
    doc = reload(doc)
    pdf = Doc(service.draft_pdf(doc))
    texts = ["".join(ln.text for ln in lines) for _, _, lines, _ in pdf.pages]
    first = next(i for i, t in enumerate(texts) if "现场检查记录扫描件" in t)
    assert "附件2" in texts[first] and any("附件1" in t and "检查清单" in t for t in texts[:first])
    numbers = [[ln.text for ln in lines if PAGE_NO.fullmatch(ln.text) and ln.top > 262]
               for _, _, lines, _ in pdf.pages]
    for k in range(first, first + n_up):
        assert numbers[k] == [f"—{k + 1}—"], numbers
    assert AuditRecord.select().where(AuditRecord.action == "document_attachment_upload").count() == 2
    assert client.post(f"/documents/{doc.id}/attachments/2/pdf/remove").status_code == 302
    doc = reload(doc)
    assert not doc.extra_dict.get("attachment_pdfs")
    assert "现场检查记录扫描件" not in "".join(ln.text for ln in Doc(service.draft_pdf(doc)).lines())
    assert client.post(f"/documents/{doc.id}/attachments/2/pdf/remove").status_code == 404
