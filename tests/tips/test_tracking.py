"""The reporter's follow-up session is held on the server: ending it revokes every copy of the cookie,
and it is short (idle and absolute limits)."""
import datetime as dt

from portal.models.tip import TrackSession

from .util import submit


def _tracked(app, client):
    _, code, pw = submit(client)
    r = client.post("/tips/track", data={"code": code, "password": pw})
    assert r.status_code == 302 and r.headers["Location"].endswith("/tips/track/status")
    return code, pw


def _copy_of(app, client):
    name = app.config.get("SESSION_COOKIE_NAME", "session")
    other = app.test_client()
    other.set_cookie(name, client.get_cookie(name).value)
    return other


def test_ending_the_session_revokes_a_copied_cookie(app, client, ctx):
    _tracked(app, client)
    thief = _copy_of(app, client)
    assert thief.get("/tips/track/status").status_code == 200  # a copy works while the session lives ...
    r = client.post("/tips/track/end")
    assert r.status_code == 302
    assert client.get("/tips/track/status").status_code == 302
    r = thief.get("/tips/track/status")  # ... and not after the reporter ended it
    assert r.status_code == 302 and r.headers["Location"].endswith("/tips/track")
    assert TrackSession.select().count() == 0


def test_the_session_is_short(app, client, ctx, travel):
    start = dt.datetime(2026, 12, 3, 10, 0, 7)
    travel(start)
    _tracked(app, client)
    row = TrackSession.get()
    assert row.expires_at.second == 0 and row.ends_at.second == 0  # kept to the minute only
    travel(start + dt.timedelta(minutes=14))
    assert client.get("/tips/track/status").status_code == 200
    travel(start + dt.timedelta(minutes=14 + 17))  # idle longer than TIPS_TRACK_MINUTES
    assert client.get("/tips/track/status").status_code == 302
    assert TrackSession.select().count() == 0  # the expired row is gone, not just ignored


def test_an_active_session_still_ends_after_its_absolute_limit(app, client, ctx, travel):
    start = dt.datetime(2026, 12, 3, 10, 0, 0)
    travel(start)
    _tracked(app, client)
    for minutes in range(10, 61, 10):  # the reporter keeps reading every ten minutes
        travel(start + dt.timedelta(minutes=minutes))
        assert client.get("/tips/track/status").status_code == 200, minutes
    travel(start + dt.timedelta(minutes=62))
    assert client.get("/tips/track/status").status_code == 302
