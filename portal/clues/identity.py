"""Identity access requests (as GlobaLeaks does): who sent a named tip is sealed away from its handlers.

A handler of the clue (the discipline office, or the person/department it was handed to) sees the content
but not the reporter. To see the identity the handler asks, giving a reason; a custodian (身份保管人, a role
the security administrator grants) approves or refuses; an approval opens the identity to that one person
for TIPS_IDENTITY_ACCESS_DAYS. The request, the decision and every view are audited, and the auditor has
a list of them all (/clues/identity-log). Nothing else reads the identity: tips.read() never returns it.
"""
import datetime as dt
import json

from flask import current_app, url_for

from .. import audit, clock
from ..extensions import db
from ..models import RoleAssignment, User
from ..models.tip import Clue, IdentityRequest, Tip
from ..notify import notify
from ..permissions import can
from ..tips import service as tips
from ..errors import Refused
from .access import Invalid

REASON_MIN, REASON_MAX = 5, 500


def _url(endpoint, **kw) -> str:
    try:
        return url_for(endpoint, **kw)
    except RuntimeError:  # outside a request (CLI)
        return ""


def latest(clue: Clue, user) -> IdentityRequest | None:
    return (IdentityRequest.select().where((IdentityRequest.clue == clue) & (IdentityRequest.requester == user.id))
            .order_by(IdentityRequest.id.desc()).first())


def open_request(clue: Clue, user) -> IdentityRequest | None:
    """The user's approved, unexpired request for this clue, or None."""
    req = (IdentityRequest.select()
           .where((IdentityRequest.clue == clue) & (IdentityRequest.requester == user.id)
                  & (IdentityRequest.status == "approved")
                  & (IdentityRequest.valid_until.is_null() | (IdentityRequest.valid_until >= clock.now())))
           .order_by(IdentityRequest.id.desc()).first())
    return req


def custodians() -> list[User]:
    return list(User.select().join(RoleAssignment)
                .where((RoleAssignment.role == "custodian") & (User.is_active_flag == True))  # noqa: E712
                .distinct().order_by(User.id))


def request_access(clue: Clue, actor, reason: str) -> IdentityRequest:
    if not can(actor, "clues.identity_request", clue):
        audit.record("clue_identity_request", "clue", clue.id, outcome="denied", actor=actor)
        raise Refused("只有该线索的办理人员可以申请查看举报人身份")
    if not clue.tip.named:
        raise Invalid("这是匿名举报，没有举报人身份信息")
    reason = (reason or "").strip()
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise Invalid(f"请写明查看举报人身份的理由（{REASON_MIN} 至 {REASON_MAX} 字）")
    last = latest(clue, actor)
    if last is not None and last.status == "pending":
        raise Invalid("您的申请正在等待身份保管人审批，请勿重复提出")
    if open_request(clue, actor) is not None:
        raise Invalid("您的申请已获同意，可以直接查看")
    with db.atomic():
        req = IdentityRequest.create(clue=clue, requester=actor.id, reason=reason, requested_at=clock.now())
        audit.record("clue_identity_request", "clue", clue.id, actor=actor, detail={"request": req.id})
    for person in custodians():
        if person.id not in (actor.id, clue.subject_user_id):
            notify(person.id, "identity_request", f"线索 {clue.number} 有一件查看举报人身份的申请待您审批。",
                   _url("clues.identity_requests"), key=f"identity-request:{req.id}")
    return req


def decide(req: IdentityRequest, actor, approve: bool, note: str = "") -> IdentityRequest:
    if not can(actor, "clues.identity_decide", req):
        audit.record("clue_identity_approve" if approve else "clue_identity_refuse", "clue", req.clue_id,
                     outcome="denied", actor=actor, detail={"request": req.id})
        raise Refused("只有身份保管人可以审批，且不得审批本人提出或反映本人的申请")
    note = (note or "").strip()
    if len(note) > REASON_MAX:
        raise Invalid(f"审批意见不超过 {REASON_MAX} 字")
    if not approve and not note:
        raise Invalid("不同意时请写明理由")
    now = clock.now()
    days = int(current_app.config["TIPS_IDENTITY_ACCESS_DAYS"])
    with db.atomic():
        n = (IdentityRequest.update(status="approved" if approve else "refused", decided_by=actor.id, decided_at=now,
                                    decision_note=note, valid_until=now + dt.timedelta(days=days) if approve else None)
             .where((IdentityRequest.id == req.id) & (IdentityRequest.status == "pending")).execute())
        if n != 1:
            raise Invalid("该申请已经审批过了")
        audit.record("clue_identity_approve" if approve else "clue_identity_refuse", "clue", req.clue_id,
                     actor=actor, detail={"request": req.id})
    req = IdentityRequest.get_by_id(req.id)
    notify(req.requester_id, "identity_decision",
           f"您查看线索 {req.clue.number} 举报人身份的申请{'已获同意' if approve else '未获同意'}。",
           _url("clues.detail", clue_id=req.clue_id), key=f"identity-decision:{req.id}")
    return req


def reveal(clue: Clue, actor) -> tuple[dict | None, IdentityRequest]:
    """The identity, for the holder of an approved request; every view (and every refused try) audited."""
    if not clue.tip.named and can(actor, "clues.identity_request", clue):  # nothing to hide: says "anonymous"
        audit.record("clue_identity_view", "clue", clue.id, actor=actor, detail={"named": False})
        return None, None
    req = open_request(clue, actor) if clue.subject_user_id != actor.id else None
    if req is None:
        audit.record("clue_identity_view", "clue", clue.id, outcome="denied", actor=actor)
        raise Refused("查看举报人身份须先提出申请，并经身份保管人同意")
    audit.record("clue_identity_view", "clue", clue.id, actor=actor, detail={"request": req.id})
    return tips.reporter_of(clue.tip), req


def pending():
    return (IdentityRequest.select(IdentityRequest, Clue, Tip).join(Clue).join(Tip)
            .where(IdentityRequest.status == "pending").order_by(IdentityRequest.id))


def _request_id(record) -> int | None:
    try:
        return int(json.loads(record.detail or "{}").get("request"))
    except (TypeError, ValueError, AttributeError):
        return None


def log_rows(limit: int = 500) -> tuple[list[dict], list]:
    """For the auditor: every request (newest first) with its decision and the views made under it, and
    the refused attempts to see an identity."""
    from ..models import AuditRecord
    reqs = list(IdentityRequest.select(IdentityRequest, Clue).join(Clue)
                .order_by(IdentityRequest.id.desc()).limit(limit))
    records = list(AuditRecord.select().where(AuditRecord.action == "clue_identity_view")
                   .order_by(AuditRecord.seq.desc()).limit(limit * 10))
    views: dict = {}
    for rec in records:
        if rec.outcome == "ok":
            views.setdefault(_request_id(rec), []).append(rec)
    people = {u.id: u for u in User.select().where(
        User.id.in_(list({r.requester_id for r in reqs} | {r.decided_by_id for r in reqs if r.decided_by_id})))}
    rows = [{"req": r, "requester": people.get(r.requester_id), "decider": people.get(r.decided_by_id),
             "views": views.get(r.id, [])} for r in reqs]
    return rows, [rec for rec in records if rec.outcome != "ok"]
