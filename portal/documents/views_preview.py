"""The editor's live preview — page 1 of the real PDF (as the printer will get it) as an image, refreshed
with every autosave; the HTML preview beside it shows the whole text — and the Word export."""
from flask import make_response, url_for
from flask_login import current_user, login_required

from . import adapters, bp, service
from .views import get_document_for


def preview_data(doc) -> dict:
    """The draft as the engine's doc: a placeholder 发文字号, the seal only once issued."""
    number = doc.number if not doc.is_draft else (
        f"{doc.prefix}〔{(doc.doc_date.year if doc.doc_date else '××××')}〕×号" if doc.prefix else None)
    return adapters.document_to_doc(doc, number=number,
                                    seal_png=service.load_seal_png() if (doc.seal and not doc.is_draft) else None)


def _require_writer():
    from flask_login import current_user
    from ..permissions import can, deny
    if not can(current_user, "documents.read"):  # drafts stay out of a reader's scope
        deny(need="documents.read")


@bp.route("/<int:doc_id>/page1.png")
@login_required
def page_one(doc_id):
    _require_writer()
    doc = get_document_for(current_user, doc_id)
    from ..gongwen.render import MissingGlyph
    from ..pdfs import page_png, render_pdf
    try:
        png = page_png(render_pdf(doc.kind, preview_data(doc), adapters.fonts_dir()))
    except (MissingGlyph, ValueError):
        return make_response(("", 204))       # the status line already names the missing characters
    resp = make_response(png)
    resp.headers["Content-Type"] = "image/png"
    resp.headers["Cache-Control"] = "private, max-age=600"      # the URL carries the draft's version
    return resp


def page_one_url(doc):
    return url_for("documents.page_one", doc_id=doc.id, v=doc.version)


@bp.route("/<int:doc_id>.docx")
@login_required
def docx(doc_id):
    """The document as Word in the PDF's layout, for a last change in WPS/Word: an issued one with its
    number, a draft without; never with the seal image (an editable file must not carry the seal)."""
    from .. import audit, uploads
    from ..gongwen.word import render_docx
    _require_writer()
    doc = get_document_for(current_user, doc_id)
    data = render_docx(doc.kind, adapters.document_to_doc(doc, number=None if doc.is_draft else doc.number),
                       adapters.fonts_dir())
    audit.record("document_docx", "document", doc.id, detail={"number": doc.number})
    name = f"{'草稿-' if doc.is_draft else (doc.number or '')}{doc.title or doc.kind_label}.docx"
    return uploads.download(data, name.replace("/", "／")[:120], "docx")
