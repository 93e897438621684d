"""Sign-in attempts: the per-account lockout, the per-address limit, and names that do not exist.

Per account, a try is *reserved* before the password (or the second factor) is checked, by one atomic
UPDATE that also refuses when the account is locked or already has `threshold` tries in flight. Parallel
wrong passwords therefore get at most `threshold` verifications; the one that reaches the threshold locks
the account when it fails. A success gives the try back (or clears the counter after a full sign-in).

A name that does not exist gets the same treatment in the shared rate-limit store (keyed by a daily hash
of the name), and one dummy Argon2 verification: same messages, same lockout, same time.

Per client address, failed tries count against LOGIN_ADDRESS_LIMIT in the same store, so one address
cannot spray passwords over many accounts.
"""
import datetime as dt
import math
from dataclasses import dataclass

from flask import current_app
from limits import parse as parse_limit
from limits.strategies import FixedWindowRateLimiter
from peewee import Case

from .. import audit, clock, ratelimit
from ..extensions import db
from ..models import User
from . import policy

GENERIC_FAIL = "登录名或密码错误。"
ADDRESS_MSG = "本机登录失败次数过多，请 {minutes} 分钟后再试。"



def locked_message(minutes: int) -> str:
    return f"密码错误次数过多，账号已锁定，请 {max(1, minutes)} 分钟后再试。"


def just_locked_message() -> str:
    return f"密码连续错误 {policy.lockout_threshold()} 次，账号已锁定 {policy.lockout_minutes()} 分钟。"


def _minutes_until(until) -> int:
    return max(1, math.ceil((until - clock.now()).total_seconds() / 60))


# --- per account ---------------------------------------------------------------------------------

def reserve(user) -> int | None:
    """Take one try: the number of tries now counted (1 … threshold), or None when locked or full."""
    now = clock.now()
    q = (User.update(failed_logins=User.failed_logins + 1, locked_until=None)
         .where((User.id == user.id) & (User.locked_until.is_null() | (User.locked_until <= now))
                & (User.failed_logins < policy.lockout_threshold()))
         .returning(User.failed_logins))
    rows = list(q.tuples().execute())
    return rows[0][0] if rows else None


def give_back(user) -> None:
    """A try that succeeded (a password before the second factor) does not count."""
    User.update(failed_logins=Case(None, [(User.failed_logins > 0, User.failed_logins - 1)], 0)) \
        .where(User.id == user.id).execute()


def fail(user, n: int, detail=None) -> bool:
    """A reserved try failed: audit it, lock the account when it was the last one (returns True then)."""
    with db.atomic():
        audit.record("login_failed", "user", user.id, outcome="failed", actor=user, detail=detail or "")
        if n >= policy.lockout_threshold():
            until = clock.now() + dt.timedelta(minutes=policy.lockout_minutes())
            User.update(locked_until=until, failed_logins=0).where(User.id == user.id).execute()
            audit.record("lockout", "user", user.id, outcome="locked", actor=user,
                         detail={"until": until.isoformat(sep=" ")})
            return True
    return False


def refused(user) -> str:
    """No try left: locked, or `threshold` tries already in flight."""
    audit.record("login_failed", "user", user.id, outcome="locked", actor=user)
    fresh = User.get_by_id(user.id)
    if fresh.locked_until and fresh.locked_until > clock.now():
        return locked_message(_minutes_until(fresh.locked_until))
    return locked_message(policy.lockout_minutes())


def succeeded(user) -> None:
    User.update(failed_logins=0, locked_until=None, last_login_at=clock.now()).where(User.id == user.id).execute()


# --- names that do not exist ---------------------------------------------------------------------

def _name_keys(username: str):
    h = ratelimit.keyed_hash(username.lower(), "login-name")
    return f"login-name/{h}", f"login-name-lock/{h}"


def name_locked(username: str) -> bool:
    """Whether the name is locked in the rate-limit store (a directory name with no portal account yet)."""
    return ratelimit.storage().get(_name_keys(username)[1]) > 0


def unknown_name_try(username: str, password: str, detail: str = "unknown user") -> str:
    """The same steps as a wrong password on an existing account, in the rate-limit store."""
    store = ratelimit.storage()
    count_key, lock_key = _name_keys(username)
    if store.get(lock_key) > 0:
        audit.record("login_failed", "user", username[:64], outcome="locked", detail=detail)
        return locked_message(math.ceil((store.get_expiry(lock_key) - clock.now().timestamp()) / 60))
    n = store.incr(count_key, 24 * 3600)
    from ..passwords import verify_dummy
    verify_dummy(password)
    audit.record("login_failed", "user", username[:64], outcome="failed", detail=detail)
    if n >= policy.lockout_threshold():
        store.clear(count_key)
        store.incr(lock_key, policy.lockout_minutes() * 60)
        audit.record("lockout", "user", username[:64], outcome="locked", detail=detail)
        return just_locked_message()
    return GENERIC_FAIL


# --- per client address --------------------------------------------------------------------------

@dataclass
class AddressSlot:
    item: object
    key: str

    def give_back(self) -> None:
        ratelimit.storage().incr(self.item.key_for(self.key), self.item.get_expiry(), amount=-1)


def take_address_slot() -> AddressSlot | str | None:
    """One try against the address limit: a slot to give back on success, the refusal message, or None
    when the limit is off."""
    text = current_app.config.get("LOGIN_ADDRESS_LIMIT")
    if not text:
        return None
    item = parse_limit(text)
    key = "login-addr/" + ratelimit.address_key()
    strategy = FixedWindowRateLimiter(ratelimit.storage())
    if strategy.hit(item, key):
        return AddressSlot(item, key)
    reset = strategy.get_window_stats(item, key).reset_time
    audit.record("login_throttled", "page", "/login", outcome="refused")
    return ADDRESS_MSG.format(minutes=max(1, math.ceil((reset - clock.now().timestamp()) / 60)))
