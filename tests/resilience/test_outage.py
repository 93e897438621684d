"""A PostgreSQL outage answered calmly: connections cut under the pool are replaced, refused connections
answer 503 "系统繁忙，请稍后重试" with a page that needs no database, and the portal recovers by itself.

The portal runs as a dedicated non-superuser role (a superuser ignores CONNECTION LIMIT); the outage is
made by a superuser through psql: pg_terminate_backend on the role's sessions, CONNECTION LIMIT 0."""
import pytest

from portal import create_app
from portal.extensions import db
from tests.conftest import DB_URL, PortalClient, base_config
from tests.factories import PASSWORD, make_user

from . import pgadmin

PG = bool(DB_URL and DB_URL.startswith("postgres"))
pytestmark = pytest.mark.skipif(not (PG and pgadmin.can_psql()), reason="needs PostgreSQL and psql as postgres")


@pytest.fixture
def outage_app(ctx, db_url, tmp_path):
    role = pgadmin.database_of(db_url) + "_outage"
    user = make_user("outage-staff", roles=("staff",))
    url = pgadmin.app_role(db_url, role, "Outage-2026")
    app = create_app(base_config(url, tmp_path / "outage-instance"))
    app.test_client_class = PortalClient
    app.role, app.user = role, user
    yield app
    pgadmin.connection_limit(role, -1)
    db.obj.close_all()
    pgadmin.drop_role(db_url, role)


def _login(client, user):
    r = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert r.status_code == 302, r.get_data(as_text=True)[:400]


def test_connections_cut_under_the_pool_are_replaced(outage_app):
    client = outage_app.test_client()
    _login(client, outage_app.user)
    assert client.get("/").status_code == 200
    assert pgadmin.terminate(outage_app.role) >= 1  # the pooled, idle connection is gone on the server
    for _ in range(3):
        r = client.get("/")
        assert r.status_code == 200, r.get_data(as_text=True)[:300]


def test_a_connection_cut_in_the_middle_of_a_request_answers_503_not_500(outage_app):
    """The server goes away after the request took its connection: that request answers 503, the dead
    connection is not handed out again, the next request works."""
    client = outage_app.test_client()
    _login(client, outage_app.user)
    cut = {"now": False}

    def cut_after_connect():
        if cut["now"]:
            cut["now"] = False
            pgadmin.terminate(outage_app.role)
    funcs = outage_app.before_request_funcs[None]
    funcs.insert(next(i for i, f in enumerate(funcs) if f.__name__ == "_connect") + 1, cut_after_connect)
    cut["now"] = True
    r = client.get("/")
    assert r.status_code == 503 and "系统繁忙，请稍后重试" in r.get_data(as_text=True)
    assert client.get("/").status_code == 200


def test_refused_connections_answer_503_and_the_portal_recovers(outage_app):
    client = outage_app.test_client()
    _login(client, outage_app.user)
    assert client.get("/").status_code == 200
    pgadmin.connection_limit(outage_app.role, 0)
    pgadmin.terminate(outage_app.role)

    r = client.get("/")
    assert r.status_code == 503
    page = r.get_data(as_text=True)
    assert "系统繁忙，请稍后重试" in page and "<html" in page
    assert r.headers["Retry-After"]
    r = client.hx_get("/selfcheck/")
    assert r.status_code == 503 and "系统繁忙，请稍后重试" in r.get_data(as_text=True)
    assert "<html" not in r.get_data(as_text=True)  # a fragment for htmx
    r = client.hx_post("/selfcheck/step/1/autosave", data={"draft_version": "0"})
    assert r.status_code == 503
    assert client.get("/login").status_code == 503  # anonymous pages too, never a 500
    assert client.get("/static/css/portal.css").status_code == 200  # the error page keeps its style
    r = client.get("/healthz")
    assert r.status_code == 503 and r.get_json()["checks"]["database"]["detail"] == "unreachable"

    pgadmin.connection_limit(outage_app.role, -1)  # the database is back: no restart needed
    r = client.get("/")
    assert r.status_code == 200 and "outage-staff" not in r.headers.get("Location", "")
    assert client.get("/healthz").status_code == 200
