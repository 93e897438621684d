"""Review and scope: heads, leaders in charge, the discipline office; perfunctory; notices; audit."""
import datetime as dt

import pytest

from portal.models import AuditRecord, Notice
from portal.models.selfcheck import SelfCheck, SelfCheckVersion
from portal.selfcheck import service
from tests.conftest import AuthActions
from portal.accounts import set_charges
from tests.factories import make_bureau, make_department, make_user
from tests.selfcheck.helpers import fill_all, setup, version_of


@pytest.fixture
def org(ctx, travel):
    travel(dt.datetime(2026, 11, 20, 10, 0))
    c, cl = setup()
    b = make_bureau()
    set_charges(b.leader, [b.fin.id])
    return {"c": c, "cl": cl, "fin": b.fin, "asset": b.asset, "staff": b.staff_a,
            "staff2": make_user("s2", b.asset, roles=("staff",), real_name="张伟"),
            "head": b.head_a, "head2": b.head_b, "leader": b.leader, "disc": b.office}


def login_as(app, user):
    cl = app.test_client()
    AuthActions(cl).login(user)
    return cl


def submitted(app, org, who):
    u = org[who]
    cl = login_as(app, u)
    fill_all(cl, org["cl"], u)
    r = cl.hx_post("/selfcheck/submit", data={"draft_version": str(version_of(u))})
    assert r.status_code == 200
    return service.find(u, org["c"]), cl


def test_head_sees_own_department_only(app, org):
    sc, _ = submitted(app, org, "staff")
    sc2, _ = submitted(app, org, "staff2")
    head = login_as(app, org["head"])
    body = head.get("/selfcheck/department").get_data(as_text=True)
    assert "李明" in body and "张伟" not in body
    assert head.get(f"/selfcheck/{sc.id}/").status_code == 200
    assert head.get(f"/selfcheck/{sc2.id}/").status_code == 404
    assert head.get(f"/selfcheck/{sc2.id}/v/1").status_code == 404
    assert head.get(f"/selfcheck/department?dept={org['asset'].id}").status_code == 404
    assert AuditRecord.select().where(AuditRecord.action == "access_denied").count() == 3
    r = head.post(f"/selfcheck/{sc2.id}/review", data={"outcome": "approved", "expected_version": "1"})
    assert r.status_code == 404
    assert SelfCheck.get_by_id(sc2.id).status == "submitted"


def test_staff_cannot_open_another_persons_selfcheck(app, org):
    sc, _ = submitted(app, org, "staff2")
    other = login_as(app, org["staff"])
    assert other.get(f"/selfcheck/{sc.id}/").status_code == 404
    assert other.get(f"/selfcheck/{sc.id}/v/1/print").status_code == 404
    assert other.get("/selfcheck/department").status_code == 403
    assert AuditRecord.select().where((AuditRecord.action == "access_denied")
                                      & (AuditRecord.object_type == "selfcheck")).count() == 2


def test_leader_sees_departments_in_charge(app, org):
    sc, _ = submitted(app, org, "staff")
    sc2, _ = submitted(app, org, "staff2")
    lead = login_as(app, org["leader"])
    assert lead.get(f"/selfcheck/{sc.id}/").status_code == 200
    assert lead.get(f"/selfcheck/{sc2.id}/").status_code == 404
    body = lead.get(f"/selfcheck/department?dept={org['fin'].id}").get_data(as_text=True)
    assert "李明" in body


def test_return_as_perfunctory_counts_and_notifies(app, org):
    sc, staff_client = submitted(app, org, "staff")
    head = login_as(app, org["head"])
    r = head.post(f"/selfcheck/{sc.id}/review", data={"outcome": "returned", "comment": "", "expected_version": "1"})
    assert r.status_code == 422 and "退回时请写明" in r.get_data(as_text=True)
    r = head.post(f"/selfcheck/{sc.id}/review", data={"outcome": "approved", "perfunctory": "y",
                                                      "expected_version": "1"})
    assert r.status_code == 422 and "须退回修改" in r.get_data(as_text=True)
    r = head.post(f"/selfcheck/{sc.id}/review", data={"outcome": "returned", "comment": "全部未发现问题，自查不深入",
                                                      "perfunctory": "y", "expected_version": "1"})
    assert r.status_code == 303
    sc = SelfCheck.get_by_id(sc.id)
    v = SelfCheckVersion.get()
    assert sc.status == "returned" and sc.perfunctory_count == 1
    assert v.review_outcome == "returned" and v.perfunctory and v.reviewer_id == org["head"].id
    n = Notice.get(Notice.user == org["staff"].id)
    assert n.kind == "returned" and "敷衍应付" in n.text
    # the person sees it and may edit again
    body = staff_client.get("/selfcheck/").get_data(as_text=True)
    assert "已退回" in body and "全部未发现问题，自查不深入" in body
    # a second review of the same version is refused
    r = head.post(f"/selfcheck/{sc.id}/review", data={"outcome": "approved", "expected_version": "1"})
    assert r.status_code == 409
    assert AuditRecord.select().where(AuditRecord.action == "selfcheck_review").count() == 1


def test_approve(app, org):
    sc, _ = submitted(app, org, "staff")
    head = login_as(app, org["head"])
    r = head.hx_post(f"/selfcheck/{sc.id}/review", data={"outcome": "approved", "comment": "", "expected_version": "1"})
    assert r.status_code == 200 and "HX-Redirect" in r.headers
    assert SelfCheck.get_by_id(sc.id).status == "approved"
    assert SelfCheckVersion.get().review_outcome == "approved"


def test_nobody_reviews_themselves_and_leaders_only_by_discipline(app, org):
    sc_head, head_client = submitted(app, org, "head")
    r = head_client.post(f"/selfcheck/{sc_head.id}/review", data={"outcome": "approved", "expected_version": "1"})
    assert r.status_code == 403
    sc_lead, _ = submitted(app, org, "leader")
    # the head of 财务科 cannot even see the leader; a leader in charge of 财务科 can review its head
    assert head_client.get(f"/selfcheck/{sc_lead.id}/").status_code == 404
    lead = login_as(app, org["leader"])
    r = lead.post(f"/selfcheck/{sc_head.id}/review", data={"outcome": "approved", "expected_version": "1"})
    assert r.status_code == 303
    disc = login_as(app, org["disc"])
    body = disc.get("/selfcheck/department?leaders=1").get_data(as_text=True)
    assert "吴建国" in body and "李明" not in body
    r = disc.post(f"/selfcheck/{sc_lead.id}/review", data={"outcome": "approved", "expected_version": "1"})
    assert r.status_code == 303
    assert SelfCheck.get_by_id(sc_lead.id).status == "approved"


def test_discipline_sees_all_departments(app, org):
    submitted(app, org, "staff")
    disc = login_as(app, org["disc"])
    body = disc.get("/selfcheck/department").get_data(as_text=True)
    assert "财务科" in body and "资产管理科" in body and "各单位进度" in body


def test_reopen_only_by_discipline_and_only_after_deadline_for_unsubmitted(app, org, travel):
    u = org["staff"]
    c = org["c"]
    sc = service.get_or_create(u, c)
    head = login_as(app, org["head"])
    assert head.post(f"/selfcheck/{sc.id}/reopen").status_code == 403
    sc_done, _ = submitted(app, org, "staff2")
    disc = login_as(app, org["disc"])
    assert disc.post(f"/selfcheck/{sc_done.id}/reopen").status_code == 409


def test_chief_reads_everything_but_does_not_review(app, org):
    sc, _ = submitted(app, org, "staff")
    chief = login_as(app, make_user("c1", make_department("局领导"), roles=("chief",)))
    body = chief.get("/selfcheck/department").get_data(as_text=True)
    assert "财务科" in body and "资产管理科" in body
    assert chief.get(f"/selfcheck/{sc.id}/").status_code == 200
    assert "提交审核意见" not in chief.get(f"/selfcheck/{sc.id}/").get_data(as_text=True)
    r = chief.post(f"/selfcheck/{sc.id}/review", data={"outcome": "approved", "expected_version": "1"})
    assert r.status_code == 403
    assert "各单位自查情况" in chief.get("/selfcheck/").get_data(as_text=True)  # fills own, reads all


def test_resubmission_survives_a_concurrent_ledger_edit(app, org):
    from portal import problems
    from portal.models import Problem
    from tests.selfcheck.helpers import key, step_data
    u, cl = org["staff"], org["cl"]
    s = login_as(app, u)
    k = key()
    it = cl.steps[0].items[0]
    fill_all(s, cl, u, {it.id: [(k, {})]})
    s.hx_post("/selfcheck/submit", data={"draft_version": str(version_of(u))})
    sc = service.find(u, org["c"])
    service.review(sc, org["head"], "returned", "请细化措施", False, 1)
    p = Problem.get()
    problems.update(p.id, org["disc"], p.version, severity="serious", note="台账定性")
    s.hx_post("/selfcheck/step/1/autosave", data=step_data(cl, 1, version_of(u), {it.id: [(k, {"measure": "细化后的整改措施"})]}))
    assert s.hx_post("/selfcheck/submit", data={"draft_version": str(version_of(u))}).status_code == 200
    p = Problem.get()
    assert p.measures == "细化后的整改措施" and p.severity == "serious"
