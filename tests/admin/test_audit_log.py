"""The auditor's log: every event in Chinese, who/what/when/which record but no business content, tip-box
events by day only, filters, and the .xlsx export of a range."""
import datetime as dt
import io
import json

from openpyxl import load_workbook

from portal import audit
from portal.models import AuditRecord
from tests.factories import make_user


def _rows(html):
    return html.count('<tr class="outcome-')


def _table(html):
    return html.split('<table class="grid audit">', 1)[1].split("</table>", 1)[0]


def test_every_event_shows_a_chinese_label(client, login_as):
    for code in audit.ACTION_LABELS:
        audit.record(code, "thing", 1)
    login_as("auditor")
    raw = []
    for code, label in audit.ACTION_LABELS.items():
        html = _table(client.hx_get(f"/admin/audit?action={code}").get_data(as_text=True))
        if f"<td>{label}</td>" not in html or f">{code}<" in html:
            raw.append(code)
    assert raw == []
    # the action filter offers every event, by its label
    page = client.get("/admin/audit").get_data(as_text=True)
    for code, label in audit.ACTION_LABELS.items():
        assert f'<option value="{code}">{label}</option>' in page


def test_detail_labels_fit_the_event(client, login_as, office):
    """Statuses were labelled 原部门/新部门; a status change now reads as one."""
    audit.record("problem_status", "problem", 5, detail={"from": "pending", "to": "in_progress"})
    audit.record("department_change", "user", 5, detail={"from": 1, "to": 2})
    audit.record("clue_status", "clue", 2, detail={"from": "accepted", "to": "assigned"})
    audit.record("extension_request", "problem", 5, detail={"to": "2026-12-31"})
    audit.record("role_grant", "user", 5, detail={"role": "auditor"})
    login_as("auditor")
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "原状态：待整改；新状态：整改中" in html
    assert "原部门：1；新部门：2" in html
    assert "原状态：已受理；新状态：已交办" in html
    assert "延期至：2026-12-31" in html and "角色：审计管理员" in html


def test_no_business_content_on_the_page(client, login_as, travel):
    from portal import problems
    from portal.admin.audit_text import detail_text
    from tests.factories import make_department, make_problem
    p = make_problem(department=make_department("财务科"), description="张三在办公室收受礼金")
    problems.update(p.id, None, p.version, description="李四虚报加班费", measures="退回全部款项")
    audit.record("clue_escalated", "clue", 3, detail={"reason": "反映局领导王五"})
    # a record kept before the redaction (content in the stored detail) is redacted on display too
    old = json.dumps({"description": ["赵六的问题", "钱七的问题"], "deadline": ["2026-12-01", "2026-12-31"]},
                     ensure_ascii=False)
    assert "钱七" not in detail_text(old, "problem_update", "problem")
    assert "整改时限：2026-12-01 → 2026-12-31" in detail_text(old, "problem_update", "problem")
    login_as("auditor")
    html = client.get("/admin/audit").get_data(as_text=True)
    for secret in ("张三", "礼金", "李四", "加班费", "退回全部款项", "王五"):
        assert secret not in html
    assert "问题描述：已修改" in html and "整改措施：已修改" in html  # the field names stay
    assert f"问题 <span class=\"mono\">{p.id}</span>" in html  # and which record


def test_tip_box_events_show_the_day_only_and_are_not_placed_among_timed_events(ctx, client, auth, travel):
    from tests.tips.util import org, submit
    travel(dt.datetime(2026, 12, 3, 10, 0, 0))
    bureau = org()
    travel(dt.datetime(2026, 12, 3, 10, 1, 0))
    audit.record("test_before", "thing", 1)
    travel(dt.datetime(2026, 12, 3, 10, 2, 17))
    r, code, _ = submit(client)
    assert code
    travel(dt.datetime(2026, 12, 3, 10, 3, 0))
    audit.record("test_after", "thing", 2)
    rec = AuditRecord.get(AuditRecord.action == "tip_submit")
    assert rec.at == dt.datetime(2026, 12, 3) and rec.actor_id is None
    travel(dt.datetime(2026, 12, 3, 11, 0, 0))
    auth.login(make_user("u-auditor", bureau["office"], roles=["auditor"]))
    html = _table(client.get("/admin/audit?start=2026-12-03&end=2026-12-03").get_data(as_text=True))
    assert "10:02" not in html and "<td class=\"nowrap\">2026-12-03</td>" in html
    rows = html.split('<tr class="outcome-')[1:]
    order = [next((a for a in ("test_before", "test_after", "网上举报") if a in row), None) for row in rows]
    order = [a for a in order if a]
    assert order == ["test_after", "test_before", "网上举报"]  # newest first, the tip after the timed events


def test_filters_by_person_event_object_and_dates(client, login_as, travel, office):
    travel(dt.datetime(2026, 3, 1, 9, 0))
    target = make_user("target", office, real_name="被操作人")
    audit.record("problem_status", "problem", 12, actor=target, detail={"from": "pending", "to": "in_progress"})
    travel(dt.datetime(2026, 3, 5, 9, 0))
    audit.record("problem_status", "problem", 13, detail={"from": "pending", "to": "in_progress"})
    travel(dt.datetime(2026, 3, 10, 9, 0))
    login_as("auditor")
    html = client.hx_get("/admin/audit?actor=被操作人&action=problem_status").get_data(as_text=True)
    assert _rows(html) == 1 and ">12<" in html
    html = client.hx_get("/admin/audit?object=问题:13").get_data(as_text=True)
    assert _rows(html) == 1
    html = client.hx_get("/admin/audit?action=problem_status&start=2026-03-02&end=2026-03-31").get_data(as_text=True)
    assert _rows(html) == 1 and ">13<" in html


def test_export_a_date_range_as_xlsx(client, login_as, travel, office):
    travel(dt.datetime(2026, 11, 30, 9, 0))
    audit.record("roster_export", "roster", "", detail={"rows": 1})
    travel(dt.datetime(2026, 12, 1, 9, 30))
    audit.record("problem_update", "problem", 9, detail={"description": ["a", "=HYPERLINK(\"http://x\")"]})
    audit.record("document_issue", "document", 4, detail={"number": "=1+1", "title": "关于张三的通报"})
    audit.record("tip_submit", "clue", 3, anonymous=True)
    travel(dt.datetime(2026, 12, 2, 9, 0))
    audit.record("roster_export", "roster", "", detail={"rows": 2})
    travel(dt.datetime(2026, 12, 3, 9, 0))
    auditor = login_as("auditor")
    r = client.get("/admin/audit")
    assert "/admin/audit/export" in r.get_data(as_text=True)
    r = client.get("/admin/audit/export?start=2026-12-01&end=2026-12-01")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["序号", "时间", "操作人", "登录名", "操作", "对象", "结果", "详情"]
    body = rows[1:]
    assert sorted(r[4] for r in body) == ["修改问题", "印发公文", "网上举报"]
    tip = next(r for r in body if r[4] == "网上举报")
    assert tip[1] == "2026-12-01" and tip[2] == "匿名"
    issue = next(r for r in body if r[4] == "印发公文")
    assert issue[1] == "2026-12-01 09:30:00" and issue[5] == "公文 4" and issue[6] == "成功"
    text = json.dumps(rows, ensure_ascii=False)
    assert "张三" not in text and "HYPERLINK" not in text
    assert not any(isinstance(v, str) and v.startswith("=") for row in rows for v in row)
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    # the export is itself audited
    rec = AuditRecord.select().order_by(AuditRecord.seq.desc()).get()
    assert rec.action == "audit_export" and rec.actor_id == auditor.id
    assert json.loads(rec.detail)["rows"] == 3 and json.loads(rec.detail)["start"] == "2026-12-01"
    assert audit.verify() == (True, "ok")


def test_only_the_auditor_exports(client, login_as):
    login_as("sysadmin")
    assert client.get("/admin/audit/export").status_code == 403
    login_as("secadmin", username="sec")
    assert client.get("/admin/audit/export").status_code == 403
