"""Findings become ledger Problems; scope; the pages an office and an inspector use."""
import datetime as dt
import io
import json

from PIL import Image

from portal.inspections import service
from portal.models import Notice, Problem
from portal.models.inspection import Draw, Finding, FindingFile, InspectionPlan, InspectionTarget
from portal.nav import problem_panels
from tests.factories import make_user

from .helpers import bureau, draw, plan


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _setup(travel):
    travel(dt.datetime(2026, 11, 20, 9, 0))
    b = bureau()
    p = plan(b["discipline"])
    service.assign_inspector(p, b["insp_b"], b["discipline"])
    d = draw(p, b["discipline"])
    t = InspectionTarget.select().where(InspectionTarget.draw == d.id).order_by(InspectionTarget.rank).first()
    return b, p, d, t


def test_finding_becomes_problem_with_evidence(ctx, client, auth, travel):
    b, p, d, t = _setup(travel)
    auth.login(b["insp_b"])
    r = client.get(f"/inspections/targets/{t.id}/finding")
    assert r.status_code == 200 and "上班迟到早退" in r.get_data(as_text=True)
    r = client.post(f"/inspections/targets/{t.id}/finding", data={
        "outcome": "problem", "check": "0", "description": "8:50 未到岗，未请假", "found_at": "2026-11-20T08:50",
        "place": "三楼办公区", "severity": "general", "deadline": "2026-11-30",
        "files": [(io.BytesIO(_png()), "现场.png")]}, content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)
    f = Finding.get()
    prob = Problem.get_by_id(f.problem_id)
    assert prob.source == "inspection" and prob.self_reported is False and prob.origin == f"finding:{f.id}"
    assert prob.person_id == t.user_id and prob.department_id == t.department_id
    assert prob.deadline == dt.date(2026, 11, 30) and "8:50 未到岗" in prob.description
    assert prob.item.seq == 17  # 上班迟到早退 belongs to item 17
    assert InspectionTarget.get_by_id(t.id).outcome == "problem"
    ff = FindingFile.get()
    assert ff.kind == "png" and ff.finding_id == f.id
    r = client.get(f"/inspections/files/{ff.id}")
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment")
    # the Problem page panel shows the finding
    with ctx.test_request_context():
        html = "".join(problem_panels(prob, b["discipline"]))
    assert "明察暗访发现" in html and "三楼办公区" in html and "现场.png" in html
    assert f"/inspections/{p.id}#target-{t.id}" in html
    # plan page lists it with the ledger link
    page = client.get(f"/inspections/{p.id}").get_data(as_text=True)
    assert f"台账 #{prob.id}" in page


def test_clean_result_is_recorded_and_problem_needs_text(ctx, client, auth, travel):
    b, p, d, t = _setup(travel)
    auth.login(b["insp_b"])
    r = client.post(f"/inspections/targets/{t.id}/finding", data={
        "outcome": "problem", "check": "0", "description": "", "found_at": "2026-11-20T08:50",
        "place": "值班室", "severity": "general"})
    assert r.status_code == 422 and "请写明发现的问题" in r.get_data(as_text=True)
    assert "值班室" in r.get_data(as_text=True)  # the input is kept
    r = client.post(f"/inspections/targets/{t.id}/finding", data={
        "outcome": "clean", "check": "", "found_at": "2026-11-20T08:55", "place": "值班室", "severity": "general"})
    assert r.status_code == 302
    assert Finding.get().outcome == "clean" and Finding.get().problem_id is None
    assert Problem.select().count() == 0
    assert InspectionTarget.get_by_id(t.id).outcome == "clean"
    r = client.post(f"/inspections/targets/{t.id}/finding", data={"outcome": "problem", "found_at": "bad"})
    assert r.status_code == 422


def test_scope_inspectors_see_only_their_plans(ctx, client, auth, travel):
    b, p, d, t = _setup(travel)
    other = plan(b["discipline"], title="另一次检查")
    auth.login(b["insp_a"])  # an inspector, not part of plan p
    html = client.get("/inspections/").get_data(as_text=True)
    assert "工作纪律抽查" not in html and "另一次检查" not in html
    assert client.get(f"/inspections/{p.id}").status_code == 404
    assert client.get(f"/inspections/targets/{t.id}/finding").status_code == 404
    assert client.get(f"/inspections/draws/{d.public_id}").status_code == 404
    auth.logout()
    auth.login(b["insp_b"])
    html = client.get("/inspections/").get_data(as_text=True)
    assert "工作纪律抽查" in html and "另一次检查" not in html
    assert client.get(f"/inspections/{other.id}").status_code == 404
    assert client.get("/inspections/new").status_code == 403
    assert client.get(f"/inspections/{p.id}/draw/targets?redraw=1").status_code == 403
    auth.logout()
    auth.login(make_user("plain", b["depts"][1]))
    assert client.get("/inspections/").status_code == 403
    auth.logout()
    auth.login(b["discipline"])
    html = client.get("/inspections/").get_data(as_text=True)
    assert "工作纪律抽查" in html and "另一次检查" in html


def test_office_creates_plan_and_draws_through_the_pages(ctx, client, auth, travel):
    travel(dt.datetime(2026, 11, 21, 10, 0))
    b = bureau()
    auth.login(b["discipline"])
    r = client.post("/inspections/new", data={
        "title": "周五下午纪律抽查", "checks": ["preset:0", "preset:4"], "extra_checks": "公车私用\n",
        "planned_date": "2026-11-21", "cycle": "2026-11", "target_kind": "person", "target_count": "3",
        "inspector_count": "1", "pool_kind": "departments", "pool_departments": [str(b["depts"][1].id),
                                                                                 str(b["depts"][2].id)]})
    assert r.status_code == 302
    p = InspectionPlan.get(InspectionPlan.title == "周五下午纪律抽查")
    assert [c["label"] for c in p.check_list] == ["上班迟到早退", "工作日中午饮酒", "公车私用"]
    assert p.check_list[2]["item"] is not None
    r = client.post(f"/inspections/{p.id}/inspectors", data={"user": str(b["insp_a"].id)})
    assert r.status_code == 302
    assert Notice.select().where((Notice.user == b["insp_a"].id) & (Notice.kind == "draw")).count() == 1
    page = client.get(f"/inspections/{p.id}/draw/targets")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    roster_hash = html.split("data-roster-hash>")[1].split("<")[0]
    r = client.post(f"/inspections/{p.id}/draw/targets", data={
        "roster_hash": roster_hash, "witness_number": "12", "witnesses": "张某", "count": "3"})
    assert r.status_code == 422 and "见证数字" in r.get_data(as_text=True)
    r = client.post(f"/inspections/{p.id}/draw/targets", data={
        "roster_hash": roster_hash, "witness_number": "314159", "witnesses": "张某、李某", "count": "3"})
    assert r.status_code == 302
    d = Draw.get()
    assert d.witness_number == "314159" and d.drawn_by_id == b["discipline"].id and d.witnesses == "张某、李某"
    depts = {row[2] for row in d.roster_rows()}
    assert depts == {b["depts"][1].id, b["depts"][2].id}  # the pool
    html = client.get(f"/inspections/draws/{d.public_id}").get_data(as_text=True)
    assert "一致" in html and d.seed in html
    # a second draw is refused; the redraw page asks for a reason
    assert client.get(f"/inspections/{p.id}/draw/targets").status_code == 302
    r = client.post(f"/inspections/{p.id}/draw/targets", data={
        "roster_hash": roster_hash, "witness_number": "271828", "witnesses": "张某", "count": "3", "redraw": "1"})
    assert r.status_code in (409, 422) and "理由" in r.get_data(as_text=True)


def test_flagged_departments_become_non_random_targets(ctx, client, auth, travel):
    from tests.factories import make_problem
    travel(dt.datetime(2026, 11, 21, 10, 0))
    b = bureau()
    for _ in range(3):
        make_problem(department=b["depts"][3], source="tip")
    make_problem(department=b["depts"][2], source="review")
    flagged = service.flagged_departments()
    assert flagged[0]["department"].id == b["depts"][3].id and "举报线索 3 件" in flagged[0]["reason"]
    p = plan(b["discipline"])
    auth.login(b["discipline"])
    html = client.get(f"/inspections/{p.id}").get_data(as_text=True)
    assert "举报线索 3 件" in html
    r = client.post(f"/inspections/{p.id}/targets", data={"department": str(b["depts"][3].id),
                                                          "reason": flagged[0]["reason"]})
    assert r.status_code == 302
    t = InspectionTarget.get()
    assert t.is_random is False and t.kind == "department" and t.draw_id is None
    assert "非随机" in client.get(f"/inspections/{p.id}").get_data(as_text=True)
    r = client.post(f"/inspections/{p.id}/targets", data={"department": str(b["depts"][3].id), "reason": "再次"})
    assert r.status_code == 409


def test_home_panel_lists_my_assignments(ctx, client, auth, travel):
    b, p, d, t = _setup(travel)
    auth.login(b["insp_b"])
    html = client.get("/").get_data(as_text=True)
    assert "明察暗访任务" in html and f"/inspections/targets/{t.id}/finding" in html
    assert json.loads(d.result)  # sanity


def test_perfunctory_self_checks_flag_a_department(ctx, travel):
    from portal.models import selfcheck as sc
    from portal.models import Campaign
    travel(dt.datetime(2026, 11, 21, 10, 0))
    b = bureau()
    c = Campaign.active()
    for u in b["staff"][b["depts"][1].id][:2]:
        sc.SelfCheck.create(user=u, campaign=c, status="returned", perfunctory_count=2)
    flagged = service.flagged_departments()
    assert flagged[0]["department"].id == b["depts"][1].id
    assert "自查敷衍被退回 4 次" in flagged[0]["reason"]


def test_department_target_finding_and_bad_evidence(ctx, client, auth, travel):
    travel(dt.datetime(2026, 11, 21, 10, 0))
    b = bureau()
    p = plan(b["discipline"], kind="department", count=1)
    service.assign_inspector(p, b["insp_b"], b["discipline"])
    t = service.add_target(p, b["depts"][2], b["discipline"], "群众反映窗口服务差")
    auth.login(b["insp_b"])
    r = client.post(f"/inspections/targets/{t.id}/finding", data={
        "outcome": "problem", "check": "1", "description": "午间有人饮酒", "found_at": "2026-11-21T12:30",
        "place": "食堂", "severity": "serious", "files": [(io.BytesIO(b"MZ\x90\x00 not allowed"), "x.exe")]},
        content_type="multipart/form-data")
    assert r.status_code == 422 and "类型不被接受" in r.get_data(as_text=True)
    assert "午间有人饮酒" in r.get_data(as_text=True) and Finding.select().count() == 0
    r = client.post(f"/inspections/targets/{t.id}/finding", data={
        "outcome": "problem", "check": "1", "description": "午间有人饮酒", "found_at": "2026-11-21T12:30",
        "place": "食堂", "severity": "serious"})
    assert r.status_code == 302
    prob = Problem.get()
    assert prob.person_id is None and prob.department_id == b["depts"][2].id and prob.severity == "serious"
    assert prob.item.seq == 13  # 工作日中午饮酒
