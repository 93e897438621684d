"""The tip box: receipt codes, sealing, submission, follow-up. No request data (address, agent,
account) is ever passed in here — the views hand over form values only."""
import datetime as dt
import secrets

from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .. import audit, clock, crypto, uploads
from ..extensions import db
from ..models import Department, Item, User
from ..models.tip import Tip, TipFile, TipMessage
from ..passwords import hasher

CODE_DIGITS = 16
PASSWORD_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
UPLOAD_AREA = "tips"
_DUMMY_HASH: dict = {}


def new_code() -> str:
    """A receipt code: 16 random decimal digits (about 53 bits) from the OS CSPRNG."""
    return "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))


def new_password() -> str:
    """A generated password, four groups of four easy-to-copy characters (about 79 bits)."""
    return "-".join("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(4)) for _ in range(4))


def normalize_code(text: str) -> str:
    return "".join(ch for ch in (text or "") if ch.isdigit())


def format_code(code: str) -> str:
    return " ".join(code[i:i + 4] for i in range(0, len(code), 4))


def code_lookup(code: str) -> str:
    return crypto.lookup_hash(normalize_code(code), "receipt")


def subject_key(name: str) -> str:
    name = "".join((name or "").split())
    return crypto.lookup_hash(name, "subject") if name else ""


def _secret(code: str, password: str) -> str:
    return normalize_code(code) + "\x00" + (password or "").strip()


def make_verifier(code: str, password: str) -> str:
    return hasher().hash(_secret(code, password))


def verify(code: str, password: str) -> Tip | None:
    """The tip for code + password, or None. An unknown code costs the same Argon2 work as a wrong
    password, so timing does not tell whether a code exists."""
    code = normalize_code(code)
    tip = Tip.get_or_none(Tip.lookup == code_lookup(code)) if len(code) >= CODE_DIGITS else None
    h = hasher()
    target = tip.verifier if tip else _DUMMY_HASH.setdefault(h, h.hash(secrets.token_hex(16)))
    try:
        ok = h.verify(target, _secret(code, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    return tip if (ok and tip is not None) else None


def seal_files(tip: Tip, files, message: TipMessage | None = None) -> list[TipFile]:
    """files: [(name, kind, cleaned bytes)] from uploads.check_files; bytes are sealed before storing."""
    out = []
    for name, kind, data in files:
        tf = TipFile(tip=tip, message=message, kind=kind, size=len(data), storage_key="", sealed_name="")
        tf.storage_key = uploads.store(UPLOAD_AREA, crypto.seal_bytes(data, tf.aad("bytes")))
        tf.sealed_name = crypto.seal(name, tf.aad("name"))
        tf.save(force_insert=True)
        out.append(tf)
    return out


def file_name(tf: TipFile) -> str:
    return crypto.unseal(tf.sealed_name, tf.aad("name"))


def file_bytes(tf: TipFile) -> bytes:
    return crypto.open_bytes(uploads.load(tf.storage_key), tf.aad("bytes"))


def resolve_subject(name: str, department_id: int | None) -> tuple[User | None, Department | None]:
    """Match the person a tip is about with an account: exactly one active person of that name (in
    that department when one is given). Ambiguous or unknown names stay unmatched for the office."""
    dept = Department.get_or_none(Department.id == department_id) if department_id else None
    name = "".join((name or "").split())
    if not name:
        return None, dept
    q = User.select().where((User.real_name == name) & (User.is_active_flag == True))  # noqa: E712
    if dept is not None:
        q = q.where(User.department == dept)
    people = list(q.limit(2))
    if len(people) == 1:
        return people[0], dept or people[0].department
    return None, dept


# How a received tip becomes a case. The clue ledger (portal.clues) builds on the tip box and registers
# its opener here with @opens_case; the tip box never imports the clue ledger (one-way: clues -> tips).
_case_opener = None


def opens_case(fn):
    """Decorator: fn(tip, subject_user=, subject_department=, actor=) -> the case (a Clue) for a new tip."""
    global _case_opener
    _case_opener = fn
    return fn


def _open_case(tip, **kw):
    if _case_opener is None:  # portal.clues is always installed; missing means a broken app, not a choice
        raise RuntimeError("no case opener registered (portal.clues not loaded)")
    return _case_opener(tip, **kw)


def create_tip(*, subject: dict, body: str, item_id=None, reporter: dict | None = None, files=(),
               channel: str = "online", received_on: dt.date | None = None, password: str | None = None,
               recorded_by: User | None = None, issue_code: bool = True):
    """Store a tip and open its clue. Returns (tip, clue, code, password); code and password are
    None when no receipt was issued. They are returned once and kept nowhere."""
    code = password_out = None
    lookup = None
    verifier = ""
    if issue_code:
        password_out = (password or "").strip() or new_password()
        for _ in range(10):
            code = new_code()
            lookup = code_lookup(code)
            if not Tip.select().where(Tip.lookup == lookup).exists():
                break
        verifier = make_verifier(code, password_out)  # slow: outside the transaction
    subject = {k: (subject.get(k) or "").strip() for k in ("name", "department", "title", "when", "where")} | {
        "department_id": subject.get("department_id")}
    payload = {"subject": subject, "body": body.strip(),
               "reporter": ({k: (reporter.get(k) or "").strip() for k in ("name", "phone", "email", "address")}
                            if reporter else None)}
    item = Item.get_or_none(Item.id == item_id) if item_id else None
    received_on = received_on or clock.today()
    with db.atomic():
        tip = Tip(channel=channel, lookup=lookup, verifier=verifier, named=bool(reporter), item=item,
                  subject_key=subject_key(subject["name"]), received_on=received_on, sealed="")
        tip.sealed = crypto.seal(payload, tip.aad())
        tip.save(force_insert=True)
        seal_files(tip, files)
        user, dept = resolve_subject(subject["name"], subject.get("department_id"))
        clue = _open_case(tip, subject_user=user, subject_department=dept, actor=recorded_by)
        if recorded_by is None:
            audit.record("tip_submit", "clue", clue.id, anonymous=True,
                         detail={"channel": channel, "files": len(files)})
        else:
            audit.record("clue_record", "clue", clue.id, actor=recorded_by,
                         detail={"channel": channel, "files": len(files)})
    return tip, clue, code, password_out


def _payload(tip: Tip) -> dict:
    return crypto.unseal(tip.sealed, tip.aad())


def read(tip: Tip) -> dict:
    """What a tip says (subject, content) — never who sent it: that is reporter_of(), which only the
    identity access procedure (portal/clues/identity.py) calls."""
    payload = _payload(tip)
    payload.pop("reporter", None)
    return payload


def reporter_of(tip: Tip) -> dict | None:
    """The named reporter's identity. Callers: identity.reveal() only (approved request, audited)."""
    return _payload(tip).get("reporter")


def add_reporter_message(tip: Tip, text: str, files=()) -> TipMessage:
    """Information added by the reporter on /tips/track. Only the day is kept, not the time."""
    with db.atomic():
        msg = TipMessage(tip=tip, from_reporter=True, sealed="",
                         at=dt.datetime.combine(clock.today(), dt.time()))
        msg.sealed = crypto.seal(text.strip(), msg.aad())
        msg.save(force_insert=True)
        seal_files(tip, files, message=msg)
        clue = tip.clue.get()
        audit.record("tip_followup", "clue", clue.id, anonymous=True, detail={"files": len(files)})
    return msg


def add_office_message(tip: Tip, text: str, author: User, files=()) -> TipMessage:
    """A reply from the office; its attachments are sealed like the reporter's files."""
    with db.atomic():
        msg = TipMessage(tip=tip, from_reporter=False, author=author, sealed="", at=clock.now())
        msg.sealed = crypto.seal(text.strip(), msg.aad())
        msg.save(force_insert=True)
        seal_files(tip, files, message=msg)
    return msg


def reply_text(clue) -> str:
    """The result shared with the reporter when the clue is concluded (sealed on the clue)."""
    return crypto.unseal(clue.sealed_reply, clue.aad("sealed_reply")) if clue.sealed_reply else ""


def message_text(msg: TipMessage) -> str:
    return crypto.unseal(msg.sealed, msg.aad())


def messages(tip: Tip) -> list[dict]:
    out = []
    for m in TipMessage.select().where(TipMessage.tip == tip).order_by(TipMessage.id):
        out.append({"msg": m, "text": message_text(m), "from_reporter": m.from_reporter,
                    "files": [{"file": f, "name": file_name(f)} for f in m.files]})
    return out


def files_of(tip: Tip, initial_only: bool = False) -> list[dict]:
    q = TipFile.select().where(TipFile.tip == tip)
    if initial_only:
        q = q.where(TipFile.message.is_null())
    return [{"file": f, "name": file_name(f)} for f in q.order_by(TipFile.id)]


# ---------------------------------------------------------------- key rotation

def rotate_all() -> dict:
    """Re-seal every sealed value under the current key (called by `tips rotate-key`)."""
    from ..models.tip import Clue
    counts = {"tips": 0, "messages": 0, "files": 0, "clues": 0}
    current = crypto.keyring()["current"]
    for tip in Tip.select().iterator():
        if crypto.key_id_of(tip.sealed) != current:
            with db.atomic():
                Tip.update(sealed=crypto.seal(_payload(tip), tip.aad())).where(Tip.id == tip.id).execute()
            counts["tips"] += 1
    for m in TipMessage.select().iterator():
        if crypto.key_id_of(m.sealed) != current:
            TipMessage.update(sealed=crypto.seal(message_text(m), m.aad())).where(TipMessage.id == m.id).execute()
            counts["messages"] += 1
    for f in TipFile.select().iterator():
        blob = uploads.load(f.storage_key)
        if crypto.key_id_of(blob) != current or crypto.key_id_of(f.sealed_name) != current:
            data = crypto.open_bytes(blob, f.aad("bytes"))
            new_key = uploads.store(UPLOAD_AREA, crypto.seal_bytes(data, f.aad("bytes")))
            old_key = f.storage_key
            TipFile.update(storage_key=new_key, sealed_name=crypto.seal(file_name(f), f.aad("name"))
                           ).where(TipFile.id == f.id).execute()
            _remove_upload(old_key)
            counts["files"] += 1
    for c in Clue.select(Clue, Tip).join(Tip).iterator():
        changes = {}
        for col in ("sealed_finding", "sealed_reply"):
            token = getattr(c, col)
            if token and crypto.key_id_of(token) != current:
                changes[col] = crypto.seal(crypto.unseal(token, c.aad(col)), c.aad(col))
        if changes:
            Clue.update(**changes).where(Clue.id == c.id).execute()
            counts["clues"] += 1
    return counts


def _remove_upload(key: str) -> None:
    import os
    from flask import current_app
    path = os.path.join(current_app.instance_path, "uploads", key)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
