"""The tip box (举报箱) and the clue ledger (问题线索台账).

What is stored about a tip is deliberately little: no IP address, no user agent, no account, and for
tips left online only the day they arrived (not the time of day, which could be matched with a web
server's access log). Content, the reporter's identity, messages and file names are sealed with
portal.crypto (AES-GCM, associated data = table|ref|column); file bytes are sealed before they reach
instance/uploads. The receipt code itself is stored nowhere: `lookup` is an HMAC of it (to find the
row) and `verifier` an Argon2 hash of code + password (to check the password).
"""
import secrets

from peewee import (BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField,
                    TextField)

from .. import clock
from .base import BaseModel, Immutable
from .campaign import Item
from .org import Department, User
from .problem import Problem

CHANNELS = {
    "online": "网上举报箱",
    "phone": "举报电话",
    "letter": "来信",
    "email": "电子邮件",
    "visit": "来访",
}
CLUE_STATUSES = {
    "pending": "待受理",
    "accepted": "已受理",
    "assigned": "已交办",
    "verifying": "核查中",
    "concluded": "已办结",
}
CLUE_TRANSITIONS = {
    ("pending", "accepted"),
    ("accepted", "assigned"),
    ("assigned", "verifying"),
    ("verifying", "concluded"),
}
DISPOSALS = {
    "talk": "谈话函询",
    "verify": "初步核实",
    "hold": "暂存待查",
    "close": "予以了结",
}
CONCLUSIONS = {
    "true": "属实",
    "partly": "部分属实",
    "false": "不属实",
    "unverifiable": "无法核实",
}
SUBSTANTIATED = ("true", "partly")
# what the reporter sees on /tips/track
REPORTER_STATUS = {
    "pending": "已提交，待受理",
    "accepted": "已受理",
    "assigned": "办理中",
    "verifying": "办理中",
    "concluded": "已办结",
}


def new_ref() -> str:
    return secrets.token_hex(12)


class Tip(BaseModel):
    ref = CharField(max_length=32, unique=True, default=new_ref)  # random, binds ciphertexts to the row
    channel = CharField(max_length=8, default="online")
    lookup = CharField(max_length=64, null=True, unique=True)  # HMAC(index key, receipt code)
    verifier = CharField(max_length=255, default="")  # Argon2(code + password)
    named = BooleanField(default=False)
    item = ForeignKeyField(Item, null=True, on_delete="SET NULL")  # the campaign item, None = 其他
    subject_key = CharField(max_length=64, default="", index=True)  # HMAC of the normalised name
    sealed = TextField()  # subject, content, reporter identity (JSON, encrypted)
    received_on = DateField(index=True)  # the day only
    # retention: set when the case closes (concluded, or forwarded to the higher body); on that day
    # `flask tips purge` removes content, messages and files and sets purged_on
    purge_on = DateField(null=True, index=True)
    purge_notice_on = DateField(null=True)  # the day the office was told of the coming purge
    purged_on = DateField(null=True)

    def aad(self, column="sealed"):
        return f"tip|{self.ref}|{column}"


class TipMessage(BaseModel):
    ref = CharField(max_length=32, unique=True, default=new_ref)
    tip = ForeignKeyField(Tip, backref="messages", on_delete="CASCADE")
    from_reporter = BooleanField(default=False)
    author = ForeignKeyField(User, null=True, on_delete="SET NULL")  # office staff only; never a reporter
    sealed = TextField()
    at = DateTimeField(default=clock.now)  # for the reporter's messages: the day only (00:00)

    def aad(self):
        return f"tipmsg|{self.ref}|sealed"


class TipFile(BaseModel):
    ref = CharField(max_length=32, unique=True, default=new_ref)
    tip = ForeignKeyField(Tip, backref="files", on_delete="CASCADE")
    message = ForeignKeyField(TipMessage, null=True, backref="files", on_delete="SET NULL")
    storage_key = CharField(max_length=128)  # instance/uploads/<key>, sealed bytes
    sealed_name = TextField()
    kind = CharField(max_length=8)
    size = IntegerField(default=0)

    def aad(self, column="name"):
        return f"tipfile|{self.ref}|{column}"


class TrackSession(BaseModel):
    """A reporter's follow-up session on /tips/track, revocable on the server: the cookie holds a random
    token, this row its SHA-256. Ending the session (or its expiry) deletes the row, so a copied cookie
    stops working. Times are kept to the minute and the row lives only as long as the session."""
    token_hash = CharField(max_length=64, primary_key=True)
    tip = ForeignKeyField(Tip, backref="track_sessions", on_delete="CASCADE")
    expires_at = DateTimeField()  # idle expiry, slides while the reporter reads and writes
    ends_at = DateTimeField()  # absolute end


class PowStamp(BaseModel):
    """The SHA-256 of a proof-of-work challenge already spent on a submission (replay check). Nothing
    else: no tip, no address; keyed by the hash itself, expiry rounded to the hour, deleted after it."""
    digest = CharField(max_length=64, primary_key=True)
    expires_at = DateTimeField(index=True)


class Clue(BaseModel):
    number = CharField(max_length=20, unique=True)  # XS-2026-0001
    year = IntegerField()
    seq = IntegerField()
    tip = ForeignKeyField(Tip, unique=True, backref="clue", on_delete="RESTRICT")
    channel = CharField(max_length=8, index=True)
    status = CharField(max_length=12, default="pending", index=True)
    item = ForeignKeyField(Item, null=True, on_delete="SET NULL")
    subject_user = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="clues_about")
    subject_department = ForeignKeyField(Department, null=True, on_delete="SET NULL",
                                         related_name="clues_about")
    escalated = BooleanField(default=False, index=True)  # about the chief / the discipline head
    escalation_reason = CharField(max_length=64, default="")
    forwarded_at = DateTimeField(null=True)
    forwarded_note = TextField(default="")
    disposal = CharField(max_length=8, default="")
    handler = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="clues_handled")
    handler_department = ForeignKeyField(Department, null=True, on_delete="SET NULL",
                                         related_name="clues_handled")
    accept_due = DateField(null=True, index=True)
    handle_due = DateField(null=True, index=True)
    accepted_at = DateTimeField(null=True)
    assigned_at = DateTimeField(null=True)
    concluded_at = DateTimeField(null=True)
    conclusion = CharField(max_length=16, default="")
    sealed_finding = TextField(default="")  # the office's finding (encrypted)
    sealed_reply = TextField(default="")  # the result shared with the reporter (encrypted)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="clues_recorded")
    created_at = DateTimeField(default=clock.now)
    version = IntegerField(default=1)

    class Meta:
        indexes = ((("year", "seq"), True),)

    def aad(self, column):
        return f"clue|{self.tip.ref}|{column}"

    @property
    def status_label(self):
        return CLUE_STATUSES.get(self.status, self.status)

    @property
    def channel_label(self):
        return CHANNELS.get(self.channel, self.channel)

    @property
    def disposal_label(self):
        return DISPOSALS.get(self.disposal, "")

    @property
    def conclusion_label(self):
        return CONCLUSIONS.get(self.conclusion, "")

    @property
    def due(self):
        """The deadline that applies now: acceptance while pending, handling once assigned."""
        if self.status == "pending":
            return self.accept_due
        if self.status in ("assigned", "verifying"):
            return self.handle_due
        return None

    @property
    def is_overdue(self) -> bool:
        d = self.due
        return d is not None and d < clock.today()

    @classmethod
    def overdue_expr(cls, today=None):
        today = today or clock.today()
        return (((cls.status == "pending") & (cls.accept_due < today))
                | ((cls.status.in_(("assigned", "verifying"))) & (cls.handle_due < today)))

    @classmethod
    def due_before_expr(cls, day):
        return (((cls.status == "pending") & (cls.accept_due <= day))
                | ((cls.status.in_(("assigned", "verifying"))) & (cls.handle_due <= day)))


class ClueEvent(Immutable):
    clue = ForeignKeyField(Clue, backref="events", on_delete="RESTRICT")
    at = DateTimeField(default=clock.now)
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
    kind = CharField(max_length=16)  # created, status, reassign, message, link, escalate, forward, refused
    from_status = CharField(max_length=12, default="")
    to_status = CharField(max_length=12, default="")
    note = TextField(default="")


class ClueProblem(BaseModel):
    """A ledger Problem a concluded clue produced or was linked to (一案双查: person + leader)."""
    clue = ForeignKeyField(Clue, backref="problem_links", on_delete="CASCADE")
    problem = ForeignKeyField(Problem, backref="clue_links", on_delete="CASCADE")
    role = CharField(max_length=16, default="person")  # person, accountability
    linked_at = DateTimeField(default=clock.now)
    linked_by = ForeignKeyField(User, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("clue", "problem"), True),)


IDENTITY_STATUSES = {"pending": "待审批", "approved": "已同意", "refused": "未同意"}


class IdentityRequest(BaseModel):
    """A handler asks to see a named tip's reporter identity (GlobaLeaks' identity access request); a
    custodian (身份保管人) approves or refuses. Only an approved, unexpired request of the asking person
    opens the identity, and every view is audited."""
    clue = ForeignKeyField(Clue, backref="identity_requests", on_delete="CASCADE")
    requester = ForeignKeyField(User, on_delete="CASCADE", related_name="identity_requests")
    reason = TextField()
    status = CharField(max_length=12, default="pending", index=True)
    requested_at = DateTimeField(default=clock.now)
    decided_by = ForeignKeyField(User, null=True, on_delete="SET NULL", related_name="identity_decisions")
    decided_at = DateTimeField(null=True)
    decision_note = TextField(default="")
    valid_until = DateTimeField(null=True)

    @property
    def status_label(self):
        return IDENTITY_STATUSES.get(self.status, self.status)

    def open_now(self) -> bool:
        return self.status == "approved" and (self.valid_until is None or self.valid_until >= clock.now())
