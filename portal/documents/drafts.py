"""Document drafts: cleaning the submitted fields, creating, updating and deleting drafts, linked Problems."""

import json
import re

from .. import audit, clock
from ..errors import NotFound
from ..extensions import db
from ..models import Document, DocumentProblem, Problem
from ..models.document import DEFAULT_PREFIX, KIND_LABELS
from .errors import DocumentError, DocumentLocked


PREFIX_RE = re.compile(r"^[\u4e00-\u9fff]{1,8}$")


# ---------------------------------------------------------------- drafts
CONTENT_FIELDS = ("kind", "title", "organ", "prefix", "signer", "addressees", "body", "attachments",
                  "signature", "doc_date", "note", "copy_to", "printer", "print_date", "seal", "extra")


def _clean(data: dict) -> dict:
    out = {}
    for k in CONTENT_FIELDS:
        if k not in data:
            continue
        v = data[k]
        if k == "attachments" and isinstance(v, (list, tuple)):
            v = json.dumps([str(x).strip() for x in v if str(x).strip()], ensure_ascii=False)
        elif k == "extra" and isinstance(v, dict):
            v = json.dumps(v, ensure_ascii=False, sort_keys=True)
        elif isinstance(v, str):
            v = v.replace("\r\n", "\n").replace("\r", "\n")
            if k != "body":
                v = v.strip()
        out[k] = v
    if "kind" in out and out["kind"] not in KIND_LABELS:
        raise DocumentError("未知的公文种类")
    if out.get("prefix") and not PREFIX_RE.match(out["prefix"]):
        raise DocumentError("发文字号前缀应为 1 至 8 个汉字，例如“机管发”")
    return out


def create_draft(actor, data: dict, problem_ids=(), action_id=None, supersedes=None) -> Document:
    fields = _clean(data)
    fields.setdefault("kind", "circular")
    fields.setdefault("prefix", DEFAULT_PREFIX.get(fields["kind"], ""))
    now = clock.now()
    with db.atomic():
        doc = Document.create(created_by=actor, created_at=now, updated_at=now, action_id=action_id,
                              supersedes=supersedes, **fields)
        set_problems(doc, problem_ids)
        audit.record("document_create", "document", doc.id, actor=actor,
                     detail={"kind": doc.kind, "title": doc.title})
    return doc


def update_draft(doc_id: int, actor, data: dict, problem_ids=None) -> Document:
    fields = _clean(data)
    fields["updated_at"] = clock.now()
    with db.atomic():
        # the WHERE status='draft' is the guard: an issued document is never changed, even by a racing save
        n = (Document.update(version=Document.version + 1, **fields)
             .where((Document.id == doc_id) & (Document.status == "draft")).execute())
        if not n:
            if Document.select().where(Document.id == doc_id).exists():
                audit.record_apart("document_refused", "document", doc_id, outcome="denied", actor=actor,
                                   detail="edit of an issued document")
                raise DocumentLocked()
            raise NotFound("公文不存在")
        doc = Document.get_by_id(doc_id)
        if problem_ids is not None:
            set_problems(doc, problem_ids)
    return doc


def delete_draft(doc_id: int, actor):
    with db.atomic():
        doc = Document.get_or_none(Document.id == doc_id)
        if doc is None:
            raise NotFound("公文不存在")
        if doc.status != "draft":
            raise DocumentLocked("已印发的公文不能删除。")
        DocumentProblem.delete().where(DocumentProblem.document == doc).execute()
        doc.delete_instance()
        audit.record("document_delete", "document", doc_id, actor=actor, detail={"title": doc.title})


def set_problems(doc: Document, problem_ids):
    if doc.status != "draft":
        raise DocumentLocked()
    ids = []
    for p in problem_ids or ():
        try:
            p = int(p)
        except (TypeError, ValueError):
            continue
        if p not in ids:
            ids.append(p)
    found = {p.id for p in Problem.select(Problem.id).where(Problem.id.in_(ids))} if ids else set()
    DocumentProblem.delete().where(DocumentProblem.document == doc).execute()
    for pos, pid in enumerate(i for i in ids if i in found):
        DocumentProblem.create(document=doc, problem=pid, position=pos)


def linked_problems(doc) -> list:
    return list(Problem.select().join(DocumentProblem, on=(DocumentProblem.problem == Problem.id))
                .where(DocumentProblem.document == doc).order_by(DocumentProblem.position))
