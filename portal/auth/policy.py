"""The security administrator's settings: lockout, password policy, idle timeout and the roles that must
sign in with two factors. Stored in the database (table security_setting), read once per request, so a
change applies at once on every worker and server; a setting never changed falls back to the
configuration (portal/config.py, instance/config.py)."""
import json
from contextlib import nullcontext

from flask import current_app, g, has_request_context

from .. import audit, clock
from ..extensions import db
from ..models.security import SecuritySetting
from ..permissions import ROLES

# key: (label, unit, minimum, maximum)
NUMBERS = {
    "LOCKOUT_THRESHOLD": ("锁定阈值", "次", 3, 10),
    "LOCKOUT_MINUTES": ("锁定时长", "分钟", 5, 1440),
    "PASSWORD_MIN_LENGTH": ("密码最小长度", "位", 8, 32),
    "PASSWORD_MIN_CLASSES": ("密码字符类别", "类", 2, 4),
    "IDLE_TIMEOUT_MINUTES": ("空闲超时", "分钟", 5, 240),
}
TOTP_ROLES = "TOTP_REQUIRED_ROLES"



def _stored() -> dict:
    if has_request_context() and "_security_settings" in g:
        return g._security_settings
    with db.connection_context() if db.is_closed() else nullcontext():
        rows = {k: json.loads(v) for k, v in SecuritySetting.select(SecuritySetting.key, SecuritySetting.value)
                .tuples()}
    if has_request_context():
        g._security_settings = rows
    return rows


def get(key: str):
    stored = _stored()
    return stored[key] if key in stored else current_app.config[key]


def lockout_threshold() -> int:
    return int(get("LOCKOUT_THRESHOLD"))


def lockout_minutes() -> int:
    return int(get("LOCKOUT_MINUTES"))


def idle_timeout_minutes() -> int:
    return int(get("IDLE_TIMEOUT_MINUTES"))


def password_min_length() -> int:
    return int(get("PASSWORD_MIN_LENGTH"))


def password_min_classes() -> int:
    return int(get("PASSWORD_MIN_CLASSES"))


def mandatory_totp_roles() -> frozenset:
    return frozenset(current_app.config["TOTP_MANDATORY_ROLES"])


def totp_required_roles() -> frozenset:
    """Roles whose members must sign in with a second factor (empty when TOTP_ENFORCED is off)."""
    if not current_app.config["TOTP_ENFORCED"]:
        return frozenset()
    return frozenset(get(TOTP_ROLES)) | mandatory_totp_roles()


def totp_required(user) -> bool:
    return bool(user.roles & totp_required_roles())


def current() -> dict:
    """Every setting's value now, numbers and the 2FA roles."""
    out = {k: int(get(k)) for k in NUMBERS}
    out[TOTP_ROLES] = sorted(set(get(TOTP_ROLES)) | mandatory_totp_roles(), key=list(ROLES).index)
    return out


def check(values: dict) -> dict:
    """{key: Chinese message} for values out of range or unknown roles."""
    errors = {}
    for key, (label, unit, lo, hi) in NUMBERS.items():
        if key not in values:
            continue
        v = values[key]
        if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
            errors[key] = f"{label}须为 {lo}–{hi} {unit}"
    roles = values.get(TOTP_ROLES)
    if roles is not None and set(roles) - set(ROLES):
        errors[TOTP_ROLES] = "未知角色"
    return errors


def save(values: dict, actor) -> dict:
    """Store the changed settings (audited with old and new values); returns {key: [old, new]}."""
    errors = check(values)
    if errors:
        raise ValueError(errors)
    if TOTP_ROLES in values:
        values = dict(values)
        values[TOTP_ROLES] = sorted(set(values[TOTP_ROLES]) | mandatory_totp_roles(), key=list(ROLES).index)
    old = current()
    changes = {k: [old[k], v] for k, v in values.items() if old.get(k) != v}
    if not changes:
        return {}
    now = clock.now()
    with db.atomic():
        for key, (_old, new) in changes.items():
            (SecuritySetting.insert(key=key, value=json.dumps(new), updated_at=now)
             .on_conflict(conflict_target=[SecuritySetting.key],
                          update={SecuritySetting.value: json.dumps(new), SecuritySetting.updated_at: now})
             .execute())
        audit.record("security_settings_change", "security", "settings", actor=actor, detail=changes)
    if has_request_context():
        g.pop("_security_settings", None)
    return changes
