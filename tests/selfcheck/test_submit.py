"""Submission: refused until complete, frozen versions, the ledger feed, resubmission, diff, print."""
import datetime as dt
import json

import pytest

from portal.models import Problem, ProblemEvent
from portal.models.selfcheck import SelfCheckVersion
from portal.selfcheck import service
from tests.factories import make_department, make_user
from tests.selfcheck.helpers import fill_all, key, setup, step_data, version_of


@pytest.fixture
def staff(ctx, travel, auth):
    travel(dt.datetime(2026, 11, 20, 10, 0))
    c, cl = setup()
    dept = make_department("财务科")
    u = make_user(roles=("staff",), department=dept, real_name="李明", title="科员")
    auth.login(u)
    return u, c, cl


def submit(client, u):
    return client.hx_post("/selfcheck/submit", data={"draft_version": str(version_of(u))})


def test_submit_refused_until_all_answered(client, staff):
    u, c, cl = staff
    for st in cl.steps[:5]:
        client.hx_post(f"/selfcheck/step/{st.no}/autosave", data=step_data(cl, st.no, version_of(u)))
    r = submit(client, u)
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    assert "还有 4 项未完成" in body and "请作答" in body
    assert SelfCheckVersion.select().count() == 0
    page = client.get("/selfcheck/step/7").get_data(as_text=True)
    assert '确认提交？" disabled>确认提交</button>' in page


def test_submit_freezes_version_and_feeds_ledger(client, staff):
    u, c, cl = staff
    i1, i20 = cl.items[min(cl.items)], max(cl.items.values(), key=lambda i: i.seq)
    k1, k2 = key(), key()
    fill_all(client, cl, u, {i1.id: [(k1, {})], i20.id: [(k2, {"fixed": True, "aspect": "生活",
                                                                 "description": "值班期间离岗未交接"})]})
    r = submit(client, u)
    assert r.status_code == 200 and r.headers["HX-Redirect"].endswith("/selfcheck/?submitted=1")
    sc = service.find(u, c)
    assert sc.status == "submitted" and sc.versions_count == 1
    v = SelfCheckVersion.get()
    content = service.frozen_content(v)
    assert v.number == 1 and len(v.content_hash) == 64 and v.content_hash == service.content_hash(content)
    assert content["person"] == {"id": u.id, "name": "李明", "department": "财务科", "title": "科员"}
    assert content["campaign"] == {"id": c.id, "name": c.name}
    assert content["number"] == 1 and content["submitted_at"] == "2026-11-20 10:00"
    assert [i["seq"] for i in content["items"]] == list(range(1, 21))
    first = content["items"][0]
    assert set(first) == {"item_id", "seq", "category", "category_title", "text", "no_problem", "problems"}
    assert first["category"] == "治“拖”" and first["category_title"] == "提升时不我待的责任意识"
    assert first["no_problem"] is False
    assert first["problems"] == [{"key": k1, "aspect": "工作", "description": "工作中存在拖延现象，报表延期报送两次",
                                  "measure": "建立任务台账，按周调度推进", "deadline": "2026-12-31",
                                  "fixed_at_once": False}]
    assert content["items"][1]["no_problem"] is True and content["items"][1]["problems"] == []
    # ledger
    ps = {p.origin: p for p in Problem.select()}
    assert set(ps) == {f"selfcheck:{sc.id}:{k1}", f"selfcheck:{sc.id}:{k2}"}
    p1, p2 = ps[f"selfcheck:{sc.id}:{k1}"], ps[f"selfcheck:{sc.id}:{k2}"]
    assert p1.source == "selfcheck" and p1.self_reported and p1.status == "pending"
    assert p1.person_id == u.id and p1.department_id == u.department_id and p1.item_id == i1.id
    assert p1.deadline == dt.date(2026, 12, 31) and p1.measures == "建立任务台账，按周调度推进"
    assert p2.status == "rectified" and p2.fixed_at_once  # 立行立改: awaiting verification
    # read-only while submitted
    r = client.hx_post("/selfcheck/step/1/autosave", data=step_data(cl, 1, version_of(u)))
    assert r.status_code == 409 and "等待审核" in r.get_data(as_text=True)
    assert submit(client, u).status_code == 409


def test_stale_submit_refused(client, staff):
    u, c, cl = staff
    fill_all(client, cl, u)
    r = client.hx_post("/selfcheck/submit", data={"draft_version": str(version_of(u) - 1)})
    assert r.status_code == 409
    assert SelfCheckVersion.select().count() == 0


def _return(sc, reviewer, perfunctory=False):
    service.review(sc, reviewer, "returned", "请把问题写具体", perfunctory, sc.versions_count)


def test_resubmission_updates_ledger_without_duplicates(client, staff):
    u, c, cl = staff
    items = sorted(cl.items.values(), key=lambda i: i.seq)
    ka, kb = key(), key()
    fill_all(client, cl, u, {items[0].id: [(ka, {})], items[4].id: [(kb, {})]})
    submit(client, u)
    sc = service.find(u, c)
    head = make_user(roles=("dept_head", "staff"), department=u.department)
    _return(sc, head)
    # version 2: ka changed, kb removed, kc added
    kc = key()
    client.hx_post("/selfcheck/step/1/autosave", data=step_data(
        cl, 1, version_of(u), {items[0].id: [(ka, {"description": "修改后的问题描述更具体了"})]}))
    client.hx_post("/selfcheck/step/2/autosave", data=step_data(
        cl, 2, version_of(u), {items[5].id: [(kc, {})]}))
    r = submit(client, u)
    assert r.status_code == 200
    assert Problem.select().count() == 3
    pa = Problem.get(Problem.origin == f"selfcheck:{sc.id}:{ka}")
    pb = Problem.get(Problem.origin == f"selfcheck:{sc.id}:{kb}")
    assert pa.description == "修改后的问题描述更具体了" and not pa.withdrawn
    assert pb.withdrawn
    assert ProblemEvent.select().where((ProblemEvent.problem == pb.id) & (ProblemEvent.kind == "withdrawn")).count() == 1
    assert ProblemEvent.select().where((ProblemEvent.problem == pa.id) & (ProblemEvent.kind == "edit")).count() == 1
    # version 3 brings kb back: revived, still one row
    _return(service.find(u, c), head)
    client.hx_post("/selfcheck/step/2/autosave", data=step_data(
        cl, 2, version_of(u), {items[4].id: [(kb, {})], items[5].id: [(kc, {})]}))
    submit(client, u)
    assert Problem.select().count() == 3
    assert not Problem.get(Problem.origin == f"selfcheck:{sc.id}:{kb}").withdrawn
    assert [v.number for v in service.versions(service.find(u, c))] == [1, 2, 3]


def test_versions_diff_and_print(client, staff):
    u, c, cl = staff
    items = sorted(cl.items.values(), key=lambda i: i.seq)
    ka, kb = key(), key()
    fill_all(client, cl, u, {items[0].id: [(ka, {})], items[4].id: [(kb, {})]})
    submit(client, u)
    sc = service.find(u, c)
    _return(sc, make_user(roles=("dept_head", "staff"), department=u.department))
    client.hx_post("/selfcheck/step/1/autosave", data=step_data(
        cl, 1, version_of(u), {items[0].id: [(ka, {"deadline": "2027-01-15"})]}))
    client.hx_post("/selfcheck/step/2/autosave", data=step_data(cl, 2, version_of(u)))
    submit(client, u)
    r = client.get(f"/selfcheck/{sc.id}/diff?a=1&b=2")
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "2026-12-31" in body and "2027-01-15" in body and "删除问题" in body
    assert "存在问题 1 条" in body and "未发现问题" in body
    v1 = client.get(f"/selfcheck/{sc.id}/v/1")
    assert v1.status_code == 200 and "第 1 版" in v1.get_data(as_text=True)
    p = client.get(f"/selfcheck/{sc.id}/v/2/print")
    assert p.status_code == 200 and "个人对照检查材料" in p.get_data(as_text=True)
    assert client.get(f"/selfcheck/{sc.id}/v/3").status_code == 404
    assert json.loads(SelfCheckVersion.get(SelfCheckVersion.number == 1).content)["number"] == 1


def test_diff_pure():
    a = {"items": [{"item_id": 1, "seq": 1, "text": "t", "no_problem": True, "problems": []}]}
    b = {"items": [{"item_id": 1, "seq": 1, "text": "t", "no_problem": False, "problems": [
        {"key": "k", "aspect": "思想", "description": "d", "measure": "m", "deadline": "2026-12-01",
         "fixed_at_once": False}]}]}
    d = service.diff(a, b)
    assert len(d) == 1 and d[0]["answer_changed"] and len(d[0]["added"]) == 1
    assert service.diff(b, b) == []
