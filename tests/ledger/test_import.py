"""Import of an existing Excel 台账: whole file checked first (row, column, reason in Chinese), nothing
written unless every row is valid, a re-import creates no duplicates, formulas are text, the template."""
import datetime as dt
import io

from openpyxl import Workbook, load_workbook

from portal.ledger.table import COLUMNS
from portal.models import AuditRecord, Item, Problem
from portal.models.ledger import ProblemAction


def _xlsx(rows, header=COLUMNS, title="某局整改台账"):
    wb = Workbook()
    ws = wb.active
    ws.append([title])
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row(dept, person="", item="", desc="问题描述示例", sev="一般", dl="2026-12-31", status="待整改",
         acts="", closing="", remark="", source="巡察"):
    return [1, source, dept, person, item, desc, sev, "整改措施", dl, status, acts, closing, remark]


def _upload(client, data, name="台账.xlsx"):
    return client.post("/ledger/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_bad_rows_nothing_written_messages_shown(client, auth, org):
    auth.login(org.office)
    before = Problem.select().count()
    item = Item.select().order_by(Item.seq).first()
    data = _xlsx([
        _row(org.a.name, org.staff_a.real_name, f"{item.category.name} {item.seq}. x", desc="合格的一行问题"),
        _row("不存在的科", desc="单位名称错误的一行"),
        _row(org.a.name, "查无此人", desc="责任人错误的一行"),
        _row(org.b.name, dl="明年", status="差不多了", desc="日期和状态都错"),
        _row(org.b.name, item="99", sev="很严重", desc="类别和严重程度错"),
        _row(org.b.name, desc="短"),
        _row(org.b.name, acts="表扬 2026-11-01", source="路边社", desc="处理方式和来源错"),
    ])
    r = _upload(client, data)
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert Problem.select().count() == before
    for text in ("第 4 行", "系统中没有名为“不存在的科”的单位", "第 5 行", "查无此人", "第 6 行", "“明年”不是有效日期",
                 "“差不多了”不是可选值", "第 7 行", "不是本次活动清单中的问题项", "“很严重”不是可选值", "第 8 行",
                 "应为 4–4000 字", "第 9 行", "应为“通报/提醒/约谈 日期”", "“路边社”不是可选的来源"):
        assert text in page, text
    assert "第 3 行" not in page  # the valid row has no message
    assert AuditRecord.select().where((AuditRecord.action == "ledger_import")
                                      & (AuditRecord.outcome == "refused")).exists()


def test_good_import_then_reimport_creates_no_duplicates(client, auth, org):
    auth.login(org.office)
    item = Item.select().order_by(Item.seq).first()
    rows = [
        _row(org.a.name, org.staff_a.real_name, f"{item.category.name} {item.seq}. {item.text}",
             desc="巡察发现：公文办理超时", acts="通报 2026-11-20", remark="立行立改；已在科室会上说明"),
        _row(org.b.name, desc="=HYPERLINK(\"http://evil.example\",\"点我\")", source="上级交办",
             dl=dt.datetime(2027, 1, 15), sev="严重"),
        _row(org.b.name, org.staff_b.real_name, desc="群众反映：窗口答复不及时", source="群众反映",
             status="已销号", closing="已销号 2026-11-30"),
    ]
    data = _xlsx(rows)
    before = Problem.select().count()
    r = _upload(client, data)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert "新增 3 条" in r.get_data(as_text=True)
    assert Problem.select().count() == before + 3
    p1 = Problem.get(Problem.description == "巡察发现：公文办理超时")
    assert (p1.source, p1.person_id, p1.item_id, p1.fixed_at_once, p1.remark) == (
        "patrol", org.staff_a.id, item.id, True, "已在科室会上说明")
    assert ProblemAction.get(ProblemAction.problem == p1.id).kind == "circular"
    p2 = Problem.get(Problem.department == org.b.id, Problem.source == "assigned")
    assert p2.description.startswith("=HYPERLINK(") and p2.deadline == dt.date(2027, 1, 15)  # text, not evaluated
    p3 = Problem.get(Problem.description == "群众反映：窗口答复不及时")
    assert p3.status == "closed" and p3.closed_at.date() == dt.date(2026, 11, 30)
    r = _upload(client, data)  # the same file again
    assert r.status_code == 200 and "新增 0 条" in r.get_data(as_text=True)
    assert "3 条已在台账中" in r.get_data(as_text=True)
    assert Problem.select().count() == before + 3
    assert AuditRecord.select().where((AuditRecord.action == "ledger_import") & (AuditRecord.outcome == "ok")).count() == 2


def test_export_reimported_creates_nothing_and_numbered_rows(client, auth, org):
    auth.login(org.office)
    exported = client.get("/ledger/export.xlsx").data
    before = Problem.select().count()
    r = _upload(client, exported)
    assert r.status_code == 200 and "新增 0 条" in r.get_data(as_text=True), r.get_data(as_text=True)
    assert Problem.select().count() == before
    # a 编号 column decides duplicates when present
    data = _xlsx([["A-1"] + _row(org.a.name, desc="编号一的问题")[1:], ["A-2"] + _row(org.a.name, desc="编号二的问题")[1:]],
                 header=("编号",) + COLUMNS[1:])
    assert "新增 2 条" in _upload(client, data).get_data(as_text=True)
    data2 = _xlsx([["A-1"] + _row(org.a.name, desc="编号一的问题（描述改过）")[1:]], header=("编号",) + COLUMNS[1:])
    assert "新增 0 条" in _upload(client, data2).get_data(as_text=True)


def test_head_imports_only_own_department_and_files_are_checked(client, auth, org):
    auth.login(org.head_a)
    before = Problem.select().count()
    r = _upload(client, _xlsx([_row(org.a.name, desc="本科室的问题"), _row(org.b.name, desc="别的科室的问题")]))
    assert r.status_code == 422 and "不在您可登记的范围内" in r.get_data(as_text=True)
    assert Problem.select().count() == before
    r = _upload(client, b"not a workbook at all", name="台账.xlsx")
    assert r.status_code == 422 and Problem.select().count() == before
    r = _upload(client, _xlsx([["x"]], header=("甲", "乙")))
    assert r.status_code == 422 and "未找到表头" in r.get_data(as_text=True)
    auth.logout()
    auth.login(org.staff_a)
    assert _upload(client, _xlsx([_row(org.a.name)])).status_code == 403


def test_template_download(client, auth, org):
    auth.login(org.head_a)
    r = client.get("/ledger/import/template.xlsx")
    assert r.status_code == 200 and r.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(r.data))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[2]] == list(COLUMNS) and ws.max_row == 2
    notes = " ".join(str(c.value) for row in wb["填写说明"].iter_rows() for c in row)
    assert "领导点评" in notes and org.a.name in notes and org.b.name not in notes
    # the untouched template imports as "no rows", not as an error page of 500
    r = _upload(client, r.data)
    assert r.status_code == 422 and "没有可导入的数据行" in r.get_data(as_text=True)
