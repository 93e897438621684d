"""The audit trail: append-only records in a keyed hash chain, anchored outside the database.

Chain. Every record's `hash` is HMAC-SHA256, under the secret in instance/audit_key, of its fields and the
previous record's hash. The key lives outside the database (JSON, mode 0600, created on first use like
instance/tip_key; every app server needs the same file, and backups must keep it): someone who can write to
the database but has not the key cannot recompute the chain after editing, deleting or inserting a row.

Chains begun before the key (plain SHA-256, before migration 0014): the migration appends one
`audit_keyed` record (start_keyed_chain), keyed like every later one, whose prev_hash is the last plain
hash. verify() checks the rows before the first `audit_keyed` record with plain SHA-256 and every row from
it on with the key. The marker's MAC covers the old head, so an old row edited (and the old part re-hashed)
breaks at the marker; a chain without a genuine marker must be keyed from its first row.

Anchor. The head (seq, MAC) is appended to instance/audit_anchor.log (append-only, 0600): by every
`audit-verify` that passes, once a day by the periodic run (notices), and when a periodic report is
generated (the report prints it too). verify() compares every anchored head with the table, so a tail cut
off, or a chain rewritten by someone holding the key, no longer matches what was anchored.

The database refuses UPDATE and DELETE (and on PostgreSQL TRUNCATE) on audit_record (migration 0014).

What is kept: who, what, when, which object — never the business content. redact() replaces tip text,
problem descriptions, clue facts and titles at record time (and again on display, for older rows). Events
about the anonymous tip box keep their date only (no time of day).
"""
import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading

from flask import current_app, has_request_context
from flask_login import current_user
from peewee import IntegrityError, fn

from . import clock
from .extensions import db
from .models import AuditRecord

log = logging.getLogger("portal.audit")

GENESIS = "0" * 64
KEY_FILE = "audit_key"
ANCHOR_FILE = "audit_anchor.log"
KEYED_MARKER = "audit_keyed"  # the first keyed record of a chain begun before the key
_MAC_CONTEXT = b"fengji-audit-v1\x00"

# One table of labels for every event code the portal records (tests/foundation/test_audit_labels.py
# checks each `audit.record(...)` call in the code has one).
from .audit_labels import ACTION_LABELS  # noqa: E402 - the one table of event labels

# --- what the trail keeps: no business content ---------------------------------------------------------

# detail keys whose values are business content (tip text, problem descriptions, clue facts, free text)
CONTENT_KEYS = frozenset({
    "description", "measures", "measure", "remark", "note", "notes", "comment", "review_comment", "narrative",
    "body", "text", "content", "message", "facts", "finding", "conclusion", "summary", "reporter", "identity",
    "subject_name", "q", "title", "file", "filename"})
# ... with exceptions: a user's title is the job title (account data), a report file's name is generated
NOT_CONTENT = {("user", "title"), ("report_file", "file")}
# on clues and tips, reasons describe the clue
CONTENT_BY_OBJECT = {"clue": {"reason"}, "tip": {"reason"}}
HIDDEN = "（已隐去）"
CHANGED = "已修改"


def _is_content(key: str, value, object_type: str) -> bool:
    if (object_type, key) in NOT_CONTENT or (key in ("file", "filename") and not isinstance(value, str)):
        return False  # a file's id is an identifier, its name may be content
    return key in CONTENT_KEYS or key in CONTENT_BY_OBJECT.get(object_type, ())


def redact(detail, object_type: str = ""):
    """The detail without business content: content values become "已修改" (a [old, new] change) or
    "（已隐去）"; keys (field names) and identifiers stay."""
    if isinstance(detail, dict):
        out = {}
        for k, v in detail.items():
            if _is_content(str(k), v, object_type):
                out[k] = CHANGED if (isinstance(v, list) and len(v) == 2) or v == CHANGED else HIDDEN
            else:
                out[k] = redact(v, object_type)
        return out
    return detail


def is_date_only(action: str) -> bool:
    """Events about the anonymous tip box keep the day, never the time of day."""
    return action.startswith("tip_") or action == "clue_message"


# --- the key -------------------------------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict = {}  # path -> (mtime_ns, key)


def key_path(instance_path: str | None = None) -> str:
    return os.path.join(instance_path or current_app.instance_path, KEY_FILE)


def _create_key(path: str) -> None:
    """Write atomically and exclusively: a temp file (0600), then link (fails if another process won)."""
    tmp = f"{path}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump({"version": 1, "key": base64.b64encode(secrets.token_bytes(32)).decode()}, f)
            f.flush()
            os.fsync(f.fileno())
        os.link(tmp, path)
        log.warning("created a new audit key file %s", path)
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)


def _key() -> bytes:
    path = key_path()
    with _lock:
        if not os.path.exists(path):
            _create_key(path)
        mtime = os.stat(path).st_mtime_ns
        hit = _cache.get(path)
        if hit and hit[0] == mtime:
            return hit[1]
        with open(path) as f:
            key = base64.b64decode(json.load(f)["key"])
        if len(key) < 32:
            raise RuntimeError("audit_key: the key is too short")
        _cache[path] = (mtime, key)
        return key


# --- the chain -----------------------------------------------------------------------------------------

def _payload(prev_hash, seq, at, actor_id, actor_name, action, object_type, object_id, outcome, detail) -> bytes:
    return json.dumps(
        [prev_hash, seq, at.isoformat(sep=" "), actor_id, actor_name, action, object_type,
         str(object_id), outcome, detail],
        ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _plain_digest(*fields) -> str:
    """The unkeyed SHA-256 of chains begun before the key."""
    return hashlib.sha256(_payload(*fields)).hexdigest()


def _mac(key: bytes, *fields) -> str:
    return hmac.new(key, _MAC_CONTEXT + _payload(*fields), hashlib.sha256).hexdigest()


def _actor():
    if has_request_context() and current_user and getattr(current_user, "is_authenticated", False):
        return current_user.id, current_user.username
    return None, ""


def record(action: str, object_type: str = "", object_id="", outcome: str = "ok", detail="",
           actor=None, anonymous: bool = False) -> AuditRecord:
    """Append one audit record. `actor` overrides the logged-in user; `anonymous` records no actor
    at all (the tip box must never tie a tip to an account). Business content in a dict `detail` is
    redacted (see redact); tip-box events keep the date only."""
    if anonymous:
        actor_id, actor_name = None, ""
    elif actor is not None:
        actor_id, actor_name = actor.id, actor.username
    else:
        actor_id, actor_name = _actor()
    if isinstance(detail, str) and detail.startswith("{"):
        try:  # a JSON object passed as text is redacted like a dict
            detail = json.loads(detail)
        except ValueError:
            pass
    if not isinstance(detail, str):
        detail = json.dumps(redact(detail, object_type), ensure_ascii=False, sort_keys=True, default=str)
    date_only = anonymous or is_date_only(action)
    key = _key()
    for _attempt in range(20):
        try:
            with db.atomic():
                last = (AuditRecord.select(AuditRecord.seq, AuditRecord.hash)
                        .order_by(AuditRecord.seq.desc()).first())
                seq = (last.seq + 1) if last else 1
                prev = last.hash if last else GENESIS
                at = clock.now()
                if date_only:
                    at = dt.datetime.combine(at.date(), dt.time.min)
                h = _mac(key, prev, seq, at, actor_id, actor_name, action, object_type, object_id, outcome, detail)
                return AuditRecord.create(
                    seq=seq, at=at, actor_id=actor_id, actor_name=actor_name, action=action,
                    object_type=object_type, object_id=str(object_id), outcome=outcome,
                    detail=detail, prev_hash=prev, hash=h)
        except IntegrityError:
            continue  # another writer took this seq: chain onto theirs
    raise RuntimeError("audit chain contention")


def start_keyed_chain():
    """Migration 0014: seal a chain begun without the key with one keyed `audit_keyed` record."""
    if not AuditRecord.select().exists():
        return None
    if AuditRecord.select().where(AuditRecord.action == KEYED_MARKER).exists():
        return None
    return record(KEYED_MARKER, "audit", "", detail={"legacy_rows": count()})


def verify() -> tuple[bool, str]:
    """Walk the whole chain and compare it with the anchors. Returns (True, "ok") or (False, the first
    problem found, in Chinese)."""
    key = _key()
    try:
        anchors = read_anchors()
    except ValueError as e:
        return False, str(e)
    marker = (AuditRecord.select(AuditRecord.seq).where(AuditRecord.action == KEYED_MARKER)
              .order_by(AuditRecord.seq).first())
    legacy_end = marker.seq - 1 if marker else 0
    prev, expected_seq = GENESIS, 1
    for r in AuditRecord.select().order_by(AuditRecord.seq).iterator():
        if r.seq != expected_seq:
            return False, f"第 {expected_seq} 条记录缺失（下一条为第 {r.seq} 条）"
        if r.prev_hash != prev:
            return False, f"第 {r.seq} 条记录的前序哈希与上一条不符"
        fields = (r.prev_hash, r.seq, r.at, r.actor_id, r.actor_name, r.action, r.object_type, r.object_id,
                  r.outcome, r.detail)
        if r.seq <= legacy_end:
            if _plain_digest(*fields) != r.hash:
                return False, f"第 {r.seq} 条记录内容已被篡改"
        elif not hmac.compare_digest(_mac(key, *fields), r.hash):
            if _plain_digest(*fields) == r.hash:
                return False, f"第 {r.seq} 条记录内容已被篡改（其校验值未使用审计密钥，是改动后重新计算的）"
            return False, f"第 {r.seq} 条记录内容已被篡改"
        anchored = anchors.get(r.seq)
        if anchored and anchored[1] != r.hash:
            return False, f"第 {r.seq} 条记录与 {anchored[0]} 的外部锚点不符（审计链被改写）"
        prev = r.hash
        expected_seq += 1
    last = expected_seq - 1
    beyond = [s for s in anchors if s > last]
    if beyond:
        s = max(beyond)
        return False, f"审计记录被截断：{anchors[s][0]} 已锚定到第 {s} 条，现仅有 {last} 条"
    return True, "ok"


def count() -> int:
    return AuditRecord.select(fn.COUNT(AuditRecord.id)).scalar() or 0


# -- refusals and denials: recorded in their own transaction ----------------------------------------
def record_apart(action: str, object_type: str = "", object_id="", outcome: str = "refused", detail="",
                 actor=None) -> None:
    """Record a refusal or a denial so that no rollback takes it back. Outside a transaction it is
    written at once, in its own transaction. Inside one (the refused business write is about to be
    rolled back, and SQLite admits no second writer meanwhile) it is kept on the outermost transaction
    and written, in its own transaction, as soon as that one has ended — rolled back or committed."""
    if actor is None:
        uid, name = _actor()
        actor = _Actor(uid, name) if uid is not None else None
    entry = dict(action=action, object_type=object_type, object_id=object_id, outcome=outcome,
                 detail=detail, actor=actor)
    if not db.in_transaction():
        record(**entry)
        return
    outer = db._state.transactions[0]  # atomic() nests savepoints inside this one transaction
    pending = getattr(outer, "_apart", None)
    if pending is None:
        pending = outer._apart = []
        for name in ("commit", "rollback"):
            setattr(outer, name, _flushing(getattr(outer, name), pending))
    pending.append(entry)


class _Actor:
    """The user who was refused, kept by id and name (the record may be written after the request)."""

    def __init__(self, id_, username):
        self.id, self.username = id_, username


def _flushing(end, pending):
    """Wrap a transaction's commit/rollback: once no transaction is left open, write what waits."""
    def wrapper(*args, **kwargs):
        result = end(*args, **kwargs)  # a failed COMMIT is followed by the rollback, which writes them
        if not db.in_transaction():
            while pending:
                record(**pending.pop(0))
        return result
    return wrapper
def head() -> tuple[int, str]:
    """(seq, MAC) of the newest record; (0, GENESIS) for an empty trail."""
    last = AuditRecord.select(AuditRecord.seq, AuditRecord.hash).order_by(AuditRecord.seq.desc()).first()
    return (last.seq, last.hash) if last else (0, GENESIS)


# --- the anchor outside the database -------------------------------------------------------------------

def anchor_path(instance_path: str | None = None) -> str:
    return os.path.join(instance_path or current_app.instance_path, ANCHOR_FILE)


def anchor(at_head: tuple[int, str] | None = None) -> tuple[int, str]:
    """Append the head (committed rows only: call it outside a transaction) to the anchor file, one line
    "time<TAB>seq<TAB>MAC". Returns the head anchored; an empty trail anchors nothing."""
    seq, mac = at_head or head()
    if seq:
        line = f"{clock.now().isoformat(sep=' ')}\t{seq}\t{mac}\n".encode("ascii")
        fd = os.open(anchor_path(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
    return seq, mac


def read_anchors() -> dict:
    """{seq: (time text, MAC)} from the anchor file; ValueError (Chinese) for a damaged file."""
    out: dict = {}
    try:
        with open(anchor_path(), encoding="ascii", errors="replace") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return out
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not parts[1].isdigit() or len(parts[2]) != 64:
            raise ValueError(f"审计锚点文件第 {n} 行格式错误（锚点文件可能被改动）")
        seq = int(parts[1])
        if seq in out and out[seq][1] != parts[2]:
            raise ValueError(f"审计锚点文件对第 {seq} 条记录有两个不同的校验值（锚点文件可能被改动）")
        out.setdefault(seq, (parts[0], parts[2]))
    return out


def last_anchor_time() -> dt.datetime | None:
    try:
        with open(anchor_path(), encoding="ascii", errors="replace") as f:
            lines = [ln for ln in f.read().splitlines() if ln.strip()]
    except FileNotFoundError:
        return None
    try:
        return dt.datetime.fromisoformat(lines[-1].split("\t")[0]) if lines else None
    except ValueError:
        return None


def anchor_if_due() -> bool:
    """Anchor the head unless it was anchored today (the daily run)."""
    last = last_anchor_time()
    if last is not None and last.date() >= clock.today():
        return False
    return anchor()[0] > 0


def head_line(at_head: tuple[int, str] | None = None) -> str:
    """One line for the periodic report: how many records, and the head's MAC (first 16 hex digits)."""
    seq, mac = at_head or head()
    return f"审计日志：共 {seq} 条记录，链头校验值 {mac[:16]}。"
