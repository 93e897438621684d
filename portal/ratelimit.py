"""Rate limits in the database every worker and server already shares, so no Redis is needed.

`DatabaseStorage` is a `limits` storage registered under the scheme ``portaldb://``: set
``RATELIMIT_STORAGE_URI = "portaldb://"`` and Flask-Limiter keeps its fixed-window counters in the table
``rate_limit`` (one atomic upsert per hit, on SQLite and PostgreSQL). Four workers on two servers then
allow the configured number of tries, not eight times as many.

Client addresses never reach the table in clear: `address_key()` hashes the address with HMAC-SHA256
under a key made of SECRET_KEY and a random salt of the day (table ``rate_limit_salt``). Yesterday's salt
is deleted, so yesterday's keys can no longer be matched to an address, not even by someone holding both
the database and SECRET_KEY; counters (all shorter than a day) expire with their window.
"""
import hashlib
import hmac
import secrets
import threading
import time

from limits.storage import Storage
from peewee import EXCLUDED, Case, PeeweeException

from . import clock
from .extensions import db
from .models.security import RateLimitCounter, RateLimitSalt

SCHEME = "portaldb"
SWEEP_SECONDS = 60  # expired counters are deleted at most once a minute per process


def _now() -> int:
    return int(clock.now().timestamp())


class _Connected:
    """Use the request's connection when there is one; otherwise open one for this call only."""

    def __enter__(self):
        self.opened = db.is_closed()
        if self.opened:
            db.connect()

    def __exit__(self, *exc):
        if self.opened and not db.is_closed():
            db.close()


class DatabaseStorage(Storage):
    """Fixed-window counters in the portal's own database (the `limits` storage interface)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._swept = 0.0
        self._lock = threading.Lock()

    @property
    def base_exceptions(self):
        return PeeweeException

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = _now()
        C = RateLimitCounter
        fresh = C.expires_at <= now  # the stored window has ended: start a new one
        query = (C.insert(key=key, hits=amount, expires_at=now + int(expiry))
                 .on_conflict(conflict_target=[C.key],
                              update={C.hits: Case(None, [(fresh, EXCLUDED.hits)], C.hits + EXCLUDED.hits),
                                      C.expires_at: Case(None, [(fresh, EXCLUDED.expires_at)], C.expires_at)})
                 .returning(C.hits))
        with _Connected():
            hits = query.tuples().execute()[0][0]
            self._sweep(now)
        return int(hits)

    def get(self, key: str) -> int:
        C = RateLimitCounter
        with _Connected():
            row = C.select(C.hits).where((C.key == key) & (C.expires_at > _now())).tuples().first()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        C = RateLimitCounter
        with _Connected():
            row = C.select(C.expires_at).where((C.key == key) & (C.expires_at > _now())).tuples().first()
        return float(row[0]) if row else float(_now())

    def check(self) -> bool:
        try:
            with _Connected():
                db.execute_sql("SELECT 1")
            return True
        except PeeweeException:
            return False

    def reset(self) -> int | None:
        with _Connected():
            return RateLimitCounter.delete().execute()

    def clear(self, key: str) -> None:
        with _Connected():
            RateLimitCounter.delete().where(RateLimitCounter.key == key).execute()

    def _sweep(self, now: int) -> None:
        mono = time.monotonic()
        if mono - self._swept < SWEEP_SECONDS:
            return
        with self._lock:
            if mono - self._swept < SWEEP_SECONDS:
                return
            self._swept = mono
        RateLimitCounter.delete().where(RateLimitCounter.expires_at <= now).execute()


# --- the day's salt and hashed client keys -------------------------------------------------------

def day_salt(day=None) -> str:
    """The random salt of `day` (today by default), created by whichever worker needs it first; older
    salts are deleted on the way. Read from the database (once per request): a process-wide cache could
    outlive the row and split the workers' keys."""
    from flask import g, has_request_context
    day = day or clock.today()
    cached = g.get("_rate_salt") if has_request_context() else None
    if cached and cached[0] == day:
        return cached[1]
    S = RateLimitSalt
    with _Connected():
        salt = S.select(S.salt).where(S.day == day).scalar()
        if salt is None:
            S.insert(day=day, salt=secrets.token_hex(32)).on_conflict_ignore().execute()
            salt = S.select(S.salt).where(S.day == day).scalar()
            S.delete().where(S.day < day).execute()
    if has_request_context():
        g._rate_salt = (day, salt)
    return salt


def keyed_hash(value: str, purpose: str) -> str:
    """HMAC of `value` under today's key: stable across workers and servers for one day, unlinkable after."""
    from flask import current_app
    day_key = hmac.new(current_app.secret_key.encode() if isinstance(current_app.secret_key, str)
                       else current_app.secret_key, day_salt().encode(), hashlib.sha256).digest()
    return hmac.new(day_key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()[:40]


def address_key() -> str:
    """The rate-limit key of the current client: its address, hashed with the day's key."""
    from flask import request
    return "a-" + keyed_hash(request.remote_addr or "unknown", "addr")


def storage() -> DatabaseStorage:
    """A storage object for the portal's own counters (login attempts), whatever Flask-Limiter uses."""
    global _storage
    if _storage is None:
        _storage = DatabaseStorage()
    return _storage


_storage: DatabaseStorage | None = None
