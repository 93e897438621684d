"""The shared errors (portal/errors.py): one handler answers a page or an htmx fragment, in Chinese, with
the view's own template when it named one; a denied GET is audited in every area; one paginator."""
import pytest
from flask import request

from portal import errors, htmx
from portal.models import AuditRecord, Notice
from portal.paging import paginate
from tests.factories import make_department, make_user


@pytest.fixture
def routes(app):
    """A few views raising the shared errors (added before the first request)."""
    def refused():
        raise errors.Refused("该操作应由领导小组办公室办理。", status=409)

    def invalid():
        errors.shown_in("errors/error.html", "errors/_error.html",
                        context=lambda e: {"code": e.status, "title": "内容有误", "message": e.fields["name"]})
        raise errors.Invalid("请按提示修改。", fields={"name": "请填写名称"})

    def conflict():
        raise errors.VersionConflict(current="v7")

    def busy():
        raise errors.Busy()

    def typed():
        errors.shown_in(None, "errors/_error.html",
                        context=lambda e: {"code": e.status, "title": "t", "message": request.form["note"]})
        raise errors.Invalid()

    for name, fn in {"refused": refused, "invalid": invalid, "conflict": conflict, "busy": busy,
                     "typed": typed}.items():
        app.add_url_rule(f"/_t/{name}", name, fn, methods=["GET", "POST"])
    return app


def test_page_or_fragment_with_the_status_and_the_chinese_message(routes, client):
    r = client.get("/_t/refused")
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "<html" in html and "该操作应由领导小组办公室办理。" in html
    r = client.hx_get("/_t/refused")
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "<html" not in html and "data-error-message" in html
    r = client.get("/_t/conflict")
    assert r.status_code == 409 and "已被他人修改" in r.get_data(as_text=True)
    r = client.hx_get("/_t/busy")
    assert r.status_code == 503 and r.headers["Retry-After"] == "2" and "系统繁忙" in r.get_data(as_text=True)


def test_the_view_names_its_partial_and_the_input_stays(routes, client):
    r = client.hx_get("/_t/invalid")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "请填写名称" in html and "<html" not in html
    assert "<html" in client.get("/_t/invalid").get_data(as_text=True)  # the page for a plain request
    r = client.hx_post("/_t/typed", data={"note": "我填写的内容"})
    assert r.status_code == 422 and "我填写的内容" in r.get_data(as_text=True)
    assert "HX-Request" in r.headers["Vary"]


def test_the_error_classes():
    assert (errors.Refused().status, errors.Invalid().status, errors.Conflict().status,
            errors.NotFound().status, errors.Busy().status) == (403, 422, 409, 404, 503)
    assert errors.Refused().message == "您没有权限查看或操作此内容。"
    e = errors.VersionConflict(current="v2")
    assert isinstance(e, errors.Conflict) and e.current == "v2" and e.status_code == 409
    from portal import problems
    from portal.clues import service as clues
    assert problems.VersionConflict is clues.VersionConflict is errors.VersionConflict


def test_htmx_trigger_is_json_and_merges(app):
    with app.test_request_context("/"):
        resp = app.response_class("")
        resp.headers["HX-Trigger"] = "old-event"
        htmx.toast(htmx.trigger(resp, "ledger-changed"), "已保存")
        import json
        assert json.loads(resp.headers["HX-Trigger"]) == {
            "old-event": True, "ledger-changed": True, "toast": {"text": "已保存", "kind": "success"}}
        assert resp.headers["HX-Trigger"].isascii()


def _denials(user):
    return AuditRecord.select().where((AuditRecord.action == "access_denied")
                                      & (AuditRecord.actor_id == user.id)).count()


@pytest.mark.parametrize("area, who, path", [
    ("admin", "staff", "/admin/"),
    ("selfcheck", "sysadmin", "/selfcheck/"),
    ("selfcheck", "staff", "/selfcheck/department"),
    ("clues", "staff", "/clues/"),
    ("ledger", "sysadmin", "/ledger/"),
    ("documents", "staff", "/documents/"),
    ("inspections", "staff", "/inspections/"),
    ("dashboard", "staff", "/dashboard/"),
    ("reports", "staff", "/reports/"),
    ("notices", "staff", "/notices/{notice}/open"),
])
def test_a_denied_get_is_audited_in_every_area(client, auth, ctx, area, who, path):
    dept = make_department()
    users = {"staff": make_user(department=dept), "sysadmin": make_user(department=dept, roles=("sysadmin",))}
    other = make_user(department=dept)
    notice = Notice.create(user=other, kind="info", text="别人的通知", url="/")
    user = users[who]
    auth.login(user)
    before = _denials(user)
    r = client.get(path.format(notice=notice.id))
    assert r.status_code in (403, 404), area
    assert _denials(user) == before + 1, area


def test_one_paginator_clamps_the_page(ctx):
    dept = make_department()
    for _ in range(5):
        make_user(department=dept)
    from portal.models import User
    q = User.select().where(User.department == dept).order_by(User.id)
    pg = paginate(q, "9", size=2)
    assert (pg.total, pg.pages, pg.page, len(pg.rows), pg.offset) == (5, 3, 3, 1, 4)
    assert paginate(q, "x", size=2).page == 1 and paginate(q, -3, size=2).page == 1
    assert paginate(User.select().where(User.id < 0), 4).rows == []
