"""Fixtures for the administration tests: one logged-in administrator per role."""
import pytest
from flask import g

from tests.factories import make_department, make_user


@pytest.fixture
def office(ctx):
    return make_department("办公室")


@pytest.fixture
def sysadmin(ctx, client, auth, office):
    user = make_user("sys", office, roles=("sysadmin",), real_name="钱志远")
    assert auth.login(user).status_code == 302
    return user


@pytest.fixture
def login_as(ctx, client, auth, office):
    """login_as("auditor") creates a user with that role and logs them in."""
    def make(*roles, username=None):
        user = make_user(username or f"u-{'-'.join(roles)}", office, roles=roles)
        auth.logout()
        assert auth.login(user).status_code == 302
        return user
    return make


@pytest.fixture(autouse=True)
def _fresh_request_globals(app):
    """The `ctx` fixture keeps one app context pushed for the whole test, and Flask reuses it for every
    test-client request, so `g` (Flask-Login's cached user, Flask-WTF's token) would leak from one
    request -- and one client -- to the next. Production gets a fresh context per request; so do we."""
    def clear():
        g.__dict__.clear()
    app.before_request_funcs.setdefault(None, []).insert(0, clear)
    yield
