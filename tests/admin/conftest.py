"""Fixtures for the administration tests: one logged-in administrator per role."""
import pytest

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
