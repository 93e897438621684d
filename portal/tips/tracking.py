"""The reporter's follow-up session (/tips/track), held on the server.

The browser's session cookie carries only a random token; the database keeps its SHA-256 with the tip
and two expiry times (to the minute): an idle expiry that slides while the reporter reads and writes
(TIPS_TRACK_MINUTES) and an absolute end (TIPS_TRACK_MAX_MINUTES). "结束查询" deletes the row, so a copy
of the cookie no longer opens anything; expired rows are deleted whenever a session is looked up.
"""
import datetime as dt
import hashlib
import secrets

from flask import current_app, session

from .. import clock
from ..models.tip import Tip, TrackSession

TRACK_KEY = "tip_track"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _minute_after(minutes: int) -> dt.datetime:
    t = clock.now() + dt.timedelta(minutes=minutes)
    return t.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)


def _idle() -> int:
    return int(current_app.config["TIPS_TRACK_MINUTES"])


def clean_expired() -> int:
    now = clock.now()
    return TrackSession.delete().where((TrackSession.expires_at < now) | (TrackSession.ends_at < now)).execute()


def start(tip: Tip) -> None:
    end()  # a browser holds one follow-up session at a time
    clean_expired()
    token = secrets.token_urlsafe(32)
    TrackSession.create(token_hash=_hash(token), tip=tip, expires_at=_minute_after(_idle()),
                        ends_at=_minute_after(int(current_app.config["TIPS_TRACK_MAX_MINUTES"])))
    session[TRACK_KEY] = token


def current() -> Tip | None:
    """The tip of this browser's live follow-up session, or None (and the cookie entry is dropped)."""
    token = session.get(TRACK_KEY)
    if not isinstance(token, str) or not token:
        session.pop(TRACK_KEY, None)
        return None
    clean_expired()
    row = (TrackSession.select(TrackSession, Tip).join(Tip)
           .where(TrackSession.token_hash == _hash(token)).first())
    if row is None or row.tip.purged_on is not None:
        session.pop(TRACK_KEY, None)
        return None
    new_expiry = min(_minute_after(_idle()), row.ends_at)
    if new_expiry != row.expires_at:
        TrackSession.update(expires_at=new_expiry).where(TrackSession.token_hash == row.token_hash).execute()
    return row.tip


def end() -> None:
    token = session.pop(TRACK_KEY, None)
    if isinstance(token, str) and token:
        TrackSession.delete().where(TrackSession.token_hash == _hash(token)).execute()


def end_all(tip: Tip) -> int:
    return TrackSession.delete().where(TrackSession.tip == tip).execute()
