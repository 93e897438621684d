"""Security state kept in the database every worker and server shares: the security administrator's
settings, rate-limit counters (with the day's salt for hashing client addresses), two-factor
credentials and recovery codes, and who is signed in."""
from peewee import (BigIntegerField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField,
                    TextField)

from .base import BaseModel
from .org import User


class SecuritySetting(BaseModel):
    """One setting the security administrator changed (a missing key falls back to the configuration).
    `value` is JSON."""
    key = CharField(max_length=48, primary_key=True)
    value = TextField()
    updated_at = DateTimeField()

    class Meta:
        table_name = "security_setting"


class RateLimitCounter(BaseModel):
    """A fixed-window counter of the `limits` storage: `hits` in the window that ends at `expires_at`
    (epoch seconds). Keys never hold a client address in clear (see portal/ratelimit.py)."""
    key = CharField(max_length=255, primary_key=True)
    hits = IntegerField(default=0)
    expires_at = BigIntegerField(index=True)

    class Meta:
        table_name = "rate_limit"


class RateLimitSalt(BaseModel):
    """The random salt of one day: client addresses are hashed with it; yesterday's is deleted."""
    day = DateField(primary_key=True)
    salt = CharField(max_length=64)

    class Meta:
        table_name = "rate_limit_salt"


class TotpCredential(BaseModel):
    """A person's authenticator secret (sealed with a key derived from SECRET_KEY). `enabled_at` is null
    while the QR code has been shown but not yet confirmed with a code. `last_step` is the last time step
    accepted: a code is never accepted twice."""
    user = ForeignKeyField(User, primary_key=True, on_delete="CASCADE")
    sealed_secret = CharField(max_length=255)
    enabled_at = DateTimeField(null=True)
    last_step = BigIntegerField(default=0)
    created_at = DateTimeField()

    class Meta:
        table_name = "totp_credential"


class RecoveryCode(BaseModel):
    """One single-use recovery code, stored as a keyed hash."""
    user = ForeignKeyField(User, on_delete="CASCADE", index=True)
    code_hash = CharField(max_length=64)
    used_at = DateTimeField(null=True)

    class Meta:
        table_name = "recovery_code"
        indexes = ((("user", "code_hash"), True),)


class UserPresence(BaseModel):
    """Who is signed in: one row per account, valid while `token` equals the account's session token
    (logout, password reset, disabling and forced sign-out all change it)."""
    user = ForeignKeyField(User, primary_key=True, on_delete="CASCADE")
    token = CharField(max_length=64)
    since = DateTimeField()
    last_seen = DateTimeField(index=True)

    class Meta:
        table_name = "user_presence"


MODELS = [SecuritySetting, RateLimitCounter, RateLimitSalt, TotpCredential, RecoveryCode, UserPresence]
