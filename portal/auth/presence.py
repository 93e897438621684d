"""Who is signed in (在线用户) and forced sign-out (强制下线).

A sign-in stores the account's session token with the time; activity refreshes `last_seen` at most once a
minute. An account is online while its stored token is still the account's session token and it was seen
within the idle timeout. Forcing someone out changes the session token: every copy of their session cookie
stops working at its next request (web.load_user compares the token), on every worker and server.
"""
import datetime as dt

from flask import session
from flask_login import current_user

from .. import audit, clock
from ..extensions import db
from ..models import Department, User
from ..models.org import new_session_token
from ..models.security import UserPresence
from . import policy

SEEN_KEY = "presence_seen"



def signed_in(user) -> None:
    now = clock.now()
    (UserPresence.insert(user=user.id, token=user.session_token, since=now, last_seen=now)
     .on_conflict(conflict_target=[UserPresence.user],
                  update={UserPresence.token: user.session_token, UserPresence.since: now,
                          UserPresence.last_seen: now})
     .execute())
    session[SEEN_KEY] = now.timestamp()


def signed_out(user) -> None:
    UserPresence.delete().where(UserPresence.user == user.id).execute()


def touch() -> None:
    """Called on every request: refresh the signed-in person's last activity at most once a minute."""
    if not current_user.is_authenticated:
        return
    now = clock.now()
    last = session.get(SEEN_KEY)
    if last is not None and now.timestamp() - last < 60:
        return
    updated = (UserPresence.update(last_seen=now)
               .where((UserPresence.user == current_user.id)
                      & (UserPresence.token == current_user.session_token)).execute())
    if not updated:  # signed in before presence was kept, or on another token: start the row now
        signed_in(current_user)
    session[SEEN_KEY] = now.timestamp()


def online_query():
    """(presence, user, department) of everyone signed in and active within the idle timeout."""
    since = clock.now() - dt.timedelta(minutes=policy.idle_timeout_minutes())
    return (UserPresence.select(UserPresence, User, Department)
            .join(User, on=(UserPresence.user == User.id))
            .join(Department, on=(User.department == Department.id))
            .where((UserPresence.token == User.session_token) & (UserPresence.last_seen >= since)
                   & (User.is_active_flag == True))  # noqa: E712
            .order_by(UserPresence.last_seen.desc()))


def force_sign_out(actor, user) -> None:
    with db.atomic():
        User.update(session_token=new_session_token()).where(User.id == user.id).execute()
        UserPresence.delete().where(UserPresence.user == user.id).execute()
        audit.record("force_logout", "user", user.id, actor=actor, detail={"username": user.username})
