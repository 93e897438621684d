"""The document as Word (.docx), in the layout of the PDF, for a clerk's last change in WPS or Word.

The composer's units are written as Word paragraphs (a paragraph of text is one Word paragraph, so Word
re-flows it when edited), with the page, the 22 × 28 document grid, the fonts of each role and the positions
of the header, signature and 版记 taken from the same computation as the PDF: A4, margins 37/26/35/28 mm,
exact 28.95pt line pitch, 3号仿宋 body, headings in 黑体/楷体, the red 发文机关标志 and rule, tables, 附件
pages after a page break, page numbers "— N —" outside on odd and even pages. Figures are represented by
their caption (the PDF carries the drawing).
"""
import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .compose import Composer
from .fonts import font_set
from .grid import CELL, KINDS, P

WORD_FONT = {"fang": "仿宋_GB2312", "hei": "黑体", "kai": "楷体_GB2312", "song": "宋体", "xbs": "方正小标宋简体"}
RED = RGBColor(0xE6, 0x00, 0x12)
LINE = Pt(P)


def _font(run, role, size=16.0, color=None):
    run.font.name = WORD_FONT[role]
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), WORD_FONT[role])
    run.font.size = Pt(size)
    if color is not None:
        run.font.color.rgb = color


def _para(d, text="", role="fang", size=16.0, align=None, left=0.0, first=0.0, color=None, exact=P):
    p = d.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(exact)
    fmt.space_before = fmt.space_after = Pt(0)
    if align is not None:
        p.alignment = align
    if left:
        fmt.left_indent = Pt(left)
    if first:
        fmt.first_line_indent = Pt(first)
    if text:
        _font(p.add_run(text), role, size, color)
    return p


def _border(p, side, size_eighths, color="000000", space=1):
    ppr = p._p.get_or_add_pPr()
    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = OxmlElement("w:pBdr")
        ppr.append(bdr)
    el = OxmlElement(f"w:{side}")
    for k, v in (("val", "single"), ("sz", str(size_eighths)), ("space", str(space)), ("color", color)):
        el.set(qn(f"w:{k}"), v)
    bdr.append(el)


def _page_number(footer, odd):
    p = footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    fmt = p.paragraph_format
    if odd:
        fmt.right_indent = Pt(14)
    else:
        fmt.left_indent = Pt(14)
    _font(p.add_run("— "), "song", 14)
    run = p.add_run()
    _font(run, "song", 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            fc = OxmlElement("w:fldChar")
            fc.set(qn("w:fldCharType"), kind)
            run._r.append(fc)
        else:
            it = OxmlElement("w:instrText")
            it.set(qn("xml:space"), "preserve")
            it.text = text
            run._r.append(it)
    _font(p.add_run(" —"), "song", 14)


def _setup(d, letter):
    sec = d.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    sec.footer_distance = Mm(21)                       # 页码 7 mm below the text block
    grid = sec._sectPr.find(qn("w:docGrid"))          # 22 lines × 28 characters
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sec._sectPr.append(grid)
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(round(P * 20)))
    grid.set(qn("w:charSpace"), str(round((CELL - 16) * 4096)))
    d.settings.odd_and_even_pages_header_footer = True
    _page_number(sec.footer, True)
    _page_number(sec.even_page_footer, False)
    if letter:                                         # 信函格式: no number on page 1
        sec.different_first_page_header_footer = True
    normal = d.styles["Normal"]
    normal.font.size = Pt(16)
    normal.font.name = WORD_FONT["fang"]
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), WORD_FONT["fang"])


def _head(d, items):
    for it in items:
        t = it["t"]
        if t == "field":
            _para(d, it["text"], it["role"])
        elif t in ("organ", "mark"):
            p = _para(d, it["text"], "xbs", it["size"], WD_ALIGN_PARAGRAPH.CENTER, color=RED, exact=it["size"] + 4)
            p.paragraph_format.space_before = Pt(max(it["top"], 0) if t == "organ" else 0)
        elif t == "docno":
            align = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}.get(it["cls"])
            p = _para(d, it["text"], "fang", align=align, left=CELL if it["cls"] == "up" else 0.0)
            p.paragraph_format.space_before = Pt(2 * P - 16)
            if it.get("signer"):
                p.paragraph_format.tab_stops.add_tab_stop(Pt(CELL * 27), alignment=WD_TAB_ALIGNMENT.RIGHT)   # right tab
                _font(p.add_run("\t签发人："), "fang")
                _font(p.add_run(it["signer"]), "kai")
            p.paragraph_format.space_after = Pt(11)
            _border(p, "bottom", 8, "E60012", 4)        # the red rule, 0.35 mm, 4 mm below
        elif t == "dbl" and it["cls"] == "top":
            p = _para(d, exact=2)
            _border(p, "bottom", 18, "E60012")
    _para(d)
    _para(d)


def _table(d, rows):
    head = rows[0].data
    ncol = len(head["cells"])
    table = d.add_table(rows=0, cols=ncol)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for k, w in enumerate(head["widths"]):
        table.columns[k].width = Pt(w)
    for u in rows:
        cells = table.add_row().cells
        for k, lines in enumerate(u.data["cells"]):
            cells[k].width = Pt(u.data["widths"][k])
            p = cells[k].paragraphs[0]
            fmt = p.paragraph_format
            fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
            if u.data["centre"][k]:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif u.data.get("right", [False] * ncol)[k]:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _font(p.add_run("".join(lines)), "hei" if u.data["head"] else "fang")
        if u.data["head"]:
            trpr = table.rows[-1]._tr.get_or_add_trPr()
            el = OxmlElement("w:tblHeader")
            trpr.append(el)


def _line_para(d, lines, rest_cells=None):
    """Lines of one paragraph (the engine's Line objects) as one Word paragraph, runs by font role;
    ``rest_cells``: the indent of its lines after the first (a hanging indent), if not the second's."""
    first = lines[0]
    left = lines[1].indent_pt if len(lines) > 1 else (
        rest_cells * CELL if rest_cells is not None else first.indent_pt)
    align = WD_ALIGN_PARAGRAPH.CENTER if first.kind in ("center", "caption") else WD_ALIGN_PARAGRAPH.JUSTIFY
    p = _para(d, align=align, left=left, first=first.indent_pt - left)
    for ln in lines:
        for s in ln.segs:
            _font(p.add_run(s.text), s.role)
    return p


def render_docx(kind: str, doc: dict, fonts_dir: str | None = None) -> bytes:
    """``doc`` (see render.py) as a .docx in the layout of the PDF."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}")
    comp = Composer(kind, dict(doc or {}, kind=kind), font_set(fonts_dir))
    comp.paginate = lambda: None
    comp.compose()
    d = Document()
    _setup(d, comp.fmt == "letter")
    units, i = comp.units, 0
    while i < len(units):
        u = units[i]
        if u.kind == "head":
            _head(d, u.data["items"])
        elif u.kind == "title":
            p = _para(d, align=WD_ALIGN_PARAGRAPH.CENTER)
            while i < len(units) and units[i].kind == "title":
                if p.runs:
                    p.runs[-1].add_break()
                _font(p.add_run(units[i].data["text"]), "xbs", 22)
                i += 1
            continue
        elif u.kind == "blank":
            _para(d)
        elif u.kind == "break":
            nxt = units[i + 1] if i + 1 < len(units) else None
            if not (nxt is not None and nxt.kind == "upload" and nxt.data["page"]):   # one page per upload
                d.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
        elif u.kind == "upload":
            if not u.data["page"]:
                from .appendix import page_count
                _para(d, f"（此附件为上传的 PDF 文件，共 {page_count(u.data['pdf'])} 页，见 PDF 版本。）")
        elif u.kind == "ln" and u.data.get("para") is not None:
            pid, lines = u.data["para"], []
            while i < len(units) and units[i].kind == "ln" and units[i].data.get("para") == pid:
                lines.append(units[i].data["line"])
                i += 1
            _line_para(d, lines, u.data.get("rest"))
            continue
        elif u.kind in ("ln", "caption"):
            _line_para(d, [u.data["line"]])
        elif u.kind == "table-row":
            rows = []
            while i < len(units) and units[i].kind == "table-row":
                rows.append(units[i])
                i += 1
            _table(d, rows)
            continue
        elif u.kind == "figure":
            cap = u.data.get("caption")
            _para(d, cap[0].text if cap else "", "hei", align=WD_ALIGN_PARAGRAPH.CENTER)
        elif u.kind == "sig":
            for ln in u.data["lines"] + u.data["notes"]:
                _para(d, ln.text, left=ln.indent_pt)
        i += 1
    col = comp.colophon()
    if col:
        _para(d)
        for k, r in enumerate(col["rows"]):
            p = _para(d, "\n".join(r["lines"]), size=14, left=14)
            p.paragraph_format.right_indent = Pt(14)
            if r["right"]:
                p.paragraph_format.tab_stops.add_tab_stop(Pt(CELL * 28 - 28), alignment=WD_TAB_ALIGNMENT.RIGHT)
                _font(p.add_run("\t" + r["right"]), "fang", 14)
            _border(p, "top", 8 if k == 0 else 6)
            if k == len(col["rows"]) - 1:
                _border(p, "bottom", 8)
    d.core_properties.title = (doc or {}).get("title", "").replace("\n", "")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()
