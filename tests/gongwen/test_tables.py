"""Tables measured on the PDF: cells keep the body's 避头尾 rules (no closing mark at a line start, no opening
mark at a line end) and number columns are right-aligned on the decimal point."""
import io

import pdfplumber
import pytest

from portal.gongwen import typeset
from portal.gongwen.fonts import font_set
from portal.gongwen.render import render_pdf

from .layout import MM

QUOTED = ["严格执行“三重一大”。", "落实“一岗双责”，强化监督。", "完成整改（已销号）。”", "他说：“好。”然后走了。",
          "对“四风”问题，露头就打。", "建立台账（含佐证材料）。"]
NUMBERS = ["1", "12", "123.5", "1,234", "8.25", "0.5%", "46"]


def cell_runs(pdf_bytes):
    """Per page, the table's text runs: chars of one baseline split where the gap between two glyphs is
    wider than a cell's padding (a column boundary). Each run: (x0, x1, text, chars)."""
    out = []
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        for page in pdf.pages:
            chars = [c for c in page.chars if c["text"].strip() and abs(c["size"] - 16) < 0.1]
            rows = {}
            for c in chars:
                rows.setdefault(round(c["top"], 0), []).append(c)
            for _, cs in sorted(rows.items()):
                cs.sort(key=lambda c: c["x0"])
                run = [cs[0]]
                for a, b in zip(cs, cs[1:]):
                    if b["x0"] - a["x1"] > 3:
                        out.append(run)
                        run = []
                    run.append(b)
                out.append(run)
    return [(r[0]["x0"], r[-1]["x1"], "".join(c["text"] for c in r), r) for r in out]


def table_doc(rows, header, widths):
    return dict(title="表格测试", body="见下表。\n[[表格1]]", signature="综合服务科", date="2026-05-06",
                tables=[dict(header=header, rows=rows, widths=widths)])


@pytest.mark.parametrize("width", [4, 5, 6, 7])
def test_wrap_cells_keeps_kinsoku(width):
    fonts = font_set(None)
    for text in QUOTED:
        lines = typeset.wrap_cells(fonts, text, width)
        assert "".join(lines) == text
        for ln in lines:
            assert ln[0] not in typeset.NO_START or ln == lines[0], (text, lines)
            assert ln[-1] not in typeset.NO_END, (text, lines)
            assert sum(fonts.advance("fang", c) for c in ln) <= width + 1e-6


def test_table_cells_in_the_pdf_keep_kinsoku():
    rows = [[str(i), q, q] for i, q in enumerate(QUOTED, 1)]
    pdf = render_pdf("department-report", table_doc(rows, ["序号", "问题", "措施"], [4, 6.5, 8]))
    runs = [r for r in cell_runs(pdf) if r[2] not in ("序号", "问题", "措施")]
    text = "".join(r[2] for r in runs)
    for q in QUOTED:
        assert q.replace("“", "").replace("”", "")[:3] in text.replace("“", "").replace("”", "")
    wrapped = 0
    for x0, x1, t, _ in runs:
        assert t[0] not in typeset.NO_START, t
        assert t[-1] not in typeset.NO_END, t
        wrapped += 1
    assert wrapped > 2 * len(QUOTED), "narrow columns: the cells wrap"


def test_number_columns_right_aligned_on_the_decimal_point():
    rows = [[f"第{i}项", n, f"说明{i}"] for i, n in enumerate(NUMBERS, 1)]
    pdf = render_pdf("department-report", table_doc(rows, ["项目", "数量", "备注"], [6, 6, 16]))
    runs = {r[2]: r for r in cell_runs(pdf)}
    ends = []
    for n in NUMBERS:
        x0, x1, t, chars = runs[n]
        int_end = max(k for k, c in enumerate(chars) if c["text"].isdigit() and "." not in n[:k + 1]
                      and "%" not in n[:k + 1])
        ends.append(chars[int_end]["x1"])
    assert max(ends) - min(ends) < 0.3, ends                      # integer parts end on one vertical
    label_x0 = {runs[f"第{i}项"][0] for i in range(1, len(NUMBERS) + 1)}
    assert max(label_x0) - min(label_x0) < 0.3                    # text columns stay left-aligned
    widest = max(runs[n][1] for n in NUMBERS)
    col_right = 28 * MM + 12 * typeset.CELL                       # the 2nd column ends 12 cells in
    assert col_right - 0.25 * typeset.CELL - 1 <= widest <= col_right, "flush right inside the padding"
