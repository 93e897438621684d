"""Issuing documents: checks before issuing, 发文字号 numbering, the immutable issued PDF (stored with its
SHA-256), draft PDFs, links to ledger actions, and corrections that supersede.

Numbering: the counter row of (prefix, year) is read and bumped inside the issuing transaction — with
SELECT … FOR UPDATE on PostgreSQL; on SQLite every write transaction is BEGIN IMMEDIATE, which already
serialises writers — and Document has a unique (prefix, year, seq). The PDF is rendered inside the same
transaction, so a failed render gives the number back: numbers are never skipped, reused or doubled.
"""

import hashlib
import io
import os

from flask import current_app

from .. import audit, clock
from ..db import is_postgres
from ..errors import Conflict, NotFound, PortalError
from ..extensions import db
from ..models import Document, DocumentNumberCounter, DocumentProblem
from . import adapters
from .drafts import CONTENT_FIELDS, create_draft, linked_problems
from .errors import DocumentError, DocumentLocked
from .seal import active_seal, load_seal_png


def fonts_dir():
    return os.path.join(current_app.instance_path, "fonts")


# ---------------------------------------------------------------- checks before issuing
def issue_problems(doc: Document) -> list[str]:
    """What keeps a draft from being issued (Chinese messages; empty = ready)."""
    errs = []
    if not doc.title.strip():
        errs.append("请填写标题")
    if not doc.body.strip():
        errs.append("请填写正文")
    if not doc.signature.strip() and doc.kind != "minutes":   # 纪要 carry no 署名: the mark names the organ
        errs.append("请填写发文机关署名")
    if doc.seal and active_seal() is None:
        errs.append("尚未上传印章图片：请安全管理员上传印章，或取消“加盖印章”")
    if doc.kind in ("circular", "notice", "report", "minutes", "reminder-letter", "talk-notice", "supervision-notice") \
            and not doc.organ.strip():
        errs.append("请填写发文机关标志")
    return errs


def missing_glyphs(doc: Document) -> list[str]:
    from ..gongwen.render import check_glyphs
    probe = adapters.document_to_doc(doc, number=_number(doc.prefix or "字", 2026, 8888) if doc.prefix else None)
    return check_glyphs(probe, fonts_dir(), kind=doc.kind)


def glyph_message(chars) -> str:
    shown = "、".join(f"“{c}”（U+{ord(c):04X}）" for c in chars[:8])
    more = f"等 {len(chars)} 个字符" if len(chars) > 8 else ""
    return f"字库中没有以下字符，无法印发：{shown}{more}。请改用常用字或联系管理员安装字库。"


# ---------------------------------------------------------------- numbering and issuing
def _number(prefix: str, year: int, seq: int) -> str:
    return f"{prefix}〔{year}〕{seq}号"


def _take_seq(prefix: str, year: int) -> int:
    """Inside a transaction: bump and return the counter of (prefix, year)."""
    q = DocumentNumberCounter.select().where((DocumentNumberCounter.prefix == prefix)
                                             & (DocumentNumberCounter.year == year))
    if is_postgres():
        q = q.for_update()
    row = q.first()
    from peewee import fn
    used = (Document.select(fn.MAX(Document.seq)).where((Document.prefix == prefix) & (Document.year == year))
            .scalar() or 0)
    seq = max(row.last_seq, used) + 1  # a counter restored from an older backup never hands out a used number
    (DocumentNumberCounter.update(last_seq=seq)
     .where(DocumentNumberCounter.id == row.id).execute())
    return seq


def _ensure_counter(prefix: str, year: int):
    """The counter row exists before the issuing transaction locks it (idempotent, race-safe)."""
    (DocumentNumberCounter.insert(prefix=prefix, year=year, last_seq=0)
     .on_conflict_ignore().execute())


def issue(doc_id: int, actor) -> Document:
    """Draft → issued: number, render, store the PDF and its hash, all in one transaction."""
    from ..gongwen.render import MissingGlyph
    from ..pdfs import render_pdf
    doc = Document.get_or_none(Document.id == doc_id)
    if doc is None:
        raise NotFound("公文不存在")
    if doc.status != "draft":
        raise DocumentLocked("该公文已印发，不能重复印发。")
    errs = issue_problems(doc)
    if errs:
        raise DocumentError("；".join(errs))
    missing = missing_glyphs(doc)
    if missing:
        audit.record_apart("document_refused", "document", doc.id, outcome="denied", actor=actor,
                           detail={"missing_glyphs": "".join(missing)})
        raise DocumentError(glyph_message(missing))
    date = doc.doc_date or clock.today()
    year = date.year
    prefix = doc.prefix or ""
    if prefix:
        _ensure_counter(prefix, year)
    seal = load_seal_png() if doc.seal else None
    path = None
    try:
        with db.atomic():
            # re-read under the lock: a racing issue of the same draft loses here
            lock = Document.select(Document.id).where((Document.id == doc_id) & (Document.status == "draft"))
            if (lock.for_update() if is_postgres() else lock).first() is None:
                raise DocumentLocked("该公文已印发，不能重复印发。")
            seq = _take_seq(prefix, year) if prefix else None
            number = _number(prefix, year, seq) if prefix else None
            doc.doc_date = date
            data = adapters.document_to_doc(doc, number=number, seal_png=seal)
            try:
                pdf = render_pdf(doc.kind, data, fonts_dir())
            except MissingGlyph as e:
                raise DocumentError(glyph_message(e.chars))
            sha = hashlib.sha256(pdf).hexdigest()
            key, path = _store_pdf(pdf)
            now = clock.now()
            n = (Document.update(status="issued", year=year if prefix else None, seq=seq, number=number,
                                 doc_date=date, issued_by=actor, issued_at=now, pdf_key=key,
                                 pdf_sha256=sha, pdf_size=len(pdf), pages=_page_count(pdf),
                                 updated_at=now, version=Document.version + 1)
                 .where((Document.id == doc_id) & (Document.status == "draft")).execute())
            if n != 1:
                raise DocumentLocked("该公文已印发，不能重复印发。")
            if doc.supersedes_id:
                (Document.update(superseded_by=doc_id)
                 .where((Document.id == doc.supersedes_id) & Document.superseded_by.is_null()).execute())
            _link_actions(doc)
            audit.record("document_issue", "document", doc_id, actor=actor,
                         detail={"number": number, "sha256": sha, "kind": doc.kind, "title": doc.title})
    except Exception:
        if path and os.path.exists(path):
            os.remove(path)  # the transaction rolled back: no orphan file
        raise
    return Document.get_by_id(doc_id)


def _page_count(pdf: bytes) -> int | None:
    try:
        from pypdf import PdfReader
        return len(PdfReader(io.BytesIO(pdf)).pages)
    except Exception:  # noqa: BLE001 - only informative
        return None


def _store_pdf(pdf: bytes):
    from .. import uploads
    key = uploads.store("documents", pdf, "pdf")
    return key, os.path.join(current_app.instance_path, "uploads", key)


def stored_pdf(doc: Document) -> bytes:
    """The issued PDF exactly as stored; refuses (and audits) when the bytes no longer match the hash."""
    from .. import uploads
    if doc.status != "issued" or not doc.pdf_key:
        raise Conflict("该公文尚未印发")
    try:
        data = uploads.load(doc.pdf_key)
    except (OSError, uploads.UploadError):
        audit.record("document_integrity", "document", doc.id, outcome="error", detail="file missing")
        raise PortalError("公文文件缺失，请联系系统管理员。", status=500)
    if hashlib.sha256(data).hexdigest() != doc.pdf_sha256:
        audit.record("document_integrity", "document", doc.id, outcome="error", detail="hash mismatch")
        raise PortalError("公文文件校验失败（内容与印发时的哈希值不符），已记录，请联系系统管理员。", status=500)
    return data


def draft_pdf(doc: Document) -> bytes:
    """A draft printed for review: no number, no seal image, every page marked 草稿."""
    from ..gongwen.render import MissingGlyph
    from ..pdfs import render_pdf
    data = adapters.document_to_doc(doc, number=None, seal_png=None)
    try:
        pdf = render_pdf(doc.kind, data, fonts_dir())
    except MissingGlyph as e:
        raise DocumentError(glyph_message(e.chars))
    return adapters.watermark(pdf, "草稿")


def _link_actions(doc: Document):
    """Ledger actions this document fulfils get their document_id: the action it was generated from, and
    for a 通报 the first open "circular" action of each named Problem."""
    from ..models.ledger import ProblemAction as Action
    if doc.action_id:
        (Action.update(document_id=doc.id)
         .where((Action.id == doc.action_id) & Action.document_id.is_null()).execute())
    if doc.kind == "circular":
        pids = [p.problem_id for p in DocumentProblem.select(DocumentProblem.problem)
                .where(DocumentProblem.document == doc.id)]
        for pid in pids:
            act = (Action.select(Action.id).where((Action.problem == pid) & (Action.kind == "circular")
                                                  & Action.document_id.is_null()).order_by(Action.id).first())
            if act is not None:
                Action.update(document_id=doc.id).where(Action.id == act.id).execute()


# ---------------------------------------------------------------- corrections
def correct(doc_id: int, actor) -> Document:
    """A correction: a new draft copying the issued document, which it will supersede when issued."""
    old = Document.get_or_none(Document.id == doc_id)
    if old is None:
        raise NotFound("公文不存在")
    if old.status != "issued":
        raise Conflict("只有已印发的公文才能更正；草稿可直接修改。")
    if old.superseded_by_id:
        raise Conflict("该公文已被更正，请在最新的更正文上操作。")
    pending = Document.get_or_none((Document.supersedes == old.id) & (Document.status == "draft"))
    if pending is not None:
        return pending
    data = {k: getattr(old, k) for k in CONTENT_FIELDS}
    pids = [p.id for p in linked_problems(old)]
    doc = create_draft(actor, data, pids, action_id=old.action_id, supersedes=old.id)
    audit.record("document_correct", "document", old.id, actor=actor, detail={"correction": doc.id})
    return doc
