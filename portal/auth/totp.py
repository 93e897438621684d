"""Two-factor sign-in: TOTP (RFC 6238, any authenticator app) with pyotp, single-use recovery codes.

The secret is sealed with AES-GCM under a key derived from SECRET_KEY and bound to the account; recovery
codes (80 random bits each) are stored as HMAC-SHA256 under another key derived from SECRET_KEY, so the
database alone opens neither. A code is accepted once: the time step of the last accepted code is kept,
and only a later step passes (±1 step of clock drift).
"""
import base64
import hashlib
import hmac
import secrets

import pyotp
import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from peewee import fn

from .. import audit, clock
from ..extensions import db
from ..models.security import RecoveryCode, TotpCredential

RECOVERY_COUNT = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
STEP = 30



def _derived(purpose: str) -> bytes:
    secret = current_app.secret_key
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, f"fengji-2fa:{purpose}".encode(), hashlib.sha256).digest()


def _seal(user_id: int, secret: str) -> str:
    nonce = secrets.token_bytes(12)
    ct = AESGCM(_derived("totp-seal")).encrypt(nonce, secret.encode(), f"totp:{user_id}".encode())
    return base64.urlsafe_b64encode(nonce + ct).decode()


def _open(user_id: int, sealed: str) -> str | None:
    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
        return AESGCM(_derived("totp-seal")).decrypt(raw[:12], raw[12:], f"totp:{user_id}".encode()).decode()
    except (InvalidTag, ValueError):
        return None  # SECRET_KEY changed or the row was tampered with: the person must enrol again


def credential(user) -> TotpCredential | None:
    return TotpCredential.get_or_none(TotpCredential.user == user.id)


def enabled(user) -> bool:
    return TotpCredential.select().where((TotpCredential.user == user.id)
                                         & TotpCredential.enabled_at.is_null(False)).exists()


def start_enrolment(user) -> str:
    """A new secret, stored unconfirmed (replacing an earlier unconfirmed one). Returns it, to be shown
    once as a QR code. An enabled credential is never replaced here."""
    if enabled(user):
        raise ValueError("already enabled")
    secret = pyotp.random_base32()
    now = clock.now()
    with db.atomic():
        TotpCredential.delete().where(TotpCredential.user == user.id).execute()
        TotpCredential.create(user=user.id, sealed_secret=_seal(user.id, secret), created_at=now)
    return secret


def provisioning_uri(user, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username,
                                               issuer_name=current_app.config["TOTP_ISSUER"])


def qr_data_uri(uri: str) -> str:
    """The QR code as an SVG data URI, for an <img>: no inline script or style under the strict CSP."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _matching_step(secret: str, code: str, after: int) -> int | None:
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(clock.now().timestamp()) // STEP
    for step in (now_step - 1, now_step, now_step + 1):
        if step > after and hmac.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def _use_step(user_id: int, step: int, pending: bool = False) -> bool:
    """Record `step` as used; False if another request used it (or a later one) first."""
    q = TotpCredential.update(last_step=step).where((TotpCredential.user == user_id)
                                                     & (TotpCredential.last_step < step))
    q = q.where(TotpCredential.enabled_at.is_null(pending))
    return q.execute() == 1


def confirm_enrolment(user, code: str) -> list[str] | None:
    """Enable the unconfirmed secret if `code` matches it. Returns the new recovery codes (shown once)."""
    cred = credential(user)
    if cred is None or cred.enabled_at is not None:
        return None
    secret = _open(user.id, cred.sealed_secret)
    step = _matching_step(secret, code, cred.last_step) if secret else None
    if step is None:
        return None
    with db.atomic():
        if not _use_step(user.id, step, pending=True):
            return None
        TotpCredential.update(enabled_at=clock.now()).where(TotpCredential.user == user.id).execute()
        codes = _new_recovery_codes(user)
        audit.record("totp_enable", "user", user.id, actor=user)
    return codes


def verify(user, code: str) -> str | None:
    """"totp" or "recovery" when `code` is a valid, unused second factor of `user`; else None."""
    cred = credential(user)
    if cred is None or cred.enabled_at is None:
        return None
    secret = _open(user.id, cred.sealed_secret)
    step = _matching_step(secret, code, cred.last_step) if secret else None
    if step is not None:
        return "totp" if _use_step(user.id, step) else None
    if _use_recovery_code(user, code):
        return "recovery"
    return None


def _code_hash(code: str) -> str:
    normal = "".join(ch for ch in (code or "").upper() if ch in RECOVERY_ALPHABET)
    return hmac.new(_derived("recovery"), normal.encode(), hashlib.sha256).hexdigest()


def _new_recovery_codes(user) -> list[str]:
    codes = ["-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(4)) for _ in range(4))
             for _ in range(RECOVERY_COUNT)]
    RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
    RecoveryCode.insert_many([{"user": user.id, "code_hash": _code_hash(c)} for c in codes]).execute()
    return codes


def new_recovery_codes(user) -> list[str]:
    with db.atomic():
        codes = _new_recovery_codes(user)
        audit.record("recovery_codes_new", "user", user.id, actor=user)
    return codes


def _use_recovery_code(user, code: str) -> bool:
    normal = "".join(ch for ch in (code or "").upper() if ch in RECOVERY_ALPHABET)
    if len(normal) != 16:
        return False
    with db.atomic():
        used = (RecoveryCode.update(used_at=clock.now())
                .where((RecoveryCode.user == user.id) & (RecoveryCode.code_hash == _code_hash(normal))
                       & RecoveryCode.used_at.is_null()).execute())
        if used:
            audit.record("recovery_code_used", "user", user.id, actor=user,
                         detail={"left": recovery_codes_left(user)})
    return bool(used)


def recovery_codes_left(user) -> int:
    return (RecoveryCode.select(fn.COUNT(RecoveryCode.id))
            .where((RecoveryCode.user == user.id) & RecoveryCode.used_at.is_null()).scalar()) or 0


def remove(user, actor, action: str = "totp_reset", detail=None) -> bool:
    """Delete the person's second factor and recovery codes (they enrol again at next sign-in)."""
    with db.atomic():
        n = TotpCredential.delete().where(TotpCredential.user == user.id).execute()
        RecoveryCode.delete().where(RecoveryCode.user == user.id).execute()
        audit.record(action, "user", user.id, actor=actor, detail=detail or {"username": user.username})
    return bool(n)
