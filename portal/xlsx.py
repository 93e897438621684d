"""The one .xlsx writer. Every spreadsheet the portal hands out (ledger, reports, roster, every later
export) is built on a workbook from new_workbook() and leaves the process through to_bytes(), which
makes every text cell inert: text starting with `=`, `+`, `-`, `@`, tab or CR is stored as an explicit
string with Excel's quote prefix, so a problem titled `=HYPERLINK(…)` is shown and kept as text, also
when someone edits the cell or re-saves the file as CSV (OWASP "CSV injection").

header() and print_setup() give every export the same face: a bold header row, column widths, the
header frozen and repeated on every printed page, A4 landscape fitted to the page width, page numbers.
simple() does all of it for a plain table, with the page's filters written above the header
(filter_note()); every export view builds its rows from the same scoped query as its page.
"""
import io
from copy import copy

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(name="黑体", bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E7E9EC")
HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BODY_FONT = Font(name="宋体", size=10)


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


def filter_note(labels: dict, values: dict) -> str:
    """"筛选条件：状态 已受理；来源 来信" from {field: label} and {field: shown value}; "" when none."""
    parts = [f"{labels.get(k, k)} {v}" for k, v in values.items() if v not in (None, "", [], ())]
    return "筛选条件：" + "；".join(parts) if parts else ""


def form_note(form, skip=("page",)) -> str:
    """The note for a page's filter form: each filled field by its label, choices by their shown text."""
    values, labels = {}, {}
    for field in form:
        if field.name in skip or field.data in (None, "", 0, [], False) or field.type in ("CSRFTokenField",
                                                                                          "HiddenField"):
            continue
        choices = getattr(field, "choices", None)
        shown = dict((k, v) for k, v, *_ in (c if isinstance(c, tuple) else (c, c) for c in choices or []))
        labels[field.name] = field.label.text
        values[field.name] = shown.get(field.data, field.data)
    return filter_note(labels, values)


def simple(sheet_title: str, headers, rows, widths, title: str | None = None, note: str | None = None) -> bytes:
    """A one-sheet table in paper layout (see add_table), as bytes."""
    wb = new_workbook()
    add_table(wb, sheet_title, headers, rows, widths, title=title, note=note)
    return to_bytes(wb)


def add_table(wb, sheet_title: str, headers, rows, widths, title: str | None = None, note: str | None = None):
    """A sheet in paper layout: an optional title row and an optional note row (the page's filters,
    "筛选条件：…") above the header, then the rows with thin borders and wrapped text; the rows down to the
    header frozen and printed on every page, A4 landscape; an auto-filter on the header. The workbook's
    first (empty) sheet is used for the first table."""
    ws = wb.active if len(wb.worksheets) == 1 and not wb.active._cells else wb.create_sheet()
    ws.title = sheet_title[:31]
    top = 1
    ncol = len(headers)
    for text, font, align in ((title, Font(name="黑体", size=14, bold=True), "center"),
                              (note, Font(name="宋体", size=10), "left")):
        if not text:
            continue
        c = ws.cell(row=top, column=1, value=text)
        c.font, c.alignment = font, Alignment(horizontal=align, vertical="center", wrap_text=True)
        if ncol > 1:
            ws.merge_cells(start_row=top, start_column=1, end_row=top, end_column=ncol)
        top += 1
    header(ws, top, headers, widths)
    for c in range(1, ncol + 1):
        ws.cell(row=top, column=c).border = BORDER
    # one styled template cell whose style array is copied (per-cell style objects are slow on long files)
    tpl = ws.cell(row=top, column=ncol + 2)
    tpl.font, tpl.border, tpl.alignment = BODY_FONT, BORDER, Alignment(wrap_text=True, vertical="top")
    body = copy(tpl._style)
    del ws._cells[(top, ncol + 2)]
    r = top
    for row in rows:
        r += 1
        for i, value in enumerate(row, 1):
            ws.cell(row=r, column=i, value=value)._style = copy(body)
    if r > top:
        ws.auto_filter.ref = f"A{top}:{get_column_letter(ncol)}{r}"
    print_setup(ws, header_rows=top)
    return ws
