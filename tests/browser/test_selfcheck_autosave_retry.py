"""The wizard's autosave under a network drop and a busy server, in a real browser: the status box says
"未保存，正在重试" (inside the announced role=status box), the page warns before leaving while a change is
not saved, and the autosave goes through by itself once the server answers again."""
import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from portal.models.selfcheck import SelfCheckAnswer
from portal.selfcheck import service
from tests.browser.conftest import login
from tests.factories import PASSWORD, default_campaign, make_user

pytestmark = pytest.mark.browser

LEAVE_BLOCKED = """() => { const e = new Event("beforeunload", {cancelable: true});
                           window.dispatchEvent(e); return e.defaultPrevented; }"""


def _answers(user_id):
    return {a.item_id: a.answer for a in SelfCheckAnswer.select().join_from(SelfCheckAnswer, SelfCheckAnswer.selfcheck.rel_model)
            .where(SelfCheckAnswer.selfcheck.rel_model.user == user_id)}


@pytest.mark.parametrize("fault", ["network", "503"])
def test_autosave_retries_and_the_page_warns_before_leaving(ctx, live_server, page, travel, fault):
    travel(dt.datetime(2026, 11, 20, 10, 0))
    cl = service.checklist(default_campaign())
    first, second = (it.id for it in cl.steps[0].items[:2])
    staff = make_user("r-staff", roles=("staff",))
    login(page, live_server.url, "r-staff", PASSWORD)
    page.goto(live_server.url + "/selfcheck/step/1")
    page.wait_for_load_state()
    state = page.locator(".wz-save[role=status][aria-live=polite] #save-state")

    page.check(f'input[name="a-{first}"][value="no_problem"]')
    expect(state).to_have_text(re.compile("已保存"), timeout=15000)
    assert page.evaluate(LEAVE_BLOCKED) is False  # nothing unsaved: leave freely

    if fault == "network":
        page.route("**/autosave", lambda route: route.abort("internetdisconnected"))
    else:
        page.route("**/autosave", lambda route: route.fulfill(status=503, body="busy"))
    page.check(f'input[name="a-{second}"][value="no_problem"]')
    expect(state).to_have_text(re.compile("未保存"))
    assert page.evaluate(LEAVE_BLOCKED) is True  # a change not yet saved: the browser asks first
    expect(state).to_have_text(re.compile("未保存，正在重试"), timeout=15000)
    expect(page.locator(".toast-error")).to_have_count(0)  # the status box tells, no toast per retry
    assert _answers(staff.id).get(second) is None

    page.unroute("**/autosave")  # the server answers again: the retry saves by itself
    expect(state).to_have_text(re.compile("已保存"), timeout=20000)
    assert _answers(staff.id).get(second) == "no_problem"
    assert page.evaluate(LEAVE_BLOCKED) is False
