import pytest

from tests import ldap_server


@pytest.fixture(scope="session")
def slapd_server():
    """A private slapd for the session (tests/ldap_server.py), stopped at the end."""
    if not ldap_server.available():
        pytest.skip(f"{ldap_server.SLAPD} is absent: install Debian's slapd and ldap-utils (make deps-test)")
    server = ldap_server.Slapd().start()
    yield server
    server.stop()


@pytest.fixture
def directory(app, slapd_server):
    """Directory sign-in switched on against the private slapd."""
    app.config.update(slapd_server.config())
    return slapd_server
