"""The wizard never drops what was typed (issue 17 §4): one invalid value on a step does not block saving
the others; it is kept in the draft exactly as typed, with its message, also after a reload; submitting
is what refuses it. The status box around the autosave state is announced (role=status, aria-live)."""
import datetime as dt
import re

import pytest

from portal.models.selfcheck import SelfCheckAnswer, SelfCheckProblem, SelfCheckVersion
from portal.selfcheck import service
from tests.factories import make_user
from tests.selfcheck.helpers import fill_all, key, setup, step_data, version_of

TYPED = "2026年12月31日"  # how people write a date by hand, 11 characters


@pytest.fixture
def staff(ctx, travel, auth):
    travel(dt.datetime(2026, 11, 20, 10, 0))
    c, cl = setup()
    u = make_user(roles=("staff",))
    auth.login(u)
    return u, c, cl


def _two_problems(cl, bad_deadline):
    first, second = cl.steps[0].items[0], cl.steps[0].items[1]
    kb, kg = key(), key()
    return first, second, kb, kg, {first.id: [(kb, {"deadline": bad_deadline})],
                                   second.id: [(kg, {"description": "会议通知层层转发，落实不到位"})]}


@pytest.mark.parametrize("bad", [TYPED, "2026-13-45", "2027-03-01"])
def test_one_invalid_date_does_not_block_the_other_answers(client, staff, bad):
    u, c, cl = staff
    first, second, kb, kg, probs = _two_problems(cl, bad)
    r = client.hx_post("/selfcheck/step/1/autosave", data=step_data(cl, 1, version_of(u), probs))
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and "已保存" in body and "整改时限" in body
    sc = service.find(u, c)
    assert sc.draft_version == 1 and f'value="{sc.draft_version}"' in body  # the next autosave goes on
    saved = {a.item_id: a.answer for a in SelfCheckAnswer.select().where(SelfCheckAnswer.selfcheck == sc.id)}
    assert saved == {it.id: ("problem" if it.id in probs else "no_problem") for it in cl.steps[0].items}
    assert SelfCheckProblem.get(SelfCheckProblem.key == kg).description == "会议通知层层转发，落实不到位"
    kept = SelfCheckProblem.get(SelfCheckProblem.key == kb)
    assert kept.deadline == bad and kept.description.startswith("工作中存在拖延")


def test_the_kept_value_and_its_message_come_back_after_a_reload(client, staff):
    u, c, cl = staff
    first, second, kb, kg, probs = _two_problems(cl, TYPED)
    client.hx_post("/selfcheck/step/1/autosave", data=step_data(cl, 1, version_of(u), probs))
    page = client.get("/selfcheck/step/1").get_data(as_text=True)
    field = re.search(rf'<input type="(\w+)" name="p-{first.id}-{kb}-deadline"[^>]*>', page)
    assert field and field.group(1) == "text" and f'value="{TYPED}"' in field.group(0)  # shown as typed
    assert "整改时限不是有效日期" in page
    assert "会议通知层层转发，落实不到位" in page


def test_the_full_form_saves_too_and_stays_on_the_step(client, staff):
    u, c, cl = staff
    first, second, kb, kg, probs = _two_problems(cl, "2026-10-31")
    data = step_data(cl, 1, version_of(u), probs)
    data["action"] = "next"
    r = client.hx_post("/selfcheck/step/1", data=data)
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and "已保存草稿" in body and "整改时限须在活动期间内" in body
    assert "第 1 步" in body and 'value="2026-10-31"' in body
    assert SelfCheckProblem.get(SelfCheckProblem.key == kb).deadline == "2026-10-31"
    assert service.find(u, c).current_step == 1


def test_submission_is_what_refuses_the_invalid_value(client, staff):
    u, c, cl = staff
    first = cl.steps[0].items[0]
    k = key()
    fill_all(client, cl, u)
    r = client.hx_post("/selfcheck/step/1/autosave",
                       data=step_data(cl, 1, version_of(u), {first.id: [(k, {"deadline": TYPED})]}))
    assert r.status_code == 422
    r = client.hx_post("/selfcheck/submit", data={"draft_version": str(version_of(u))})
    assert r.status_code == 422 and "整改时限不是有效日期" in r.get_data(as_text=True)
    assert SelfCheckVersion.select().count() == 0
    r = client.hx_post("/selfcheck/step/1/autosave",
                       data=step_data(cl, 1, version_of(u), {first.id: [(k, {"deadline": "2026-12-31"})]}))
    assert r.status_code == 200
    r = client.hx_post("/selfcheck/submit", data={"draft_version": str(version_of(u))})
    assert r.status_code == 200 and r.headers["HX-Redirect"].endswith("submitted=1")


def test_the_save_status_is_announced_and_autosave_gives_up_waiting(client, staff):
    page = client.get("/selfcheck/step/1").get_data(as_text=True)
    box = re.search(r'<div class="wz-save"[^>]*>', page).group(0)
    assert 'role="status"' in box and 'aria-live="polite"' in box
    auto = re.search(r'<div id="autosave"[^>]*>', page).group(0)
    assert '"timeout": 15000' in auto  # no answer at all counts as a failure and is retried
