"""Uploaded PDF attachments of a draft (附件, 7.3.7): a clerk adds a PDF for an attachment named in the
附件说明; it is printed after the attachment pages the engine sets, its pages numbered on (gongwen.appendix).
The file goes through portal/uploads.py (type check, size limit, stored mode 0600 under instance/uploads)."""
import hashlib

from flask import current_app, request, url_for
from flask_login import current_user

from .. import audit, uploads
from ..errors import Invalid
from ..gongwen.appendix import BadAttachment, page_count
from ..htmx import redirect_to
from ..permissions import require
from . import bp, service
from .views import _error, get_document_for


def attachment_pdfs(doc) -> list:
    """[{key, name, pages, sha256} or None] by attachment number - 1."""
    return list(doc.extra_dict.get("attachment_pdfs") or [])


def _set(doc, n, value):
    extra = doc.extra_dict
    pdfs = list(extra.get("attachment_pdfs") or [])
    while len(pdfs) < n:
        pdfs.append(None)
    pdfs[n - 1] = value
    while pdfs and not pdfs[-1]:
        pdfs.pop()
    extra["attachment_pdfs"] = pdfs
    if not pdfs:
        extra.pop("attachment_pdfs")
    return service.update_draft(doc.id, current_user._get_current_object(), {"extra": extra})


@bp.route("/<int:doc_id>/attachments/<int:n>/pdf", methods=["POST"])
@require("documents.write")
def attachment_upload(doc_id, n):
    doc = get_document_for(current_user, doc_id)
    if not doc.is_draft:
        return _error("该公文已印发，不能修改附件。", 409)
    if not 1 <= n <= len(doc.attachment_list):
        return _error(f"请先在“附件”中填写第{n}个附件的名称并保存，再上传其 PDF 文件。", 422)
    f = request.files.get("pdf")
    if not f or not f.filename:
        return _error("请选择要上传的 PDF 文件。", 422)
    max_bytes = int(current_app.config.get("DOCUMENT_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))
    try:
        name, _kind, data = uploads.check_file(f, kinds=("pdf",), max_bytes=max_bytes, strip=False)
        pages = page_count(data)
    except (uploads.UploadError, BadAttachment) as e:
        audit.record("document_attachment_upload", "document", doc.id, outcome="refused", detail=str(e))
        return _error(str(e), 422)
    key = uploads.store("documents", data, "pdf")
    sha = hashlib.sha256(data).hexdigest()
    try:
        _set(doc, n, dict(key=key, name=name, pages=pages, sha256=sha))
    except Invalid as e:
        return _error(e.message, e.status)
    audit.record("document_attachment_upload", "document", doc.id,
                 detail={"attachment": n, "name": name, "pages": pages, "sha256": sha})
    return redirect_to(url_for("documents.edit", doc_id=doc.id), 302)


@bp.route("/<int:doc_id>/attachments/<int:n>/pdf/remove", methods=["POST"])
@require("documents.write")
def attachment_remove(doc_id, n):
    doc = get_document_for(current_user, doc_id)
    if not doc.is_draft:
        return _error("该公文已印发，不能修改附件。", 409)
    if n < 1 or n > len(attachment_pdfs(doc)) or not attachment_pdfs(doc)[n - 1]:
        return _error("该附件没有上传的 PDF 文件。", 404)
    _set(doc, n, None)
    audit.record("document_attachment_remove", "document", doc.id, detail={"attachment": n})
    return redirect_to(url_for("documents.edit", doc_id=doc.id), 302)
