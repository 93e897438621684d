"""Roster import (all rows or none, row-by-row errors), the template, the export round-trip."""
import base64
import io
import re

from openpyxl import Workbook, load_workbook

from portal.admin import roster
from portal.models import AuditRecord, RoleAssignment, User
from portal.passwords import verify_password
from tests.factories import make_department, make_user

HEADERS = ["登录名", "姓名", "工号", "部门", "职务", "手机号", "角色"]           # files made before 邮箱 existed
TEMPLATE_HEADERS = ["登录名", "姓名", "工号", "部门", "职务", "手机号", "邮箱", "角色"]


def xlsx(rows, headers=HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, data: bytes, name="花名册.xlsx", htmx=True):
    payload = {"file": (io.BytesIO(data), name)}
    if htmx:
        return client.hx_post("/admin/roster/import", data=payload, content_type="multipart/form-data")
    return client.post("/admin/roster/import", data=payload, content_type="multipart/form-data")


def error_rows(html):
    """[(行号, 列, 问题)] from the error table."""
    body = html.split('<table class="grid errors">', 1)[1].split("</table>", 1)[0]
    rows = [tuple(re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S))
            for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    return [r for r in rows if r]


def test_template_download(client, sysadmin, office):
    make_department("财务科")
    r = client.get("/admin/roster/template.xlsx")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(r.data))
    assert [c.value for c in wb.worksheets[0][1]] == TEMPLATE_HEADERS
    assert "填写说明" in wb.sheetnames
    assert {"办公室", "财务科"} <= {row[0].value for row in wb["部门列表"].iter_rows()}


def test_good_file_imports_every_row(client, sysadmin, office, app):
    fin = make_department("财务科")
    data = xlsx([
        ["zhangsan", "张三", "E0101", "财务科", "科员", 13800001111, "干部职工"],
        ["lisi", "李四", "E0102", "财务科", "科长", "138 0000 2222", "科室（单位）负责人、干部职工"],
        ["wangwu", "王五", 103, "办公室", "", "+86 139-0000-3333", ""],
        [None, None, None, None, None, None, None],  # blank lines are skipped
        ["zhaoliu", "赵六", "E0104", "办公室", "副局长", "", "分管局领导，干部职工"],
    ])
    r = upload(client, data)
    assert r.status_code == 200, r.get_data(as_text=True)
    html = r.get_data(as_text=True)
    assert "导入成功：共 4 人" in html
    users = {u.username: u for u in User.select().where(User.username != "sys")}
    assert set(users) == {"zhangsan", "lisi", "wangwu", "zhaoliu"}
    assert users["zhangsan"].phone == "13800001111" and users["lisi"].phone == "13800002222"
    assert users["wangwu"].employee_no == "103" and users["wangwu"].roles == {"staff"}
    assert users["wangwu"].phone == "13900003333"
    assert users["lisi"].roles == {"dept_head", "staff"} and users["lisi"].department_id == fin.id
    assert users["zhaoliu"].roles == {"leader", "staff"}
    assert all(u.must_change_password for u in users.values())
    # each one-time password is on the page and in the downloadable result, and works
    link = re.search(r'href="data:[^;]+;base64,([^"]+)"', html).group(1)
    wb = load_workbook(io.BytesIO(base64.b64decode(link)))
    rows = {row[0]: row[4] for row in wb.active.iter_rows(min_row=2, values_only=True) if row[0] and row[4]}
    assert set(rows) == set(users)
    for name, pw in rows.items():
        assert pw in html
        assert verify_password(users[name].password_hash, pw)
    rec = AuditRecord.get(AuditRecord.action == "roster_import")
    assert rec.outcome == "ok" and '"rows": 4' in rec.detail
    # an imported person signs in with the one-time password and must change it first
    fresh = app.test_client()
    r = fresh.post("/login", data={"username": "lisi", "password": rows["lisi"], "csrf_token": fresh.csrf_token()})
    assert r.status_code == 302
    assert fresh.get("/").headers["Location"].endswith("/password")
    for pw in rows.values():
        assert not AuditRecord.select().where(AuditRecord.detail.contains(pw)).exists()


def test_file_with_errors_imports_nothing_and_lists_each_row(client, sysadmin, office):
    make_user("taken", office, employee_no="E9000")
    data = xlsx([
        ["ok1", "正常一", "E0001", "办公室", "科员", "13800000001", "干部职工"],    # row 2: fine
        ["ok2", "", "E0002", "不存在科", "", "12345", ""],                       # row 3: 姓名, 部门, 手机号
        ["ok3", "重复工号", "E0001", "办公室", "", "", ""],                       # row 4: dup employee no in file
        ["taken", "重名", "E9000", "办公室", "", "", ""],                         # row 5: login + no in the DB
        ["ok1", "重复登录名", "E0005", "办公室", "", "", "神仙"],                  # row 6: dup login, unknown role
        ["ok6", "三员", "E0006", "办公室", "", "", "系统管理员、干部职工"],          # row 7: 三员分立
        ["ok7", "", "", "", "", "", ""],                                         # row 8: 姓名, 部门
    ])
    r = upload(client, data)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "未导入任何人员" in html and "data-error-message" in html
    errors = error_rows(html)
    by_row = {}
    for row, col, msg in errors:
        by_row.setdefault(int(row), []).append((col, msg))
    assert 2 not in by_row
    assert {c for c, _ in by_row[3]} == {"姓名", "部门", "手机号"}
    assert any("不存在科" in m for c, m in by_row[3] if c == "部门")
    assert by_row[4] == [("工号", "“E0001”与第 2 行重复")]
    assert {c for c, _ in by_row[5]} == {"登录名", "工号"}
    assert {c for c, _ in by_row[6]} == {"登录名", "角色"}
    assert any("神仙" in m for _c, m in by_row[6])
    assert by_row[7][0][0] == "角色" and "三员分立" in by_row[7][0][1]
    assert {c for c, _ in by_row[8]} == {"姓名", "部门"}
    # nothing at all was imported
    assert User.select().count() == 2
    assert not User.select().where(User.username == "ok1").exists()
    rec = AuditRecord.get(AuditRecord.action == "roster_import")
    assert rec.outcome == "refused"


def test_bad_files(client, sysadmin, office):
    r = upload(client, b"not a workbook at all")
    assert r.status_code == 422 and "不是有效的 Excel 工作簿" in r.get_data(as_text=True)
    r = upload(client, xlsx([], headers=["登录名", "姓名"]))
    assert r.status_code == 422
    cols = {c for _r, c, _m in error_rows(r.get_data(as_text=True))}
    assert cols == {"工号", "部门", "职务", "手机号", "角色"}
    r = upload(client, xlsx([]))
    assert r.status_code == 422 and "没有人员数据" in r.get_data(as_text=True)
    r = upload(client, b"a,b,c", name="roster.csv")
    assert r.status_code == 422 and "只支持 .xlsx" in r.get_data(as_text=True)
    r = client.hx_post("/admin/roster/import", data={}, content_type="multipart/form-data")
    assert r.status_code == 422 and "请选择" in r.get_data(as_text=True)
    assert User.select().count() == 1


def test_import_without_js_renders_the_page(client, sysadmin, office):
    r = upload(client, xlsx([["solo", "独行", "", "办公室", "", "", ""]]), htmx=False)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "<html" in html and "导入成功：共 1 人" in html


def test_export_round_trip(client, sysadmin, office):
    fin = make_department("财务科")
    make_user("a1", fin, real_name="甲", employee_no="0012", title="科长", phone="13900000001",
              email="jia@bureau.example", roles=("dept_head", "staff"))
    make_user("b2", office, real_name="乙", roles=("chief", "staff"))
    gone = make_user("c3", office, real_name="丙")
    gone.is_active_flag = False
    gone.save()
    r = client.get("/admin/roster/export.xlsx")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(r.data))
    rows = list(wb.active.iter_rows(values_only=True))
    assert list(rows[0]) == TEMPLATE_HEADERS
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"sys", "a1", "b2"}  # active people only
    assert by_name["a1"] == ("a1", "甲", "0012", "财务科", "科长", "13900000001", "jia@bureau.example",
                             "干部职工、科室（单位）负责人")
    assert by_name["b2"][7] == "干部职工、局党组书记、局长"  # a label with 、 inside survives the round trip
    rec = AuditRecord.get(AuditRecord.action == "roster_export")
    assert '"rows": 3' in rec.detail
    # the exported file imports again into an empty organisation with the same people and roles
    before = {u.username: (u.real_name, u.employee_no, u.department_id, u.title, u.phone, u.email, u.roles)
              for u in User.select().where(User.username.in_(["a1", "b2"]))}
    RoleAssignment.delete().where(RoleAssignment.user.in_(
        User.select(User.id).where(User.username.in_(["a1", "b2"])))).execute()
    User.delete().where(User.username.in_(["a1", "b2"])).execute()
    only_them = xlsx([row for row in rows[1:] if row[0] != "sys"], headers=TEMPLATE_HEADERS)
    r = upload(client, only_them)
    assert r.status_code == 200, r.get_data(as_text=True)
    after = {u.username: (u.real_name, u.employee_no, u.department_id, u.title, u.phone, u.email, u.roles)
             for u in User.select().where(User.username.in_(["a1", "b2"]))}
    assert after == before
    # importing the whole export again is refused: everyone already exists
    r = upload(client, r_data := client.get("/admin/roster/export.xlsx").data)
    assert r.status_code == 422 and len(r_data) > 0
    assert "已被现有账号使用" in r.get_data(as_text=True)


def test_export_keeps_formula_like_text_as_text(client, sysadmin, office):
    make_user("evil", office, real_name="钱某", title='=HYPERLINK("http://x","点我")')
    wb = load_workbook(io.BytesIO(client.get("/admin/roster/export.xlsx").data))
    cell = next(row[4] for row in wb.active.iter_rows(min_row=2) if row[0].value == "evil")
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_parse_roles():
    assert roster.parse_roles("局党组书记、局长、干部职工") == ({"chief", "staff"}, [])
    assert roster.parse_roles("科室(单位)负责人，staff") == ({"dept_head", "staff"}, [])
    assert roster.parse_roles("分管领导 / 纪委") == ({"leader", "discipline"}, [])
    assert roster.parse_roles("超级管理员")[1] == ["超级管理员"]
    assert roster.parse_roles("") == (set(), [])


def test_email_column_is_checked_and_imported(client, sysadmin, office):
    make_department("财务科")
    bad = xlsx([["wang", "王五", "", "财务科", "", "", "wang@bureau.example", ""],
                ["zhao", "赵六", "", "财务科", "", "", "zhao at bureau", ""]], headers=TEMPLATE_HEADERS)
    r = upload(client, bad)
    assert r.status_code == 422
    assert ("3", "邮箱", "“zhao at bureau”不是有效的电子邮箱地址") in error_rows(r.get_data(as_text=True))
    assert not User.select().where(User.username.in_(["wang", "zhao"])).exists()   # all rows or none
    good = xlsx([["wang", "王五", "", "财务科", "", "", "wang@bureau.example", ""],
                 ["zhao", "赵六", "", "财务科", "", "", "", ""]], headers=TEMPLATE_HEADERS)
    assert upload(client, good).status_code == 200
    assert {u.username: u.email for u in User.select().where(User.username.in_(["wang", "zhao"]))} == \
        {"wang": "wang@bureau.example", "zhao": ""}
