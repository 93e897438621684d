"""Every spreadsheet the portal writes keeps formula-like text as text (OWASP "CSV injection"), through
the one writer portal/xlsx.py; the roster import refuses a zip bomb before expanding it."""
import io
import os
import re
import zipfile

import pytest
from openpyxl import load_workbook

from portal import xlsx
from portal.admin import roster
from tests.factories import make_department, make_problem, make_user

from . import samples

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RISKY = ['=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0",
         "\t=1+1", "\r=1+1"]


def sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def assert_inert(data: bytes, texts):
    """Each text is in a string cell, unchanged, quote-prefixed; the sheets hold no formula at all."""
    assert "<f>" not in sheet_xml(data) and "<f " not in sheet_xml(data)
    cells = {c.value: c for ws in load_workbook(io.BytesIO(data)).worksheets
             for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    for t in texts:
        stored = t.replace("\r", "\n") if t.startswith("\r") else t  # XML normalises a bare CR
        c = cells.get(t) or cells.get(stored) or cells.get("_x000D_" + t[1:])
        assert c is not None, t
        assert isinstance(c.value, str) and c.data_type == "s" and c.quotePrefix, t


def test_ledger_export_keeps_formula_like_problems_as_text(client, auth, ctx):
    d = make_department("机关党委（纪委）")
    office = make_user("office", d, roles=("discipline", "staff"))
    for t in RISKY:
        make_problem(make_user(department=make_department()), description=t, measures=t)
    auth.login(office)
    r = client.get("/ledger/export.xlsx")
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment;")
    assert_inert(r.data, RISKY)
    ws = load_workbook(io.BytesIO(r.data)).active
    assert ws.freeze_panes == "A3" and ws.print_title_rows == "$1:$2"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4


def test_simple_tables_are_inert(ctx):
    from portal import xlsx
    data = xlsx.simple("整改台账", ["序号", "问题描述"], [[i, t] for i, t in enumerate(RISKY, 1)], [6, 40],
                       title="=标题")
    assert_inert(data, RISKY + ["=标题"])
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.freeze_panes == "A3" and ws.page_setup.orientation == "landscape"


def test_roster_export_keeps_formula_like_text_as_text(client, auth, ctx):
    office = make_department("办公室")
    admin = make_user("sys", office, roles=("sysadmin",))
    for i, t in enumerate(RISKY):
        make_user(f"risky{i}", office, real_name=f"某{i}", title=t[:60])
    auth.login(admin)
    data = client.get("/admin/roster/export.xlsx").data
    assert_inert(data, [t[:60] for t in RISKY])
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.freeze_panes == "A2" and ws.print_title_rows == "$1:$1"


def test_the_writer_itself():
    data = xlsx.simple("表", ["甲", "乙"], [["=1+1", 5], ["@x", None]], [10, 10])
    assert_inert(data, ["=1+1", "@x"])
    assert load_workbook(io.BytesIO(data)).active["B2"].value == 5  # numbers stay numbers


def test_no_module_but_the_writer_saves_a_workbook():
    offenders = []
    for folder, _dirs, files in os.walk(os.path.join(ROOT, "portal")):
        for name in files:
            path = os.path.join(folder, name)
            if not name.endswith(".py") or path.endswith(os.path.join("portal", "xlsx.py")):
                continue
            text = open(path, encoding="utf-8").read()
            if re.search(r"\bWorkbook\s*\(|import[^\n]*\bWorkbook\b|openpyxl\.Workbook", text):
                offenders.append(os.path.relpath(path, ROOT))
    assert offenders == []


# ---------------------------------------------------------------- roster import
def _login_sysadmin(client, auth):
    office = make_department("办公室")
    auth.login(make_user("sys", office, roles=("sysadmin",)))


def test_roster_zip_bomb_is_refused_before_openpyxl_reads_it(client, auth, ctx, monkeypatch):
    _login_sysadmin(client, auth)
    good = client.get("/admin/roster/template.xlsx").data
    bomb = samples.zip_bomb_office(good, "xl/sharedStrings.xml", 60 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024
    opened = []
    monkeypatch.setattr(roster, "load_workbook", lambda *a, **k: opened.append(1))
    r = client.hx_post("/admin/roster/import", data={"file": (io.BytesIO(bomb), "花名册.xlsx")},
                       content_type="multipart/form-data")
    assert r.status_code == 422 and "压缩炸弹" in r.get_data(as_text=True)
    assert opened == []


def test_roster_reading_stops_at_the_row_limit(client, auth, ctx):
    _login_sysadmin(client, auth)
    wb = xlsx.new_workbook()
    ws = wb.active
    ws.append(roster.HEADERS)
    ws.cell(row=roster.MAX_SCAN_ROWS + 5, column=1, value="late")  # blank rows, then one far below
    r = client.hx_post("/admin/roster/import",
                       data={"file": (io.BytesIO(xlsx.to_bytes(wb)), "花名册.xlsx")},
                       content_type="multipart/form-data")
    assert r.status_code == 422 and "含空行" in r.get_data(as_text=True)


@pytest.mark.parametrize("name,data", [("花名册.xlsx", samples.docx_bytes()), ("花名册.xlsx", b"PK\x03\x04junk")])
def test_roster_import_wants_a_real_workbook(client, auth, ctx, name, data):
    _login_sysadmin(client, auth)
    r = client.hx_post("/admin/roster/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")
    assert r.status_code == 422 and "不是有效的 Excel 工作簿" in r.get_data(as_text=True)
