"""Department numbers and the department's report; home panels; the Problem panel."""
import datetime as dt
import json

import pytest

from portal.models import Problem
from portal.models.selfcheck import DepartmentReport
from portal.nav import problem_panels
from portal.selfcheck.review_views import my_selfcheck_panel, review_panel
from portal.selfcheck import service
from tests.conftest import AuthActions
from tests.factories import make_department, make_user
from tests.selfcheck.helpers import fill_all, key, setup, version_of


@pytest.fixture
def dept(ctx, travel):
    travel(dt.datetime(2026, 11, 20, 10, 0))
    c, cl = setup()
    d = make_department("财务科")
    return c, cl, d


def login_as(app, user):
    cl = app.test_client()
    AuthActions(cl).login(user)
    return cl


def test_department_numbers(app, dept):
    c, cl, d = dept
    items = sorted(cl.items.values(), key=lambda i: i.seq)
    a = make_user(department=d)
    b = make_user(department=d)
    make_user(department=d)  # not started
    make_user(department=d, roles=("auditor",))  # not a business role: not counted
    make_user(department=make_department())  # another department
    ca = login_as(app, a)
    fill_all(ca, cl, a, {items[0].id: [(key(), {"aspect": "思想"})], items[19].id: [(key(), {"fixed": True}),
                                                                                     (key(), {})]})
    ca.hx_post("/selfcheck/submit", data={"draft_version": str(version_of(a))})
    cb = login_as(app, b)
    fill_all(cb, cl, b)  # draft only
    n = service.department_numbers(d, c)
    assert n["people"] == 3 and n["submitted"] == 1 and n["not_submitted"] == 2 and n["approved"] == 0
    assert n["problems"] == 3 and n["fixed_at_once"] == 1
    assert n["by_category"]["治“拖”"] == 1 and n["by_category"]["治“散”"] == 2 and n["by_category"]["治“奢”"] == 0
    assert n["by_aspect"]["思想"] == 1 and n["by_aspect"]["工作"] == 2
    json.dumps(n, ensure_ascii=False)


def test_report_form_prefilled_saved_and_submitted(app, dept):
    c, cl, d = dept
    head = make_user(department=d, roles=("dept_head", "staff"))
    make_user(department=d)
    disc = make_user(department=make_department(), roles=("discipline", "staff"))
    h = login_as(app, head)
    r = h.get("/selfcheck/report")
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "应参加人数" in body and "<b>2</b>应参加人数" in body
    r = h.post("/selfcheck/report?period=全程", data={"narrative": "草稿内容", "action": "save"})
    assert r.status_code == 200 and DepartmentReport.get().status == "draft"
    r = h.post("/selfcheck/report?period=全程", data={"narrative": "太短", "action": "submit"})
    assert r.status_code == 422 and "20 至 5000 字" in r.get_data(as_text=True)
    text = "本科室按照方案要求组织全体干部职工逐项对照检查，查摆问题均已制定整改措施，立行立改问题已整改到位。"
    r = h.post("/selfcheck/report?period=全程", data={"narrative": text, "action": "submit"})
    assert r.status_code == 200
    rep = DepartmentReport.get()
    assert rep.status == "submitted" and rep.submitted_by_id == head.id and rep.narrative == text
    assert json.loads(rep.numbers)["people"] == 2
    from portal.models import Notice
    assert Notice.get(Notice.user == disc.id).text == "财务科已报送自查自纠情况（全程）。"
    r = h.post("/selfcheck/report?period=全程", data={"narrative": text + "改", "action": "save"})
    assert r.status_code == 403
    assert h.get("/selfcheck/report?period=2031-01").status_code == 400
    r = h.post("/selfcheck/report?period=2026-12", data={"narrative": "x" * 5001, "action": "save"})
    assert r.status_code == 422 and "不能超过 5000 字" in r.get_data(as_text=True)


def test_report_scope(app, dept):
    c, cl, d = dept
    other = make_department("资产管理科")
    head = make_user(department=d, roles=("dept_head", "staff"))
    h = login_as(app, head)
    assert h.get(f"/selfcheck/report?dept={other.id}").status_code == 404
    leader = make_user(roles=("leader", "staff"), charges=[d])
    lc = login_as(app, leader)
    assert lc.get(f"/selfcheck/report?dept={d.id}").status_code == 200
    assert lc.post(f"/selfcheck/report?dept={d.id}", data={"narrative": "领导不能代填", "action": "save"}).status_code == 403
    staff = make_user(department=d)
    assert login_as(app, staff).get("/selfcheck/report").status_code == 403


def test_home_panels_remind_from_n_days_before(app, dept, travel):
    c, cl, d = dept
    u = make_user(department=d, real_name="赵迟交")
    head = make_user(department=d, roles=("dept_head", "staff"))
    app.config["SELFCHECK_REMIND_DAYS"] = 5
    with app.test_request_context():
        html = my_selfcheck_panel(u)
        assert "我的自查" in html and "距个人自查截止" not in html
    travel(dt.datetime(2026, 12, 16, 9, 0))
    with app.test_request_context():
        html = my_selfcheck_panel(u)
        assert "距个人自查截止（2026年12月20日）还有 4 天" in html
        assert "赵迟交" in review_panel(head)
    travel(dt.datetime(2026, 12, 22, 9, 0))
    with app.test_request_context():
        assert "您尚未提交" in my_selfcheck_panel(u)
        assert "已逾期未提交" in review_panel(head)


def test_problem_panel_links_version(app, dept):
    c, cl, d = dept
    u = make_user(department=d)
    cu = login_as(app, u)
    k = key()
    fill_all(cu, cl, u, {min(cl.items): [(k, {})]})
    cu.hx_post("/selfcheck/submit", data={"draft_version": str(version_of(u))})
    p = Problem.get()
    with app.test_request_context():
        html = "".join(problem_panels(p, u))
        assert "来源：个人自查" in html and "/v/1" in html
        stranger = make_user(department=make_department())
        assert "来源：个人自查" not in "".join(problem_panels(p, stranger))
