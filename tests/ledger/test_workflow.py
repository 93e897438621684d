"""The responsible person works their own item: progress notes, evidence, 已整改 (asking for 销号), the
head's confirmation or return, the office's 验收; each step audited and notifying the next person."""
import io

from portal.models import AuditRecord, Notice, Problem, ProblemEvent
from portal.models.ledger import DeadlineExtension, ProblemEvidence
from tests.tips.util import pdf_bytes

PDF = pdf_bytes("evidence")


def _p(p):
    return Problem.get_by_id(p.id)


def _post(client, p, path, **data):
    data.setdefault("version", str(_p(p).version))
    return client.post(f"/ledger/{p.id}/{path}", data=data, content_type="multipart/form-data")


def _audits(p, action):
    return [a for a in AuditRecord.select().where((AuditRecord.action == action)
                                                 & (AuditRecord.object_id == str(p.id)))]


def _notices(user):
    return list(Notice.select().where(Notice.user == user.id).order_by(Notice.id))


def test_person_works_item_head_returns_confirms_office_accepts(client, auth, org):
    p = org.pa1  # 李明's own problem in 财务科 (head 王立新)
    auth.login(org.staff_a)
    r = _post(client, p, "progress", note="短")
    assert r.status_code == 422 and "请填写整改进展" in r.get_data(as_text=True)
    r = _post(client, p, "progress", note="已制定整改方案，正在逐件清理")
    assert r.status_code == 303
    assert _p(p).status == "in_progress"
    assert ProblemEvent.select().where((ProblemEvent.problem == p.id) & (ProblemEvent.kind == "progress")).count() == 1
    assert len(_audits(p, "problem_progress")) == 1
    r = _post(client, p, "progress", note="第二周：完成一半", evidence=(io.BytesIO(PDF), "进展.pdf"))
    assert ProblemEvidence.select().where(ProblemEvidence.problem == p.id).count() == 1
    page = client.get(f"/ledger/{p.id}").get_data(as_text=True)
    assert "已制定整改方案，正在逐件清理" in page and "第二周：完成一半" in page and 'id="timeline"' in page

    # asks 销号: goes to the head first
    r = _post(client, p, "status", to="rectified", note="整改完成，附台账")
    assert r.status_code == 302
    q = _p(p)
    assert (q.status, q.review_stage) == ("rectified", "head")
    assert any(f"#{p.id}" in n.text and "请确认" in n.text for n in _notices(org.head_a))
    assert [a for a in _audits(p, "problem_review") if '"request"' in a.detail]
    auth.logout()

    # the office cannot accept before the head has confirmed
    auth.login(org.office)
    _post(client, p, "status", to="closed", note="")
    assert _p(p).status == "rectified"
    auth.logout()

    # the head returns it with a reason
    auth.login(org.head_a)
    _post(client, p, "status", to="in_progress", note="佐证不足，请补充台账照片")
    q = _p(p)
    assert (q.status, q.review_stage) == ("in_progress", "returned")
    assert any("退回" in n.text and "佐证不足" in n.text for n in _notices(org.staff_a))
    auth.logout()

    # the person completes it again; the head confirms; the office accepts
    auth.login(org.staff_a)
    assert "被退回重新整改" in client.get(f"/ledger/{p.id}").get_data(as_text=True)
    _post(client, p, "status", to="rectified", note="已补充照片", evidence=(io.BytesIO(PDF), "照片.pdf"))
    assert _p(p).review_stage == "head"
    auth.logout()
    auth.login(org.head_a)
    r = _post(client, p, "confirm", note="核实无误")
    q = _p(p)
    assert (q.status, q.review_stage) == ("rectified", "office")
    assert any("待验收" in n.text for n in _notices(org.office))
    auth.logout()
    auth.login(org.office)
    _post(client, p, "status", to="closed", note="验收合格")
    q = _p(p)
    assert (q.status, q.review_stage) == ("closed", "")
    assert any("已验收销号" in n.text for n in _notices(org.staff_a))
    steps = [a.detail for a in _audits(p, "problem_review")]
    for step in ("request", "return", "confirm", "accept"):
        assert any(f'"{step}"' in d for d in steps), step


def test_other_staff_and_leader_cannot_work_the_item(client, auth, org):
    p = org.pa1
    auth.login(org.staff_a2)  # a colleague in the same department does not see it
    r = _post(client, p, "progress", note="冒名填写的进展")
    assert r.status_code == 404
    assert _p(p).status == "pending"
    assert AuditRecord.select().where((AuditRecord.action == "access_denied")
                                      & (AuditRecord.object_id == str(p.id))).exists()
    auth.logout()
    auth.login(org.leader)  # the leader in charge sees it but does not work it
    r = _post(client, p, "progress", note="领导代填进展")
    assert r.status_code == 409 and "只有责任人、责任科室负责人或领导小组办公室" in r.get_data(as_text=True)
    _post(client, p, "status", to="in_progress", note="")
    assert _p(p).status == "pending"
    assert not ProblemEvent.select().where((ProblemEvent.problem == p.id) & (ProblemEvent.kind == "progress")).exists()
    assert len(_audits(p, "problem_refused")) == 2
    auth.logout()
    auth.login(org.head_b)  # another department's head: not in scope
    assert _post(client, p, "confirm").status_code == 404


def test_head_reports_department_problem_straight_to_office(client, auth, org):
    p = org.pc1  # 办公室's problem with no named person; 办公室's head is 马正义
    from tests.factories import make_user
    auth.login("dischead")
    _post(client, p, "status", to="in_progress", note="")
    _post(client, p, "status", to="rectified", note="会议文件已精简", evidence=(io.BytesIO(PDF), "a.pdf"))
    q = _p(p)
    assert (q.status, q.review_stage) == ("rectified", "office")
    assert any("待验收" in n.text for n in _notices(org.office))
    assert make_user  # (factory import kept for symmetry)


def test_person_requests_extension_office_notified(client, auth, org):
    p = org.pa1
    auth.login(org.staff_a)
    r = client.post(f"/ledger/{p.id}/extension", data={"new_deadline": "2027-01-20", "reason": "需跨部门协调"})
    assert r.status_code in (302, 303)
    assert DeadlineExtension.select().where(DeadlineExtension.problem == p.id).count() == 1
    assert any("申请延期" in n.text for n in _notices(org.office))
    assert _audits(p, "extension_request")


def test_partner_case_listed_once(client, auth, org):
    from portal import problems
    a, b = org.pa2, org.pb1
    problems.update(a.id, org.office, _p(a).version, partner=b.id)
    problems.update(b.id, org.office, _p(b).version, partner=a.id)  # linked both ways, as the demo does
    auth.login(org.office)
    page = client.get(f"/ledger/{a.id}").get_data(as_text=True)
    block = page.split("<dt>一案双查</dt>")[1].split("</dd>")[0]
    assert block.count(f'/ledger/{b.id}"') == 1


def test_stage_filter_row_buttons_and_home_panel(client, auth, org):
    from portal import problems
    from .conftest import row_ids
    p = problems.transition(org.pa1.id, "in_progress", org.staff_a, _p(org.pa1).version)
    problems.transition(p.id, "rectified", org.staff_a, p.version, stage="head")
    auth.login(org.head_a)
    html = client.get("/ledger/?stage=head").get_data(as_text=True)
    assert row_ids(html) == {p.id} and "确认整改" in html and "待科室负责人确认" in html
    assert row_ids(client.get("/ledger/?stage=office").get_data(as_text=True)) == set()
    assert "待您确认" in client.get("/").get_data(as_text=True)
    r = client.hx_get(f"/ledger/{p.id}/row/confirm")
    assert r.status_code == 200 and "确认意见" in r.get_data(as_text=True)
    r = client.hx_post(f"/ledger/{p.id}/confirm", data={"version": str(_p(p).version), "note": ""})
    assert r.status_code == 200 and _p(p).review_stage == "office"
    assert "待机关纪委验收" in r.get_data(as_text=True)
    assert "销号审核参数无效" in client.get("/ledger/?stage=bogus").get_data(as_text=True)
