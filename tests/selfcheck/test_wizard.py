"""The wizard: autosave, resume, per-step validation, limits, tampering, stale tabs, deadline."""
import datetime as dt

import pytest

from portal.models import AuditRecord, Campaign
from portal.models.selfcheck import SelfCheck, SelfCheckAnswer, SelfCheckProblem
from portal.selfcheck import service
from tests.factories import make_user
from tests.selfcheck.helpers import key, setup, step_data, version_of


@pytest.fixture
def staff(ctx, travel, auth):
    travel(dt.datetime(2026, 11, 20, 10, 0))
    c, cl = setup()
    u = make_user(roles=("staff",))
    auth.login(u)
    return u, c, cl


def test_index_shows_status_and_deadline(client, staff):
    r = client.get("/selfcheck/")
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "未开始" in body and "2026年12月20日" in body and "已作答 0 / 20 项" in body


def test_autosave_stores_draft_and_reports_time(client, staff):
    u, c, cl = staff
    client.get("/selfcheck/step/1")
    it = cl.steps[0].items[0]
    k = key()
    data = step_data(cl, 1, version_of(u), {it.id: [(k, {})]})
    r = client.hx_post("/selfcheck/step/1/autosave", data=data)
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "已保存 10:00" in body
    assert 'id="draft-version"' in body and 'hx-swap-oob="true"' in body
    assert "已作答 <b>3</b> / 20 项" in body
    sc = service.find(u, c)
    assert sc.status == "draft" and sc.draft_version == 1
    p = SelfCheckProblem.get(SelfCheckProblem.key == k)
    assert p.description.startswith("工作中存在拖延") and p.deadline == "2026-12-31"
    assert SelfCheckAnswer.select().where(SelfCheckAnswer.selfcheck == sc.id).count() == 3


def test_resume_at_last_step_with_values(client, staff, app):
    u, c, cl = staff
    client.get("/selfcheck/step/1")
    client.hx_post("/selfcheck/step/1", data=dict(step_data(cl, 1, version_of(u)), action="next"))
    it = cl.steps[1].items[1]
    k = key()
    client.hx_post("/selfcheck/step/2/autosave",
                   data=step_data(cl, 2, version_of(u), {it.id: [(k, {"description": "缺乏钉钉子精神的具体表现"})]}))
    # another browser, another day
    other = app.test_client()
    from tests.conftest import AuthActions
    AuthActions(other).login(u)
    r = other.get("/selfcheck/wizard")
    assert r.status_code == 302 and r.headers["Location"].endswith("/selfcheck/step/2")
    body = other.get("/selfcheck/step/2").get_data(as_text=True)
    assert "缺乏钉钉子精神的具体表现" in body
    assert f'name="p-{it.id}-{k}-deadline" id="p-{it.id}-{k}-deadline" value="2026-12-31"' in body


def test_next_refused_with_field_errors_and_nothing_lost(client, staff):
    u, c, cl = staff
    client.get("/selfcheck/step/1")
    it = cl.steps[0].items[0]
    k = key()
    data = step_data(cl, 1, version_of(u), {it.id: [(k, {"measure": "", "deadline": ""})]})
    data["action"] = "next"
    r = client.hx_post("/selfcheck/step/1", data=data)
    body = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "请填写整改措施" in body and "请填写整改时限" in body
    assert "工作中存在拖延现象" in body  # what was typed is still there
    sc = service.find(u, c)
    assert sc.current_step == 1
    assert SelfCheckProblem.get(SelfCheckProblem.key == k).description  # and saved as draft


def test_unanswered_item_blocks_next(client, staff):
    u, c, cl = staff
    it = cl.steps[0].items[2]
    data = step_data(cl, 1, version_of(u), blank=(it.id,))
    data["action"] = "next"
    r = client.hx_post("/selfcheck/step/1", data=data)
    assert r.status_code == 422
    assert "请作答" in r.get_data(as_text=True)


def test_next_moves_on_and_pushes_url(client, staff):
    u, c, cl = staff
    data = step_data(cl, 1, version_of(u))
    data["action"] = "next"
    r = client.hx_post("/selfcheck/step/1", data=data)
    assert r.status_code == 200
    assert r.headers["HX-Push-Url"].endswith("/selfcheck/step/2")
    assert "第 2 步" in r.get_data(as_text=True)
    # without JS: a redirect
    data = step_data(cl, 2, version_of(u))
    data["action"] = "next"
    r = client.post("/selfcheck/step/2", data=data)
    assert r.status_code == 303 and r.headers["Location"].endswith("/selfcheck/step/3")


@pytest.mark.parametrize("over,message", [
    ({"description": "字" * 501}, "问题描述不能超过 500 字"),
    ({"measure": "措" * 600}, "整改措施不能超过 500 字"),
    ({"deadline": "2027-03-01"}, "整改时限须在活动期间内"),
    ({"deadline": "2026-10-31"}, "整改时限须在活动期间内"),
    ({"deadline": "2026-13-45"}, "整改时限不是有效日期"),
    ({"deadline": "tomorrow"}, "整改时限不是有效日期"),
])
def test_invalid_values_are_kept_as_typed_with_their_message(client, staff, over, message):
    # issue 17 §4: an invalid value no longer refuses the save; it is kept as typed, with its message
    u, c, cl = staff
    it = cl.steps[0].items[0]
    k = key()
    r = client.hx_post("/selfcheck/step/1/autosave", data=step_data(cl, 1, version_of(u), {it.id: [(k, over)]}))
    assert r.status_code == 422
    assert message in r.get_data(as_text=True) and "已保存" in r.get_data(as_text=True)
    field, typed = next(iter(over.items()))
    assert getattr(SelfCheckProblem.get(SelfCheckProblem.key == k), field) == typed
    data = step_data(cl, 1, version_of(u), {it.id: [(k, over)]})
    data["action"] = "save"
    r = client.hx_post("/selfcheck/step/1", data=data)
    assert r.status_code == 422 and message in r.get_data(as_text=True)
    assert list(over.values())[0] in r.get_data(as_text=True)  # kept on the page


def test_unknown_aspect_and_answer_are_422(client, staff):
    u, c, cl = staff
    it = cl.steps[0].items[0]
    k = key()
    data = step_data(cl, 1, version_of(u), {it.id: [(k, {})]})
    data[f"p-{it.id}-{k}-aspect"] = "99999"
    assert client.hx_post("/selfcheck/step/1/autosave", data=data).status_code == 422
    data = step_data(cl, 1, version_of(u))
    data[f"a-{it.id}"] = "maybe"
    assert client.hx_post("/selfcheck/step/1/autosave", data=data).status_code == 422


def test_foreign_item_refused_and_audited(client, staff):
    u, c, cl = staff
    other_step_item = cl.steps[3].items[0]
    data = step_data(cl, 1, version_of(u))
    data[f"a-{other_step_item.id}"] = "no_problem"
    r = client.hx_post("/selfcheck/step/1/autosave", data=data)
    assert r.status_code == 400
    assert AuditRecord.select().where(AuditRecord.action == "selfcheck_tamper").count() == 1
    # an item of another campaign
    import json
    from portal import campaigns
    raw = campaigns.read_file(campaigns.DEFAULT_FILE)
    raw["code"] = "other-campaign"
    c2, _ = campaigns.load(raw, activate=False)
    foreign = service.checklist(c2).steps[0].items[0]
    data = step_data(cl, 1, version_of(u))
    data[f"p-{foreign.id}-{key()}-description"] = "x"
    assert client.hx_post("/selfcheck/step/1", data=data).status_code == 400
    assert Campaign.active().id == c.id
    del json


def test_bad_key_and_bad_step_are_4xx(client, staff):
    u, c, cl = staff
    it = cl.steps[0].items[0]
    data = step_data(cl, 1, version_of(u))
    data.add(f"k-{it.id}", "../../etc")
    assert client.hx_post("/selfcheck/step/1/autosave", data=data).status_code == 400
    assert client.get("/selfcheck/step/9").status_code == 404
    assert client.get("/selfcheck/step/0").status_code == 404
    assert client.hx_post("/selfcheck/step/7/autosave", data={}).status_code == 405
    r = client.hx_post("/selfcheck/step/1", data=dict(step_data(cl, 1, 0), action="goto-99"))
    assert r.status_code == 400
    r = client.hx_post("/selfcheck/step/1", data=dict(step_data(cl, 1, 0), action="explode"))
    assert r.status_code == 400
    assert client.hx_post("/selfcheck/step/1/autosave", data={"draft_version": "abc"}).status_code in (200, 409)


def test_missing_csrf_is_400(client, staff):
    u, c, cl = staff
    r = client.post("/selfcheck/step/1/autosave", data=step_data(cl, 1, 0), csrf=False)
    assert r.status_code == 400


def test_stale_tab_refused_newer_kept(client, staff):
    u, c, cl = staff
    it = cl.steps[0].items[0]
    k = key()
    v0 = version_of(u)
    r = client.hx_post("/selfcheck/step/1/autosave",
                       data=step_data(cl, 1, v0, {it.id: [(k, {"description": "第一个窗口的较新内容"})]}))
    assert r.status_code == 200
    # the second tab still holds version v0
    r = client.hx_post("/selfcheck/step/1/autosave",
                       data=step_data(cl, 1, v0, {it.id: [(k, {"description": "第二个窗口的旧内容"})]}))
    assert r.status_code == 409
    assert "其他窗口" in r.get_data(as_text=True)
    assert SelfCheckProblem.get(SelfCheckProblem.key == k).description == "第一个窗口的较新内容"
    data = step_data(cl, 1, v0, {it.id: [(k, {"description": "第二个窗口的旧内容"})]})
    data["action"] = "next"
    r = client.hx_post("/selfcheck/step/1", data=data)
    assert r.status_code == 409 and "第二个窗口的旧内容" in r.get_data(as_text=True)
    assert SelfCheckProblem.get(SelfCheckProblem.key == k).description == "第一个窗口的较新内容"


def test_add_and_remove_rows_without_js(client, staff):
    u, c, cl = staff
    it = cl.steps[0].items[0]
    k = key()
    data = step_data(cl, 1, version_of(u), {it.id: [(k, {})]})
    data["action"] = f"add-{it.id}"
    r = client.post("/selfcheck/step/1", data=data)
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    assert body.count(f'name="k-{it.id}"') == 2 + 1  # saved row, new blank row, template row
    data = step_data(cl, 1, version_of(u), {it.id: [(k, {})]})
    data["action"] = f"remove-{k}"
    client.post("/selfcheck/step/1", data=data)
    assert not SelfCheckProblem.select().where(SelfCheckProblem.key == k).exists()


def test_removed_problem_row_deleted_from_draft(client, staff):
    u, c, cl = staff
    it = cl.steps[0].items[0]
    k1, k2 = key(), key()
    client.hx_post("/selfcheck/step/1/autosave", data=step_data(cl, 1, version_of(u), {it.id: [(k1, {}), (k2, {})]}))
    assert SelfCheckProblem.select().count() == 2
    client.hx_post("/selfcheck/step/1/autosave", data=step_data(cl, 1, version_of(u), {it.id: [(k2, {})]}))
    assert [p.key for p in SelfCheckProblem.select()] == [k2]


def test_key_of_another_item_refused(client, staff):
    u, c, cl = staff
    it1 = cl.steps[0].items[0]
    it2 = cl.steps[1].items[0]
    k = key()
    client.hx_post("/selfcheck/step/1/autosave", data=step_data(cl, 1, version_of(u), {it1.id: [(k, {})]}))
    r = client.hx_post("/selfcheck/step/2/autosave", data=step_data(cl, 2, version_of(u), {it2.id: [(k, {})]}))
    assert r.status_code == 400
    assert SelfCheckProblem.get(SelfCheckProblem.key == k).item_id == it1.id


def test_deadline_makes_wizard_read_only_until_reopened(client, staff, travel, auth, app):
    u, c, cl = staff
    client.hx_post("/selfcheck/step/1/autosave", data=step_data(cl, 1, version_of(u)))
    travel(dt.datetime(2026, 12, 21, 9, 0))
    client.get("/")  # the session idled out overnight
    auth.login(u)
    body = client.get("/selfcheck/step/1").get_data(as_text=True)
    assert "现为只读" in body and "<fieldset class=\"wz-fields\" disabled" in body
    r = client.hx_post("/selfcheck/step/1/autosave", data=step_data(cl, 1, version_of(u)))
    assert r.status_code == 409 and "截止" in r.get_data(as_text=True)
    # the discipline office reopens it for this person
    disc = make_user(roles=("discipline", "staff"))
    other = app.test_client()
    from tests.conftest import AuthActions
    AuthActions(other).login(disc)
    sc = service.find(u, c)
    r = other.post(f"/selfcheck/{sc.id}/reopen")
    assert r.status_code == 303, r.get_data(as_text=True)
    assert SelfCheck.get_by_id(sc.id).reopened_by_discipline
    r = client.hx_post("/selfcheck/step/1/autosave", data=step_data(cl, 1, version_of(u)))
    assert r.status_code == 200


def test_non_business_roles_cannot_fill(client, ctx, auth):
    setup()
    admin = make_user(roles=("auditor",))
    auth.login(admin)
    assert client.get("/selfcheck/step/1").status_code == 403
    assert client.get("/selfcheck/").status_code == 403


def test_no_active_campaign_pages_still_answer(client, ctx, auth):
    head = make_user(roles=("dept_head", "staff"))
    auth.login(head)
    for url in ("/selfcheck/", "/selfcheck/department"):
        r = client.get(url)
        assert r.status_code == 200 and "当前没有进行中的整顿活动" in r.get_data(as_text=True)
    assert client.get("/selfcheck/step/1").status_code == 404
