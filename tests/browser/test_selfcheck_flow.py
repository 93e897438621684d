"""The self-check flow in a real browser: a staff member fills several steps (autosave), reloads and
resumes, finishes all 20 items and submits; the head returns it as perfunctory; the staff member edits
and resubmits; the head approves; the problems are in the ledger as self-reported self-check Problems."""
import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from portal.models import Problem
from portal.models.selfcheck import SelfCheck, SelfCheckVersion
from portal.selfcheck import service
from tests.browser.conftest import login
from tests.factories import PASSWORD, default_campaign, make_department, make_user

pytestmark = pytest.mark.browser


def wait_saved(page):
    page.wait_for_selector("#save-state:has-text('已保存')")


def answer_none(page, item_ids):
    for iid in item_ids:
        page.check(f'input[name="a-{iid}"][value="no_problem"]')


def fill_problem(page, item_id, description, measure, deadline, aspect="工作", fixed=False, nth=0):
    row = page.locator(f"#problems-{item_id} .problem-row").nth(nth)
    row.locator("select").select_option(label=aspect)
    row.locator('input[type="date"], input[data-date]').fill(deadline)
    row.locator("textarea").nth(0).fill(description)
    row.locator("textarea").nth(1).fill(measure)
    if fixed:
        row.locator('input[type="checkbox"]').check()


def next_step(page, heading):
    page.click('button[value="next"]')
    page.wait_for_selector(f"text={heading}")
    page.wait_for_load_state()  # the wizard's scripts listen before the next answer is typed


def test_selfcheck_flow(ctx, live_server, page, new_page, travel):
    travel(dt.datetime(2026, 11, 20, 10, 0))
    campaign = default_campaign()
    cl = service.checklist(campaign)
    steps = [[it.id for it in st.items] for st in cl.steps]
    dept = make_department("财务科")
    staff = make_user("f-staff", dept, roles=("staff",), real_name="李明")
    make_user("f-head", dept, roles=("dept_head", "staff"), real_name="王立新")
    base = live_server.url

    login(page, base, "f-staff", PASSWORD)
    page.click("text=自查自纠")
    page.click("text=开始自查")
    page.wait_for_url(re.compile(r".*/selfcheck/step/1$"))

    # step 1: one problem, two "none"
    page.check(f'input[name="a-{steps[0][0]}"][value="problem"]')
    fill_problem(page, steps[0][0], "落实节能任务行动偏慢，季度报表两次延期报送。", "建立任务清单和周调度台账。", "2026-12-31")
    answer_none(page, steps[0][1:])
    wait_saved(page)
    expect(page.locator("#progress-bar")).to_have_attribute("value", "3")
    next_step(page, "第 2 步")

    # step 2: two problems under one item (the second row added in the browser)
    page.check(f'input[name="a-{steps[1][0]}"][value="problem"]')
    fill_problem(page, steps[1][0], "业务学习不系统，对新规定掌握不全面。", "每周专题学习不少于两小时。", "2027-01-15",
                 aspect="学习")
    page.click(f'[data-add-problem="{steps[1][0]}"]')
    fill_problem(page, steps[1][0], "起草的报告数据核对不细。", "建立数据双人核对制度。", "2026-12-10", nth=1,
                 fixed=True)
    answer_none(page, steps[1][1:])
    wait_saved(page)

    # reload mid-way: resumes at step 2 with everything intact
    page.goto(base + "/selfcheck/")
    page.click("text=继续填写")
    page.wait_for_url(re.compile(r".*/selfcheck/step/2$"))
    page.reload()
    rows = page.locator(f"#problems-{steps[1][0]} .problem-row")
    expect(rows).to_have_count(2)
    assert rows.nth(0).locator("textarea").nth(0).input_value() == "业务学习不系统，对新规定掌握不全面。"
    assert rows.nth(1).locator('input[type="date"], input[data-date]').input_value() == "2026-12-10"
    assert rows.nth(1).locator('input[type="checkbox"]').is_checked()
    expect(page.locator(f'input[name="a-{steps[1][1]}"][value="no_problem"]')).to_be_checked()
    expect(page.locator("#progress-bar")).to_have_attribute("value", "6")

    # a server-side validation error keeps what was typed
    next_step(page, "第 3 步")
    page.check(f'input[name="a-{steps[2][0]}"][value="problem"]')
    page.locator(f"#problems-{steps[2][0]} textarea").nth(0).fill("到基层调研次数偏少。")
    answer_none(page, steps[2][1:])
    page.click('button[value="next"]')
    page.wait_for_selector("text=请填写整改措施")
    assert page.locator(f"#problems-{steps[2][0]} textarea").nth(0).input_value() == "到基层调研次数偏少。"
    fill_problem(page, steps[2][0], "到基层调研次数偏少。", "每季度至少深入基层调研一次。", "2027-02-20", aspect="作风")
    next_step(page, "第 4 步")
    for n in (3, 4, 5):
        answer_none(page, steps[n])
        next_step(page, f"第 {n + 2} 步" if n < 5 else "核对提交：全部 20 项")
    assert "全部 20 项均已作答" in page.content()
    page.once("dialog", lambda d: d.accept())
    page.click("button:has-text('确认提交')")
    page.wait_for_url(re.compile(r".*/selfcheck/\?submitted=1$"))
    expect(page.locator(".sc-status")).to_contain_text("待审核")  # the one vocabulary (was 已提交)

    # the head returns it as perfunctory
    head = new_page()
    login(head, base, "f-head", PASSWORD)
    head.goto(base + "/selfcheck/department")
    head.click("tr:has-text('李明') >> a:text-is('审核')")  # the status badge says 待审核 now
    head.check('input[name="outcome"][value="returned"]')
    head.fill('textarea[name="comment"]', "问题查摆不够深入，请结合岗位实际补充。")
    head.check('input[name="perfunctory"]')
    head.click("button:has-text('提交审核意见')")
    head.wait_for_url(re.compile(r".*/selfcheck/department\?dept=\d+$"))
    expect(head.locator("tr:has-text('李明')")).to_contain_text("已退回")

    # the staff member edits and resubmits
    page.goto(base + "/selfcheck/")
    assert "认定为自查不深入、敷衍应付" in page.content()
    page.goto(base + "/selfcheck/step/4")
    page.check(f'input[name="a-{steps[3][2]}"][value="problem"]')
    fill_problem(page, steps[3][2], "与相关科室就职责边界沟通不够，出现推诿。", "共同梳理职责清单，建立会商机制。",
                 "2027-01-31")
    wait_saved(page)
    page.goto(base + "/selfcheck/step/7")
    page.once("dialog", lambda d: d.accept())
    page.click("button:has-text('确认提交')")
    page.wait_for_url(re.compile(r".*/selfcheck/\?submitted=2$"))

    # the head approves version 2
    head.goto(base + "/selfcheck/department")
    head.click("tr:has-text('李明') >> a:text-is('审核')")  # the status badge says 待审核 now
    head.wait_for_url(re.compile(r".*/selfcheck/\d+/$"))
    expect(head.locator("main")).to_contain_text("第 2 版")
    head.check('input[name="outcome"][value="approved"]')
    head.click("button:has-text('提交审核意见')")
    head.wait_for_url(re.compile(r".*/selfcheck/department\?dept=\d+$"))
    expect(head.locator("tr:has-text('李明')")).to_contain_text("已通过")  # the one vocabulary (was 已审核)

    # the database: two versions, five self-reported Problems from the self-check
    sc = SelfCheck.get(SelfCheck.user == staff.id)
    assert sc.status == "approved" and sc.perfunctory_count == 1 and sc.versions_count == 2
    v1, v2 = SelfCheckVersion.select().where(SelfCheckVersion.selfcheck == sc.id).order_by(SelfCheckVersion.number)
    assert v1.perfunctory and v1.review_outcome == "returned" and v2.review_outcome == "approved"
    ps = list(Problem.select().where(Problem.person == staff.id))
    assert len(ps) == 5
    assert all(p.source == "selfcheck" and p.self_reported and not p.withdrawn for p in ps)
    assert all(p.origin.startswith(f"selfcheck:{sc.id}:") for p in ps)
    assert sorted(p.status for p in ps) == ["pending"] * 4 + ["rectified"]
    assert len({p.origin for p in ps}) == 5
