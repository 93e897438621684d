"""Every role gets a home page that names their role; navigation only links to what exists."""
import pytest

from portal.permissions import ROLES
from tests.factories import make_department, make_user


@pytest.mark.parametrize("role", sorted(ROLES))
def test_home_page_per_role(client, auth, ctx, role):
    dept = make_department()
    roles = (role,) if role in ("sysadmin", "secadmin", "auditor", "staff") else (role, "staff")
    user = make_user(f"u-{role}", dept, roles=roles, charges=[dept] if role == "leader" else ())
    auth.login(user)
    r = client.get("/")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert ROLES[role] in body and user.real_name in body
    # every navigation link resolves
    import re
    for href in set(re.findall(r'<nav class="mainnav".*?</nav>', body, re.S)[0].split('href="')[1:]):
        url = href.split('"')[0]
        assert client.get(url).status_code == 200, url


def test_home_requires_login(client):
    r = client.get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
