"""Row actions through the UI endpoints: the status machine, roles, evidence, returns, extensions,
actions taken, edits, optimistic-lock conflicts and bulk actions."""
import datetime as dt
import io
import json

from portal.models import AuditRecord, Problem, ProblemEvent
from portal.models.ledger import DeadlineExtension, ProblemAction, ProblemEvidence

from tests.tips.util import pdf_bytes

from .conftest import counter

PDF = pdf_bytes("ledger evidence")


def _v(p):
    return str(Problem.get_by_id(p.id).version)


def _status(client, p, to, note="", files=None, mode=None, headers=None):
    data = {"to": to, "version": _v(p), "note": note, "seq": "3", "mode": mode or "start"}
    if files:
        data["evidence"] = files
    return client.hx_post(f"/ledger/{p.id}/status", data=data, content_type="multipart/form-data",
                          headers=headers)


def test_head_moves_row_to_rectified_with_evidence_office_returns_and_closes(client, auth, org, travel):
    travel(dt.date(2026, 6, 1))
    auth.login(org.head_a)
    cur = {"HX-Current-URL": "http://x/ledger/?dept=%d" % org.a.id}
    r = _status(client, org.pa1, "in_progress", "已制定整改方案", headers=cur)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert f'id="row-{org.pa1.id}"' in html and "整改中" in html
    assert 'hx-swap-oob="true"' in html and counter(html, "in_progress") == 1 and counter(html, "pending") == 1
    assert "toast" in r.headers["HX-Trigger"]
    # 已整改 needs a note and evidence
    r = _status(client, org.pa1, "rectified", "", mode="rectify")
    assert r.status_code == 409 and "整改进展说明" in r.get_data(as_text=True)
    r = _status(client, org.pa1, "rectified", "已全部整改到位", mode="rectify")
    assert r.status_code == 409 and "佐证材料" in r.get_data(as_text=True)
    assert "已全部整改到位" in r.get_data(as_text=True)  # input kept
    r = _status(client, org.pa1, "rectified", "已全部整改到位", files=[(io.BytesIO(b"MZ\x90 not allowed"), "x.exe")],
                mode="rectify")
    assert r.status_code == 422 and "类型不被接受" in r.get_data(as_text=True)
    r = _status(client, org.pa1, "rectified", "已全部整改到位", files=[(io.BytesIO(PDF), "整改报告.pdf")],
                mode="rectify")
    assert r.status_code == 200, r.get_data(as_text=True)
    assert Problem.get_by_id(org.pa1.id).status == "rectified"
    assert ProblemEvidence.select().where(ProblemEvidence.problem == org.pa1.id).count() == 1
    # the head may not close it
    r = _status(client, org.pa1, "closed", "")
    assert r.status_code == 409 and "无权" in r.get_data(as_text=True)
    assert AuditRecord.select().where((AuditRecord.action == "problem_refused")
                                      & (AuditRecord.object_id == str(org.pa1.id))).exists()
    auth.logout()
    auth.login(org.office)
    r = _status(client, org.pa1, "in_progress", "", mode="return")
    assert r.status_code == 409 and "理由" in r.get_data(as_text=True)
    r = _status(client, org.pa1, "in_progress", "佐证不足，请补充照片", mode="return")
    assert r.status_code == 200
    p = Problem.get_by_id(org.pa1.id)
    assert p.status == "in_progress"
    ev = ProblemEvent.select().where(ProblemEvent.problem == p.id).order_by(ProblemEvent.id.desc()).first()
    assert ev.from_status == "rectified" and "佐证不足" in ev.note
    # the status machine refuses a jump, with the reason in the row
    r = _status(client, org.pa1, "closed", "")
    assert r.status_code == 409 and "不能从" in r.get_data(as_text=True)
    assert 'data-error-message' in r.get_data(as_text=True)


def test_detail_page_forms_work_without_js(client, auth, org):
    auth.login(org.head_a)
    r = client.post(f"/ledger/{org.pa2.id}/status", data={"to": "in_progress", "version": _v(org.pa2)})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/ledger/{org.pa2.id}")
    r = client.get(r.headers["Location"])
    assert "整改中" in r.get_data(as_text=True)
    assert Problem.get_by_id(org.pa2.id).status == "in_progress"


def test_second_save_is_refused_with_current_state_and_input_kept(client, auth, org, app):
    auth.login(org.head_a)
    v = _v(org.pa1)
    r = client.hx_post(f"/ledger/{org.pa1.id}/edit", data={"measures": "第一人的措施", "remark": "", "version": v})
    assert r.status_code == 200
    r = client.hx_post(f"/ledger/{org.pa1.id}/edit", data={"measures": "第二人的措施", "remark": "第二人备注",
                                                           "version": v})
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "已被他人修改" in html and "data-conflict" in html
    assert "第一人的措施" in html  # the current state
    assert "第二人的措施" in html and "第二人备注" in html  # their input kept
    assert f'name="version" value="{int(v) + 1}"' in html  # a deliberate re-save is possible
    assert Problem.get_by_id(org.pa1.id).measures == "第一人的措施"
    r = client.hx_post(f"/ledger/{org.pa1.id}/edit", data={"measures": "第二人的措施", "remark": "第二人备注",
                                                           "version": str(int(v) + 1)})
    assert r.status_code == 200
    assert Problem.get_by_id(org.pa1.id).measures == "第二人的措施"


def test_stale_status_change_is_a_conflict(client, auth, org):
    auth.login(org.head_a)
    old = _v(org.pa1)
    client.hx_post(f"/ledger/{org.pa1.id}/edit", data={"measures": "改了", "version": old})
    r = client.hx_post(f"/ledger/{org.pa1.id}/status", data={"to": "in_progress", "version": old,
                                                             "note": "我的安排", "mode": "start"})
    assert r.status_code == 409 and "已被他人修改" in r.get_data(as_text=True)
    assert "我的安排" in r.get_data(as_text=True)
    assert Problem.get_by_id(org.pa1.id).status == "pending"


def test_edit_rules(client, auth, org):
    auth.login(org.head_a)
    # a head cannot change the description or severity, only measures and remark
    r = client.hx_post(f"/ledger/{org.pa1.id}/edit", data={"measures": "措施", "description": "篡改",
                                                           "severity": "general", "version": _v(org.pa1)})
    assert r.status_code == 200
    assert Problem.get_by_id(org.pa1.id).description == "甲一：公文办理超时限"
    auth.logout()
    auth.login(org.staff_a)
    r = client.hx_post(f"/ledger/{org.pa1.id}/edit", data={"measures": "x", "version": _v(org.pa1)})
    assert r.status_code == 409 and "无权" in r.get_data(as_text=True)
    auth.logout()
    auth.login(org.office)
    r = client.hx_post(f"/ledger/{org.pa1.id}/edit", data={"measures": "", "description": "短",
                                                           "severity": "bogus", "version": _v(org.pa1)})
    assert r.status_code == 422
    assert "问题描述至少" in r.get_data(as_text=True) and "请选择严重程度" in r.get_data(as_text=True)
    r = client.hx_post(f"/ledger/{org.pa1.id}/edit", data={"measures": "新措施", "description": "甲一：公文办理严重超时",
                                                           "severity": "serious", "version": _v(org.pa1)})
    assert r.status_code == 200
    ev = ProblemEvent.select().where(ProblemEvent.problem == org.pa1.id).order_by(ProblemEvent.id.desc()).first()
    changes = json.loads(ev.changes)
    assert changes["severity"] == ["general", "serious"] and ev.actor_id == org.office.id
    r = client.get(f"/ledger/{org.pa1.id}")
    assert "甲一：公文办理超时限" in r.get_data(as_text=True)  # old value in the history


def test_deadline_changes_only_through_an_approved_extension(client, auth, org, travel):
    travel(dt.date(2026, 6, 1))
    auth.login(org.head_a)
    # the edit form ignores a deadline
    client.hx_post(f"/ledger/{org.pa1.id}/edit", data={"measures": "m", "deadline": "2027-01-01",
                                                       "version": _v(org.pa1)})
    assert Problem.get_by_id(org.pa1.id).deadline == dt.date(2026, 6, 10)
    r = client.hx_post(f"/ledger/{org.pa1.id}/extension", data={"new_deadline": "2026-06-05", "reason": "需要协调"})
    assert r.status_code == 422 and "晚于现有时限" in r.get_data(as_text=True)
    r = client.hx_post(f"/ledger/{org.pa1.id}/extension", data={"new_deadline": "2026-07-10",
                                                                "reason": "涉及跨部门协调"})
    assert r.status_code == 200 and "延期审批中" in r.get_data(as_text=True)
    r = client.hx_post(f"/ledger/{org.pa1.id}/extension", data={"new_deadline": "2026-07-20",
                                                                "reason": "再申请一次"})
    assert r.status_code == 409 and "审批中" in r.get_data(as_text=True)
    r = client.hx_post(f"/ledger/{org.pa1.id}/extension/decide", data={"decision": "approve", "version": _v(org.pa1)})
    assert r.status_code == 409  # heads do not approve
    assert Problem.get_by_id(org.pa1.id).deadline == dt.date(2026, 6, 10)
    auth.logout()
    auth.login(org.office)
    r = client.hx_post(f"/ledger/{org.pa1.id}/extension/decide", data={"decision": "approve", "note": "同意",
                                                                       "version": _v(org.pa1)})
    assert r.status_code == 200
    assert Problem.get_by_id(org.pa1.id).deadline == dt.date(2026, 7, 10)
    assert DeadlineExtension.get().status == "approved"
    ev = ProblemEvent.select().where((ProblemEvent.problem == org.pa1.id) & (ProblemEvent.kind == "deadline")).get()
    assert json.loads(ev.changes)["deadline"] == ["2026-06-10", "2026-07-10"]


def test_office_records_actions_and_document_link_shows(client, auth, org, travel):
    travel(dt.date(2026, 6, 1))
    auth.login(org.head_a)
    r = client.hx_post(f"/ledger/{org.pa2.id}/action", data={"kind": "talk", "date": "2026-06-01"})
    assert r.status_code == 409 and "领导小组办公室" in r.get_data(as_text=True)
    auth.logout()
    auth.login(org.office)
    r = client.hx_post(f"/ledger/{org.pa2.id}/action", data={"kind": "nope", "date": "x"})
    assert r.status_code == 422
    r = client.hx_post(f"/ledger/{org.pa2.id}/action", data={"kind": "circular", "date": "2026-06-01",
                                                             "note": "全局通报"})
    assert r.status_code == 200 and "通报" in r.get_data(as_text=True)
    a = ProblemAction.get()
    assert a.by_id == org.office.id and a.kind == "circular"
    ProblemAction.update(document_id=77).where(ProblemAction.id == a.id).execute()
    assert 'href="/documents/77"' in client.get(f"/ledger/{org.pa2.id}").get_data(as_text=True)
    assert 'href="/documents/77"' in client.get("/ledger/").get_data(as_text=True)


def test_bulk_actions(client, auth, org, travel):
    travel(dt.date(2026, 6, 1))
    auth.login(org.office)
    ids = [str(org.pa1.id), str(org.pb1.id)]
    r = client.hx_post("/ledger/bulk", data={"op": "deadline", "deadline_value": "2026-08-31", "ids": ids})
    assert r.status_code == 200 and "成功 2 条" in r.get_data(as_text=True)
    assert Problem.get_by_id(org.pb1.id).deadline == dt.date(2026, 8, 31)
    r = client.hx_post("/ledger/bulk", data={"op": "deadline", "deadline_value": "2026-01-01", "ids": ids})
    assert "不能早于今天" in r.get_data(as_text=True)
    r = client.hx_post("/ledger/bulk", data={"op": "remind", "ids": ids + ["abc"], "bulk_note": "请抓紧"})
    assert "成功 2 条" in r.get_data(as_text=True)
    assert ProblemAction.select().where(ProblemAction.kind == "reminder").count() == 2
    r = client.hx_post("/ledger/bulk", data={"op": "assign", "assignee": str(org.head_b.id), "ids": [str(org.pc1.id)]})
    assert "成功 1 条" in r.get_data(as_text=True)
    p = Problem.get_by_id(org.pc1.id)
    assert p.person_id == org.head_b.id and p.department_id == org.b.id
    r = client.hx_post("/ledger/bulk", data={"op": "assign", "assignee": str(org.staff_a.id), "ids": ids})
    assert "不是您范围内的科室负责人" in r.get_data(as_text=True)
    r = client.hx_post("/ledger/bulk", data={"op": "remind"})
    assert "请先勾选" in r.get_data(as_text=True)
    # without JS: a plain post redirects back to the filtered list with a message
    r = client.post("/ledger/bulk", data={"op": "remind", "ids": ids, "status": "pending"})
    assert r.status_code == 302 and "status=pending" in r.headers["Location"]


def test_mechanism_groups_common_problems(client, auth, org):
    auth.login(org.office)
    r = client.post("/ledger/mechanisms", data={"title": "", "date": "bad"})
    assert r.status_code == 422 and "请填写制度" in r.get_data(as_text=True)
    r = client.post("/ledger/mechanisms", data={"title": "会议文件精简办法", "content": "合并同类会议",
                                                "owner": str(org.head_b.id), "date": "2026-05-20"})
    assert r.status_code == 302
    from portal.models.ledger import Mechanism
    m = Mechanism.get()
    html = client.get("/ledger/?mech=none").get_data(as_text=True)
    assert f'id="row-{org.pc1.id}"' in html and f'id="row-{org.pa1.id}"' not in html
    r = client.hx_post("/ledger/bulk", data={"op": "mechanism", "mechanism_id": str(m.id), "ids": [str(org.pc1.id)]})
    assert "成功 1 条" in r.get_data(as_text=True)
    html = client.get(f"/ledger/?mech={m.id}").get_data(as_text=True)
    assert f'id="row-{org.pc1.id}"' in html and "会议文件精简办法" in html
    assert f'id="row-{org.pc1.id}"' not in client.get("/ledger/?mech=none").get_data(as_text=True)
    auth.logout()
    auth.login(org.head_a)
    assert client.post("/ledger/mechanisms", data={"title": "越权", "date": "2026-05-20"}).status_code == 403


def test_pending_extensions_filter(client, auth, org, travel):
    travel(dt.date(2026, 6, 1))
    auth.login(org.head_a)
    client.hx_post(f"/ledger/{org.pa2.id}/extension", data={"new_deadline": "2026-07-10", "reason": "需要协调"})
    auth.logout()
    auth.login(org.office)
    html = client.get("/ledger/?ext=1").get_data(as_text=True)
    assert f'id="row-{org.pa2.id}"' in html and f'id="row-{org.pa1.id}"' not in html
    assert "1 份延期申请待审批" in client.get("/").get_data(as_text=True)
