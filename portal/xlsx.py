"""The one .xlsx writer. Every spreadsheet the portal hands out (ledger, reports, roster, every later
export) is built on a workbook from new_workbook() and leaves the process through to_bytes(), which
makes every text cell inert: text starting with `=`, `+`, `-`, `@`, tab or CR is stored as an explicit
string with Excel's quote prefix, so a problem titled `=HYPERLINK(…)` is shown and kept as text, also
when someone edits the cell or re-saves the file as CSV (OWASP "CSV injection").

header() and print_setup() give every export the same face: a bold header row, column widths, the
header frozen and repeated on every printed page, A4 landscape fitted to the page width, page numbers.
simple() does all of it for a plain table.
"""
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(name="黑体", bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E7E9EC")
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)


def new_workbook() -> Workbook:
    return Workbook()


def is_risky(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def neutralise(ws) -> int:
    """Make every formula-like text cell of the sheet a plain string with the quote prefix; returns
    how many cells were touched. (openpyxl turns a str starting with "=" into a formula cell.)"""
    n = 0
    for c in list(ws._cells.values()):  # the cells that exist (iter_rows would create the empty ones)
        if is_risky(c.value):
            c.data_type = "s"
            c.quotePrefix = True
            n += 1
    return n


def header(ws, row: int, headers, widths, font=HEADER_FONT, fill=HEADER_FILL) -> None:
    """Write the header row `row`, styled, and set the column widths (in characters)."""
    for i, text in enumerate(headers, 1):
        c = ws.cell(row=row, column=i, value=text)
        c.font, c.fill, c.alignment = font, fill, HEADER_ALIGN
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w


def print_setup(ws, header_rows: int = 1, landscape: bool = True) -> None:
    """Freeze the first `header_rows` rows, repeat them on every printed page, A4 (landscape unless
    told), fitted to one page wide, page numbers in the footer."""
    ws.freeze_panes = f"A{header_rows + 1}"
    ws.print_title_rows = f"1:{header_rows}"
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.size = 9
    ws.evenFooter.center.text = "第 &P 页，共 &N 页"


def to_bytes(wb) -> bytes:
    """The workbook's bytes, every sheet neutralised first. The only place a workbook is saved."""
    for ws in wb.worksheets:
        neutralise(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def simple(sheet_title: str, headers, rows, widths, title: str | None = None) -> bytes:
    """A one-sheet table: an optional title row above the header, then the rows."""
    wb = new_workbook()
    ws = wb.active
    ws.title = sheet_title[:31]
    top = 1
    if title:
        ws.cell(row=1, column=1, value=title).font = Font(name="黑体", size=14, bold=True)
        if len(headers) > 1:
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        top = 2
    header(ws, top, headers, widths)
    for r in rows:
        ws.append(list(r))
    print_setup(ws, header_rows=top)
    return to_bytes(wb)
