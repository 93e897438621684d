"""Reading an exported workbook back: every cell's value, and the raw bytes of every part of the zip."""
import io
import zipfile

from openpyxl import load_workbook


def sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def texts(data: bytes) -> str:
    """All the text inside the .xlsx zip (shared strings, sheets, properties), for "never in the file"."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())


def assert_paper_layout(ws, header_row: int, header_first: str):
    """Frozen header, repeated on every printed page, A4 landscape, widths set, the formula cells inert."""
    assert ws.cell(row=header_row, column=1).value == header_first
    assert ws.freeze_panes == f"A{header_row + 1}"
    assert ws.print_title_rows == f"$1:${header_row}"
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    assert ws.column_dimensions["B"].width > 0
    for row in ws.iter_rows():
        for c in row:
            assert c.data_type != "f", f"formula cell {c.coordinate}: {c.value}"
