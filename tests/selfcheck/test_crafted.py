"""Crafted requests never cause a 500: every endpoint answers 4xx with a Chinese message."""
import datetime as dt

import pytest

from portal.selfcheck import service
from tests.conftest import AuthActions
from tests.factories import make_department, make_user
from tests.selfcheck.helpers import fill_all, setup, version_of

GARBAGE = ["", "0", "-1", "99999999999999999999", "abc", "１２", "<script>", "a" * 5000, "../"]


@pytest.fixture
def world(ctx, travel, app):
    travel(dt.datetime(2026, 11, 20, 10, 0))
    c, cl = setup()
    d = make_department("财务科")
    staff = make_user(department=d)
    head = make_user(department=d, roles=("dept_head", "staff"))
    sc_client = app.test_client()
    AuthActions(sc_client).login(staff)
    fill_all(sc_client, cl, staff)
    sc_client.hx_post("/selfcheck/submit", data={"draft_version": str(version_of(staff))})
    h = app.test_client()
    AuthActions(h).login(head)
    return c, cl, staff, head, sc_client, h, service.find(staff, c)


def test_garbage_everywhere_is_4xx(world):
    for value in GARBAGE:
        _check(world, value)


def _check(world, value):
    c, cl, staff, head, s, h, sc = world
    it = cl.steps[0].items[0].id
    checks = [
        s.hx_post("/selfcheck/step/1/autosave", data={"draft_version": value, f"a-{it}": value}),
        s.hx_post("/selfcheck/step/1", data={"draft_version": value, "action": value}),
        s.hx_post("/selfcheck/submit", data={"draft_version": value}),
        s.get(f"/selfcheck/{sc.id}/diff?a={value}&b={value}"),
        h.post(f"/selfcheck/{sc.id}/review", data={"outcome": value, "comment": value, "expected_version": value}),
        h.get(f"/selfcheck/department?dept={value}"),
        h.get(f"/selfcheck/report?dept={value}&period={value}"),
        h.post(f"/selfcheck/report?period={value}", data={"narrative": value, "action": value}),
        s.hx_post(f"/selfcheck/step/1/autosave", data={f"p-{it}-{value}-description": "x", f"k-{it}": value}),
    ]
    for r in checks:
        assert r.status_code < 500, (r.request.path, r.status_code)
