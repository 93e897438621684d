from tests.factories import make_user


def test_login_and_home(client, auth, ctx):
    user = make_user(roles=("staff",))
    r = auth.login(user)
    assert r.status_code == 302
    r = client.get("/")
    assert r.status_code == 200
    assert user.real_name in r.get_data(as_text=True)
    assert "干部职工" in r.get_data(as_text=True)
