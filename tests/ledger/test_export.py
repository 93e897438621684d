"""The .xlsx export: the paper layout, exactly the filtered scoped rows, audited, reads back as the screen."""
import datetime as dt
import io
import re

from openpyxl import load_workbook

from portal.ledger.export import build_xlsx, read_back
from portal.ledger.table import COLUMNS
from portal.models import AuditRecord, Problem
from tests.factories import make_problem

from .conftest import row_ids


def test_export_equals_the_screen(client, auth, org, travel):
    travel(dt.date(2026, 6, 20))
    for i in range(5):
        make_problem(org.staff_a, description=f"甲批量{i}：多行\n第二行", deadline=dt.date(2026, 7, i + 1),
                     measures="措施" * 40)
    auth.login(org.head_a)
    qs = f"dept={org.a.id}&sort=deadline&dir=desc"
    html = client.get(f"/ledger/?{qs}").get_data(as_text=True)
    screen_ids = [int(x) for x in re.findall(r'<tr id="row-(\d+)"', html)]
    r = client.get(f"/ledger/export.xlsx?{qs}")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r.headers["Content-Disposition"]
    title, header, rows = read_back(r.data)
    assert "整改台账" in title and "2026年6月20日" in title
    assert tuple(header) == COLUMNS
    assert [row[0] for row in rows] == list(range(1, len(screen_ids) + 1))
    by_id = {p.id: p for p in Problem.select()}
    assert [row[5] for row in rows] == [by_id[i].description for i in screen_ids]
    first = rows[-1]  # an original entry: overdue since 06-10
    assert first[9] == "待整改（逾期）" and first[2] == "财务科" and first[11] == "未销号"
    assert any(row[1] == "自查（主动查摆）" for row in rows)
    assert AuditRecord.select().where(AuditRecord.action == "ledger_export").count() == 1
    rec = AuditRecord.select().where(AuditRecord.action == "ledger_export").get()
    assert str(len(rows)) in rec.detail


def test_export_print_setup(ctx, org):
    data = build_xlsx(Problem.select().order_by(Problem.id), "测试整改台账")
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == "测试整改台账" and "A1:M1" in [str(m) for m in ws.merged_cells.ranges]
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    assert ws.print_title_rows == "$1:$2"
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws["F3"].alignment.wrap_text and ws.column_dimensions["F"].width >= 30
    total = sum(ws.column_dimensions[c].width for c in "ABCDEFGHIJKLM")
    assert 150 <= total <= 230
    assert ws.max_row == 2 + 4


def test_export_respects_filters_and_actions_text(client, auth, org, travel):
    travel(dt.date(2026, 6, 1))
    auth.login(org.office)
    client.hx_post(f"/ledger/{org.pb1.id}/action", data={"kind": "talk", "date": "2026-05-30"})
    _t, _h, rows = read_back(client.get("/ledger/export.xlsx?source=tip").data)
    assert len(rows) == 1 and rows[0][10] == "约谈 2026-05-30" and rows[0][1] == "举报"
    _t, _h, rows = read_back(client.get("/ledger/export.xlsx?q=不存在的内容").data)
    assert rows == []
    html = client.get("/ledger/?source=tip").get_data(as_text=True)
    assert row_ids(html) == {org.pb1.id}
    assert "export.xlsx?source=tip" in html
