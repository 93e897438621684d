"""The audit trail: append-only records chained by SHA-256.

record() appends one link; verify() walks the chain and reports the first broken link.
"""
import hashlib
import json

from flask import has_request_context
from flask_login import current_user
from peewee import IntegrityError, fn

from . import clock
from .extensions import db
from .models import AuditRecord

GENESIS = "0" * 64

ACTION_LABELS = {
    "login": "登录", "login_failed": "登录失败", "lockout": "账号锁定", "logout": "退出登录",
    "password_change": "修改密码", "password_reset": "重置密码", "session_expired": "会话超时",
    "role_grant": "授予角色", "role_revoke": "撤销角色", "role_refused": "角色分配被拒绝",
    "user_create": "创建用户", "user_update": "修改用户", "user_disable": "停用用户",
    "user_enable": "启用用户", "department_change": "调整部门", "department_create": "新建部门",
    "department_update": "修改部门", "charge_change": "调整分管范围",
    "problem_create": "登记问题", "problem_status": "问题状态变更", "problem_update": "修改问题",
    "problem_refused": "问题操作被拒绝", "roster_import": "导入花名册", "roster_export": "导出花名册",
    "access_denied": "越权访问", "campaign_load": "载入活动清单",
}


def _digest(prev_hash: str, seq: int, at, actor_id, actor_name, action, object_type, object_id,
            outcome, detail) -> str:
    payload = json.dumps(
        [prev_hash, seq, at.isoformat(sep=" "), actor_id, actor_name, action, object_type,
         str(object_id), outcome, detail],
        ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _actor():
    if has_request_context() and current_user and getattr(current_user, "is_authenticated", False):
        return current_user.id, current_user.username
    return None, ""


def record(action: str, object_type: str = "", object_id="", outcome: str = "ok", detail="",
           actor=None, anonymous: bool = False) -> AuditRecord:
    """Append one audit record. `actor` overrides the logged-in user; `anonymous` records no actor
    at all (the tip box must never tie a tip to an account)."""
    if anonymous:
        actor_id, actor_name = None, ""
    elif actor is not None:
        actor_id, actor_name = actor.id, actor.username
    else:
        actor_id, actor_name = _actor()
    if not isinstance(detail, str):
        detail = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
    for _attempt in range(20):
        try:
            with db.atomic():
                last = (AuditRecord.select(AuditRecord.seq, AuditRecord.hash)
                        .order_by(AuditRecord.seq.desc()).first())
                seq = (last.seq + 1) if last else 1
                prev = last.hash if last else GENESIS
                at = clock.now()
                h = _digest(prev, seq, at, actor_id, actor_name, action, object_type, object_id,
                            outcome, detail)
                return AuditRecord.create(
                    seq=seq, at=at, actor_id=actor_id, actor_name=actor_name, action=action,
                    object_type=object_type, object_id=str(object_id), outcome=outcome,
                    detail=detail, prev_hash=prev, hash=h)
        except IntegrityError:
            continue  # another writer took this seq: chain onto theirs
    raise RuntimeError("audit chain contention")


def verify() -> tuple[bool, str]:
    """Walk the whole chain. Returns (True, "ok") or (False, description of the first broken link)."""
    prev = GENESIS
    expected_seq = 1
    query = AuditRecord.select().order_by(AuditRecord.seq)
    for r in query.iterator():
        if r.seq != expected_seq:
            return False, f"第 {expected_seq} 条记录缺失（下一条为第 {r.seq} 条）"
        if r.prev_hash != prev:
            return False, f"第 {r.seq} 条记录的前序哈希与上一条不符"
        h = _digest(r.prev_hash, r.seq, r.at, r.actor_id, r.actor_name, r.action, r.object_type,
                    r.object_id, r.outcome, r.detail)
        if h != r.hash:
            return False, f"第 {r.seq} 条记录内容已被篡改"
        prev = r.hash
        expected_seq += 1
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
