"""The paper 整改台账 as .xlsx: title row, the ledger columns, wrapped text, print widths, A4 landscape,
header rows repeated on every printed page, page numbers in the footer.

build_xlsx(problems, title) is shared: the reports area uses it for the periodic report's ledger.
"""
import io
from copy import copy

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from .. import clock, xlsx
from ..models import Campaign
from .table import COLUMNS, cells, decorate

# widths in characters; the sum (~190) fits A4 landscape at "fit to width"
WIDTHS = (6, 10, 14, 8, 22, 40, 8, 34, 11, 10, 14, 12, 20)
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CHUNK = 1000


def default_title() -> str:
    c = Campaign.active()
    name = c.name if c else "作风纪律整顿"
    return f"{name}整改台账（{clock.today().strftime('%Y年%m月%d日').replace('年0', '年').replace('月0', '月')}）"


def build_xlsx(problems_iterable, title: str) -> bytes:
    """Problems (any iterable of Problem rows; relations are loaded if the query did not join them)
    -> the workbook's bytes."""
    wb = xlsx.new_workbook()
    ws = wb.active
    ws.title = "整改台账"
    ncol = len(COLUMNS)
    last = get_column_letter(ncol)
    ws.append([title])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(name="黑体", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 32
    ws.append(list(COLUMNS))
    head_fill = PatternFill("solid", fgColor="E7E9EC")
    for c in range(1, ncol + 1):
        cell = ws.cell(row=2, column=c)
        cell.font = Font(name="黑体", size=11, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BORDER
        cell.fill = head_fill
    ws.row_dimensions[2].height = 30
    for i, w in enumerate(WIDTHS, 1):
        ws.column_dimensions[get_column_letter(i)].width = w

    # style two template cells once, then copy their style arrays: assigning Font/Border/Alignment
    # per cell hashes the style objects every time and dominated a long export
    body_font = Font(name="宋体", size=10)
    tpl = ws.cell(row=1, column=ncol + 2)
    tpl.font = body_font
    tpl.border = BORDER
    tpl.alignment = Alignment(wrap_text=True, vertical="top")
    tpl_c = ws.cell(row=1, column=ncol + 3)
    tpl_c.font, tpl_c.border = body_font, BORDER
    tpl_c.alignment = Alignment(wrap_text=True, vertical="top", horizontal="center")
    body, centered = copy(tpl._style), copy(tpl_c._style)
    del ws._cells[(1, ncol + 2)], ws._cells[(1, ncol + 3)]
    centered_cols = {1, 7, 9, 10}
    seq = 0
    chunk = []

    def flush():
        nonlocal seq
        decorate(chunk, with_evidence=False, with_extensions=False)
        for p in chunk:
            seq += 1
            ws.append(cells(p, seq))
            r = seq + 2  # (ws.max_row scans every cell: quadratic over a long export)
            for c in range(1, ncol + 1):
                ws._cells[(r, c)]._style = copy(centered if c in centered_cols else body)
        chunk.clear()

    for p in problems_iterable:
        chunk.append(p)
        if len(chunk) >= CHUNK:
            flush()
    flush()

    xlsx.print_setup(ws, header_rows=2)  # title and header frozen and printed on every page, A4 landscape
    if seq:
        ws.auto_filter.ref = f"A2:{last}{seq + 2}"
    return xlsx.to_bytes(wb)


def read_back(data: bytes) -> tuple[str, list, list]:
    """(title, header, rows as lists of text) — for tests and for checking a file."""
    from openpyxl import load_workbook
    ws = load_workbook(io.BytesIO(data)).active
    rows = [["" if v is None else v for v in r] for r in ws.iter_rows(values_only=True)]
    return rows[0][0], rows[1], rows[2:]
