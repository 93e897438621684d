"""Publishing an issued 通报/通知 (to everyone, departments or named people), read receipts, 已阅,
reminders and withdrawal. Every query a view shows goes through permissions.scope_publications.

点名道姓: a 通报 that names people (it links ledger Problems, whose persons it prints) is published only
when the register issued it with a 签发人 recorded (Document.signer): the register's own signed state.
"""
import json

from peewee import JOIN, fn

from .. import audit, clock
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..models import Department, Document, DocumentProblem, RoleAssignment, User
from ..models.publication import AUDIENCES, Publication, PublicationRecipient
from ..notify import notify
from ..permissions import BUSINESS_ROLES, scope_publications

PUBLISHABLE_KINDS = ("circular", "notice")


def names_people(doc: Document) -> bool:
    """A 通报 that names people: it links ledger Problems (the PDF lists their persons)."""
    return doc.kind == "circular" and DocumentProblem.select().where(DocumentProblem.document == doc.id).exists()


def publish_problems(doc: Document) -> list[str]:
    """Why `doc` cannot be published (Chinese; empty = it can)."""
    errs = []
    if doc.kind not in PUBLISHABLE_KINDS:
        errs.append("只有通报、通知可以发布到通知公告")
    if doc.status != "issued":
        errs.append("公文印发后才能发布")
    if doc.superseded_by_id:
        errs.append("该公文已被更正，请发布更正后的公文")
    if doc.kind == "circular" and not (doc.signer or "").strip() and names_people(doc):
        errs.append("点名道姓的通报须经签发：该通报印发时未记录签发人，不能发布。请更正重发并填写签发人")
    if Publication.select().where(Publication.document == doc.id).exists():
        errs.append("该公文已发布过")
    return errs


def _people():
    """Active accounts with a business role (the three administrators read no business notices)."""
    business = RoleAssignment.select(RoleAssignment.user).where(RoleAssignment.role.in_(sorted(BUSINESS_ROLES)))
    return User.select(User.id, User.department).where(User.is_active_flag & User.id.in_(business))


def recipients_for(audience: str, department_ids=(), user_ids=()) -> list[tuple[int, int]]:
    """[(user id, department id)] the publication goes to."""
    q = _people()
    if audience == "departments":
        q = q.where(User.department.in_(sorted(department_ids)))
    elif audience == "people":
        q = q.where(User.id.in_(sorted(user_ids)))
    elif audience != "all":
        raise Invalid("请选择发布范围")
    return [(u.id, u.department_id) for u in q.order_by(User.id)]


def publish(doc_id: int, actor, audience: str, department_ids=(), user_ids=(), require_ack=False) -> Publication:
    doc = Document.get_or_none(Document.id == doc_id)
    if doc is None:
        raise NotFound("公文不存在")
    errs = publish_problems(doc)
    if errs:
        raise Conflict("；".join(errs))
    if audience not in AUDIENCES:
        raise Invalid("请选择发布范围")
    if audience == "departments" and not department_ids:
        raise Invalid("请至少选择一个科室（单位）", fields={"departments": "请至少选择一个科室（单位）"})
    if audience == "people" and not user_ids:
        raise Invalid("请至少选择一名人员", fields={"people": "请至少选择一名人员"})
    rows = recipients_for(audience, department_ids, user_ids)
    if not rows:
        raise Invalid("所选范围内没有在岗人员")
    targets = {"departments": sorted(department_ids)} if audience == "departments" else (
        {"people": sorted(user_ids)} if audience == "people" else {})
    with db.atomic():
        pub = Publication.create(document=doc.id, audience=audience, targets=json.dumps(targets),
                                 require_ack=bool(require_ack), published_by=actor, published_at=clock.now())
        PublicationRecipient.insert_many(
            [dict(publication=pub.id, user=u, department=d) for u, d in rows]).execute()
        audit.record("publication_publish", "publication", pub.id, actor=actor,
                     detail={"number": doc.number, "kind": doc.kind, "audience": audience, "persons": len(rows),
                             "departments": targets.get("departments", [])})
    text = f"新{doc.kind_label}：{doc.title}" + ("（请阅后确认“已阅”）" if require_ack else "")
    for uid, _d in rows:
        notify(uid, "publication", text, _url(pub.id), key=f"publication:{pub.id}")
    return pub


def _url(pub_id) -> str:
    from ..notices.triggers import path_for
    return path_for("publications.detail", pub_id=pub_id)


def get_for(user, pub_id: int):
    """The publication with its document, within the user's scope, or None."""
    return (Publication.select(Publication, Document).join(Document)
            .where((Publication.id == pub_id) & scope_publications(user)).first())


def receipt_of(pub, user) -> PublicationRecipient | None:
    return PublicationRecipient.get_or_none((PublicationRecipient.publication == pub.id)
                                            & (PublicationRecipient.user == user.id))


def mark_read(pub, user) -> None:
    """The first opening (page or PDF) by a recipient."""
    (PublicationRecipient.update(read_at=clock.now())
     .where((PublicationRecipient.publication == pub.id) & (PublicationRecipient.user == user.id)
            & PublicationRecipient.read_at.is_null()).execute())


def acknowledge(pub, user) -> PublicationRecipient:
    if pub.status != "published":
        raise Conflict("该通知已撤回")
    r = receipt_of(pub, user)
    if r is None:
        raise Invalid("您不在该通知的发布范围内")
    if r.ack_at is None:
        now = clock.now()
        (PublicationRecipient.update(ack_at=now, read_at=fn.COALESCE(PublicationRecipient.read_at, now))
         .where((PublicationRecipient.id == r.id) & PublicationRecipient.ack_at.is_null()).execute())
        audit.record("publication_ack", "publication", pub.id, actor=user)
    return PublicationRecipient.get_by_id(r.id)


def pending_expr(pub):
    """Recipients still owing: not opened, or (when 已阅 is required) not acknowledged."""
    return PublicationRecipient.ack_at.is_null() if pub.require_ack else PublicationRecipient.read_at.is_null()


def remind(pub, actor, seen_round: int) -> int | None:
    """One round of reminders to the recipients still owing. `seen_round` is the round the office's page
    showed: a second click (or a resubmitted form) of the same round sends nothing again. Returns the
    number reminded, or None when that round was already sent."""
    if pub.status != "published":
        raise Conflict("该通知已撤回，不能提醒")
    new_round = seen_round + 1
    with db.atomic():
        n = (Publication.update(remind_round=new_round, reminded_at=clock.now())
             .where((Publication.id == pub.id) & (Publication.remind_round == seen_round)).execute())
        if n != 1:
            return None
        owing = list(PublicationRecipient.select(PublicationRecipient.id, PublicationRecipient.user)
                     .where((PublicationRecipient.publication == pub.id) & pending_expr(pub)))
        if owing:
            (PublicationRecipient.update(reminded=PublicationRecipient.reminded + 1)
             .where(PublicationRecipient.id.in_([r.id for r in owing])).execute())
        audit.record("publication_remind", "publication", pub.id, actor=actor,
                     detail={"round": new_round, "persons": len(owing)})
    doc = pub.document
    what = "确认“已阅”" if pub.require_ack else "阅读"
    for r in owing:
        notify(r.user_id, "publication", f"提醒：请及时{what}《{doc.title}》", _url(pub.id),
               key=f"publication:{pub.id}:remind:{new_round}")
    return len(owing)


def withdraw(pub, actor, reason: str) -> Publication:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("请填写撤回原因", fields={"reason": "请填写撤回原因"})
    n = (Publication.update(status="withdrawn", withdrawn_by=actor, withdrawn_at=clock.now(),
                            withdraw_reason=reason[:255])
         .where((Publication.id == pub.id) & (Publication.status == "published")).execute())
    if n != 1:
        raise Conflict("该通知已撤回")
    audit.record("publication_withdraw", "publication", pub.id, actor=actor, detail={"reason": reason[:255]})
    return Publication.get_by_id(pub.id)


def receipts(pub) -> list[dict]:
    """Per department: its recipients with read / 已阅 times, who still owes first."""
    rows = (PublicationRecipient.select(PublicationRecipient, User, Department)
            .join(User, on=(PublicationRecipient.user == User.id))
            .switch(PublicationRecipient)
            .join(Department, JOIN.LEFT_OUTER, on=(PublicationRecipient.department == Department.id))
            .where(PublicationRecipient.publication == pub.id)
            .order_by(Department.sort_order, Department.id, PublicationRecipient.read_at.is_null(False),
                      User.id))
    groups: dict = {}
    for r in rows:
        name = r.department.name if r.department_id else "（未分配）"
        g = groups.setdefault(r.department_id, {"name": name, "rows": [], "read": 0, "acked": 0})
        g["rows"].append(r)
        g["read"] += r.read_at is not None
        g["acked"] += r.ack_at is not None
    return list(groups.values())


def totals(pub) -> dict:
    q = PublicationRecipient.select().where(PublicationRecipient.publication == pub.id)
    return {"total": q.count(), "read": q.where(PublicationRecipient.read_at.is_null(False)).count(),
            "acked": q.where(PublicationRecipient.ack_at.is_null(False)).count(),
            "owing": q.where(pending_expr(pub)).count()}


def board(user, include_withdrawn=False):
    """Publications in the user's scope with the user's own receipt (read first-time state): unread first."""
    q = (Publication.select(Publication, Document, PublicationRecipient)
         .join(Document)
         .switch(Publication)
         .join(PublicationRecipient, JOIN.LEFT_OUTER,
               on=((PublicationRecipient.publication == Publication.id) & (PublicationRecipient.user == user.id)),
               attr="mine")
         .where(scope_publications(user)))
    if not include_withdrawn:
        q = q.where(Publication.status == "published")
    unread = PublicationRecipient.id.is_null(False) & PublicationRecipient.read_at.is_null()
    from peewee import Case
    return q.order_by(Case(None, [(unread, 0)], 1), Publication.published_at.desc(), Publication.id.desc())
