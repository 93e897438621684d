"""A small proof of work on submission (hashcash), instead of a captcha: nothing third-party, nothing
about the reporter kept.

The form carries a server-signed challenge (random nonce, difficulty, issue time — signed with the
app's secret, so it cannot be forged or made easier). The page's script (static/js/tips-pow.js) finds a
number n such that SHA-256("<challenge>:<n>") starts with TIPS_POW_BITS zero bits and sends it with the
form. On submit the signature, age (TIPS_POW_MINUTES) and work are checked; a challenge is spent once: the
SHA-256 of the challenge is kept (PowStamp, expiry rounded up to the hour) until it would have expired
anyway, and nothing else is written.
"""
import datetime as dt
import hashlib
import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from peewee import IntegrityError

from .. import clock
from ..extensions import db
from ..models.tip import PowStamp

SALT = "tips-proof-of-work"
MISSING = ("提交前，页面需要在您的浏览器中自动完成一次防刷验证，本次验证尚未完成（可能浏览器禁用了 JavaScript，"
           "或验证还在计算）。请稍候几秒再点击“提交举报”；您填写的内容已保留。无法使用时，也可通过举报电话、信箱反映。")
INVALID = "防刷验证未通过或已过期。页面已重新生成验证，请稍候几秒后再次点击“提交举报”；您填写的内容已保留。"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def bits() -> int:
    return int(current_app.config["TIPS_POW_BITS"])


def issue() -> str:
    return _serializer().dumps({"n": secrets.token_hex(16), "b": bits(), "t": int(clock.now().timestamp())})


def zero_bits(digest: bytes) -> int:
    n = 0
    for byte in digest:
        if byte == 0:
            n += 8
            continue
        return n + 8 - byte.bit_length()
    return n


def _hour_after(t: dt.datetime) -> dt.datetime:
    return t.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)


def check(challenge: str, nonce: str) -> str | None:
    """None when the work is done and the challenge was unspent (it is spent now); otherwise the
    Chinese message to show."""
    challenge, nonce = (challenge or "").strip(), (nonce or "").strip()
    if not challenge or not nonce:
        return MISSING
    if len(challenge) > 200 or len(nonce) > 20 or not nonce.isdigit():
        return INVALID
    try:
        data = _serializer().loads(challenge)
        issued, need = int(data["t"]), int(data["b"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return INVALID
    now = clock.now()
    minutes = int(current_app.config["TIPS_POW_MINUTES"])
    if need < bits() or not (-60 <= now.timestamp() - issued <= minutes * 60):
        return INVALID
    if zero_bits(hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()) < need:
        return INVALID
    PowStamp.delete().where(PowStamp.expires_at < now).execute()
    expires = _hour_after(dt.datetime.fromtimestamp(issued) + dt.timedelta(minutes=minutes))
    try:
        with db.atomic():
            PowStamp.create(digest=hashlib.sha256(challenge.encode()).hexdigest(), expires_at=expires)
    except IntegrityError:
        return INVALID  # spent already: a replayed form
    return None
