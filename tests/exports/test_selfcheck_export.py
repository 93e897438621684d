"""Self-check status as .xlsx: per department and per person, in the viewer's scope, with the page's
department filter, paper layout and formula-like names kept as text."""
import datetime as dt

from portal.models import AuditRecord, Campaign
from portal.models.selfcheck import SelfCheck
from tests.exports.util import assert_paper_layout
from tests.factories import make_user


def _sc(user, status, perfunctory=0):
    SelfCheck.create(user=user, campaign=Campaign.active(), status=status, perfunctory_count=perfunctory,
                     submitted_at=dt.datetime(2026, 11, 20, 9, 30) if status != "draft" else None)


def test_selfcheck_export_by_department_and_person(client, auth, bureau):
    import io
    from openpyxl import load_workbook
    b = bureau
    evil = make_user("evil", b.fin, roles=("staff",), real_name="=SUM(1,2)")
    _sc(b.staff_a, "submitted")
    _sc(b.staff_a2, "returned", perfunctory=1)
    _sc(b.staff_b, "draft")
    _sc(evil, "approved")

    auth.login(b.office)  # the discipline office oversees every department
    page = client.get("/selfcheck/department").get_data(as_text=True)
    assert "/selfcheck/export.xlsx" in page
    r = client.get("/selfcheck/export.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.data))
    depts, people = wb["按部门"], wb["按人员"]
    assert_paper_layout(depts, 2, "序号")
    assert_paper_layout(people, 2, "序号")
    fin = next(row for row in depts.iter_rows(min_row=3, values_only=True) if row[1] == "财务科")
    # people; 未开始, 草稿, 待审核, 已退回, 已通过 (the one vocabulary); returned as 敷衍; not submitted
    assert [c.value for c in depts[2]][2:] == ["应参加人数", "未开始", "草稿", "待审核", "已退回", "已通过",
                                               "退回敷衍（人）", "未提交合计"]
    assert fin[2:] == (4, 1, 0, 1, 1, 1, 1, 2)
    by_name = {row[2]: row for row in people.iter_rows(min_row=3, values_only=True)}
    assert by_name["张华"][5] == "已退回" and by_name["张华"][7] == 1
    assert by_name["王立新"][5] == "未开始" and by_name["孙丽"][5] == "草稿"
    cell = next(c for c in people["C"] if c.value == "=SUM(1,2)")
    assert cell.data_type == "s" and cell.quotePrefix
    assert AuditRecord.select().where(AuditRecord.action == "selfcheck_export").count() == 1

    # the page's department filter
    wb = load_workbook(io.BytesIO(client.get(f"/selfcheck/export.xlsx?dept={b.asset.id}").data))
    assert "部门 资产管理科" in wb["按人员"]["A2"].value
    assert {row[1] for row in wb["按人员"].iter_rows(min_row=4, values_only=True)} == {"资产管理科"}
    assert [row[1] for row in wb["按部门"].iter_rows(min_row=4, values_only=True)] == ["资产管理科"]
    auth.logout()

    # a department head sees only their department, and not another's even when asking for it
    auth.login(b.head_a)
    wb = load_workbook(io.BytesIO(client.get("/selfcheck/export.xlsx").data))
    assert {row[1] for row in wb["按人员"].iter_rows(min_row=3, values_only=True)} == {"财务科"}
    assert client.get(f"/selfcheck/export.xlsx?dept={b.asset.id}").status_code == 404
    auth.logout()

    # staff and the system administrator are refused
    for who in (b.staff_a, b.sysadmin):
        auth.login(who)
        assert client.get("/selfcheck/export.xlsx").status_code == 403
        auth.logout()
