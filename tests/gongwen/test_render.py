"""Layout tests of the GB/T 9704-2012 rendering engine (no database, no app factory)."""
import io
import re
import shutil
import subprocess

import pytest

from portal.gongwen import render
from portal.gongwen.render import KINDS, MissingGlyph, check_glyphs, render_html, render_pdf
from portal.gongwen.samples import sample

from .layout import BOTTOM, DATE, GRID, LEFT, MM, PAGE_NO, RIGHT, TOP, Doc, carried_block, ends_on_last_grid_line

RED_HEADER = ("circular", "notice", "report", "minutes")
LETTERS = ("reminder-letter", "talk-notice")


@pytest.fixture(scope="module")
def pdfs():
    return {k: render_pdf(k, sample(k)) for k in KINDS}


@pytest.fixture(scope="module")
def docs(pdfs):
    return {k: Doc(v) for k, v in pdfs.items()}


@pytest.mark.parametrize("kind", KINDS)
def test_page_size_and_margins(docs, kind):
    doc = docs[kind]
    assert len(doc.pages) >= 2, "samples are multi-page"
    for w, h, lines, _ in doc.pages:
        assert abs(w - 210) < 0.5 and abs(h - 297) < 0.5
    for ln in doc.lines():
        if kind in LETTERS and ln.red:          # 信函格式: the mark sits 30 mm from the page top
            continue
        assert LEFT - 1 <= ln.x0 and ln.x1 <= RIGHT + 1, (ln.page, ln.text)
        assert TOP - 1 <= ln.top and ln.bottom <= BOTTOM + 1, (ln.page, ln.text)


@pytest.mark.parametrize("kind", KINDS)
def test_grid_lines_and_characters(docs, kind):
    doc = docs[kind]
    full = 0
    for _, _, lines, _ in doc.pages:
        body = [ln for ln in lines if ln.top <= BOTTOM + 1 and abs(ln.size - 16) < 0.1]
        assert len([ln for ln in lines if ln.top <= BOTTOM + 1]) <= 22 + 6    # header/title lines aside
        assert len(body) <= 22
        for ln in body:
            if ln.full_width and abs(ln.x0 - LEFT) < 0.5 and abs(ln.x1 - RIGHT) < 1:
                assert len(ln.chars) == 28, (ln.page, ln.text)
                assert abs((ln.x1 - ln.x0) - 156) <= 1
                full += 1
            if ln.full_width:
                assert (ln.x0 - LEFT) / GRID + len(ln.chars) <= 28.2, (ln.page, ln.text)
    assert full >= 3, "full 28-character lines"


def test_pitch_and_indent(docs):
    doc = docs["work-plan"]
    for _, _, lines, _ in doc.pages:
        body = [ln for ln in lines if abs(ln.size - 16) < 0.1 and ln.top <= BOTTOM + 1]
        for a, b in zip(body, body[1:]):
            if b.base - a.base < 40:
                assert abs(b.base - a.base - 28.95) <= 0.3
        for ln in body:
            ind = (ln.x0 - LEFT) / GRID
            if 0.5 < ind < 4.5:
                assert abs(ind - 2) <= 0.1, (ln.page, ln.text)


def test_no_line_starts_with_closing_punctuation(docs):
    for kind in ("circular", "work-plan", "report"):
        for ln in docs[kind].lines():
            if abs(ln.size - 16) < 0.1:
                assert ln.text[0] not in "，。、；：？！”’）》」』〕】", (kind, ln.page, ln.text)
                assert ln.text[-1] not in "（“‘《「『〔【", (kind, ln.page, ln.text)


@pytest.mark.parametrize("kind", KINDS)
def test_page_numbers(docs, kind):
    doc = docs[kind]
    for no, (_, _, lines, _) in enumerate(doc.pages, 1):
        nums = [ln for ln in lines if PAGE_NO.fullmatch(ln.text)]
        if kind in LETTERS and no == 1:
            assert not nums, "信函格式: no page number on page 1"
            continue
        assert len(nums) == 1 and int(PAGE_NO.fullmatch(nums[0].text)[1]) == no
        ln = nums[0]
        assert abs(ln.size - 14) < 0.1
        if no % 2:
            assert abs(ln.x1 - (RIGHT - 14 / MM)) <= 1
        else:
            assert abs(ln.x0 - (LEFT + 14 / MM)) <= 1
        dash = [c for c in ln.chars if c["text"] == "—"]
        centre = sum(c["base"] - 0.38 * c["size"] for c in dash) / len(dash) / MM
        assert abs(centre - BOTTOM - 7) <= 1


@pytest.mark.parametrize("kind", RED_HEADER)
def test_red_header(docs, kind):
    _, _, lines, rules = docs[kind].pages[0]
    organ = [ln for ln in lines if ln.red]
    assert organ and abs(organ[0].centre - 106) <= 1
    assert abs(organ[0].top - TOP - 35) <= 1
    docno = next(ln for ln in lines if re.search(r"〔\d{4}〕[1-9]\d*号", ln.text))
    red = [r for r in rules if r[4] and len(r[4]) == 3 and r[4][0] > 0.7 and r[4][1] < 0.35]
    assert red, "red separator"
    x0, x1, top, _, _ = red[0]
    assert abs(x0 - LEFT) <= 1 and abs(x1 - RIGHT) <= 1 and abs((x1 - x0) - 156) <= 1
    assert abs(top - docno.bottom - 4) <= 1
    if kind == "report":
        assert "签发人" in docno.text and abs(docno.x0 - LEFT - GRID) <= 1


@pytest.mark.parametrize("kind", KINDS)
def test_title_and_date(docs, kind):
    doc = docs[kind]
    titles = [ln for ln in doc.lines() if ln.size >= 21.9 and not ln.red]
    assert titles and all(abs(ln.centre - 106) <= 1 for ln in titles)
    dates = [ln for ln in doc.lines() if DATE.fullmatch(ln.text)]
    assert dates
    off = (RIGHT - dates[-1].x1) / GRID
    if sample(kind).get("seal"):
        assert abs(off - 4) <= 0.2                     # 7.3.5.1: sealed, the date 右空四字
    else:                                              # 7.3.5.2: 右空二字, or 2 right of the signature's start
        lines = [ln for _, _, ls, _ in doc.pages for ln in ls]
        sig = lines[lines.index(dates[-1]) - 1]
        assert abs(off - 2) <= 0.2 or abs((dates[-1].x0 - sig.x0) / GRID - 2) <= 0.05


@pytest.mark.parametrize("kind", ("circular", "notice", "report", "minutes"))
def test_colophon(docs, kind):
    _, _, lines, rules = docs[kind].pages[-1]
    black = [r for r in rules if r[1] - r[0] >= 150 and not (r[4] and len(r[4]) == 3 and r[4][0] > 0.7)]
    # WeasyPrint may paint a border as a ring; keep the distinct rules
    assert len(black) >= 2
    assert abs(black[-1][3] - BOTTOM) <= 1, "last rule on the text block's bottom"
    assert all(abs(r[1] - r[0] - 156) <= 1 for r in black)
    assert any(ln.text.startswith("抄送") and abs(ln.size - 14) < 0.1 for ln in lines)


@pytest.mark.parametrize("kind", KINDS)
def test_fonts_embedded(pdfs, kind):
    import pypdf
    reader = pypdf.PdfReader(io.BytesIO(pdfs[kind]))
    seen = 0
    for page in reader.pages:
        for f in (page["/Resources"].get_object().get("/Font") or {}).values():
            f = f.get_object()
            assert f["/Subtype"] != "/Type3"
            desc = f["/DescendantFonts"][0].get_object()["/FontDescriptor"] if "/DescendantFonts" in f \
                else f["/FontDescriptor"]
            desc = desc.get_object()
            assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            seen += 1
    assert seen


def test_samples_have_no_missing_glyph():
    for kind in KINDS:
        assert check_glyphs(sample(kind), kind=kind) == []


@pytest.mark.parametrize("char", ["𠀀", "𗀀", "𐀀"])   # CJK Ext B, Tangut, Linear B
def test_missing_glyph_refused(char):
    doc = dict(sample("notice"), body=f"这个字{char}没有字形。")
    assert char in check_glyphs(doc, kind="notice")
    with pytest.raises(MissingGlyph) as exc:
        render_pdf("notice", doc)
    assert char in str(exc.value)


def test_escaping():
    doc = dict(sample("notice"), body="正文<script>alert(1)</script>与{{ 7*7 }}照原样输出。",
               title="关于<b>测试</b>的通知")
    html = render_html("notice", doc)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "{{ 7*7 }}" in html and ">49<" not in html
    import pdfplumber
    with pdfplumber.open(io.BytesIO(render_pdf("notice", doc))) as pdf:
        text = "".join(p.extract_text() or "" for p in pdf.pages).replace("\n", "")
    assert "<script>alert(1)</script>" in text and "{{7*7}}" in text.replace(" ", "")


def test_large_document_renders_every_page():
    """A ~200-page 通报 renders whole (its time and memory are measured in bench/documents.py)."""
    import pypdf
    para = sample("circular")["body"]
    doc = dict(sample("circular"), body="\n".join([para] * 95))      # ~200 pages
    reader = pypdf.PdfReader(io.BytesIO(render_pdf("circular", doc)))
    assert len(reader.pages) >= 190
    tail = "".join(pg.extract_text() for pg in reader.pages[-3:]).replace("\n", "")
    assert doc["signature"] in tail                                  # the signature block came out too


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_red_header_pixels_are_red(pdfs, tmp_path):
    from PIL import Image
    src = tmp_path / "c.pdf"
    src.write_bytes(pdfs["circular"])
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(src), str(tmp_path / "p")],
                   check=True)
    png = next(tmp_path.glob("p*.png"))
    img = Image.open(png).convert("RGB")
    scale = img.width / 210
    box = (int(40 * scale), int(70 * scale), int(170 * scale), int(86 * scale))   # the 发文机关标志
    red = sum(1 for r, g, b in img.crop(box).getdata() if r > 180 and g < 90 and b < 90)
    assert red > 200
    y = int(114.9 * scale)                                                     # the red separator
    row = [img.getpixel((x, yy)) for x in range(int(30 * scale), int(180 * scale)) for yy in (y - 1, y, y + 1)]
    assert sum(1 for r, g, b in row if r > 180 and g < 120) > 50


def test_cli_entry(tmp_path):
    from portal.gongwen.samples import main
    out = tmp_path / "m.pdf"
    assert main(["talk-notice", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")


def test_unknown_kind():
    with pytest.raises(ValueError):
        render_pdf("nope", {})
    assert render.fmt_date(__import__("datetime").date(2026, 5, 6)) == "2026年5月6日"


def _page_counts(pdf_bytes):
    """Per page: (16pt lines inside the block, whether a date line is on it)."""
    out = []
    for _, _, lines, _ in Doc(pdf_bytes).pages:
        inside = [ln for ln in lines if ln.top <= BOTTOM + 1]
        out.append((len([ln for ln in inside if abs(ln.size - 16) < 0.1]), any(DATE.fullmatch(ln.text) for ln in inside),
                    all(abs(ln.size - 16) < 0.1 and not ln.red for ln in inside)))
    return out


@pytest.mark.parametrize("kind,extra", [("circular", n) for n in range(9)] + [("notice", 15), ("minutes", 17)])
def test_no_short_page_before_signature(kind, extra):
    """The 署名/成文日期 block never leaves a page short for no reason: page 1 is never shortened (it used to
    end up to 6 lines early, issue 15), every page between page 1 and the date page holds 22 lines, except
    the page just before the date page when the block the signature takes with it (the last lines of 正文,
    the blank line, 附件说明 or 出席…, 署名, 成文日期; 7.3.5) does not fit under its lines; the date page
    shows body text. (notice 15 / minutes 17 put the blank line before 附件说明 / 出席 near a page end.)"""
    doc = sample(kind)
    doc["body"] += "".join(f"\n{i}. 追加的编号事项第{i}条，请各单位认真落实。" for i in range(1, extra + 1))
    pdf = render_pdf(kind, doc)
    counts, pages = _page_counts(pdf), Doc(pdf).pages
    date_page = next(i for i, (_, has_date, _) in enumerate(counts) if has_date)
    block = carried_block(pages[date_page])
    if date_page > 1 or counts[0][0] + block <= 22:
        assert ends_on_last_grid_line(pages[0]), ("page 1 short", extra, counts)
    for i, (n, _, only_body) in enumerate(counts[1:date_page], 1):
        if i == date_page - 1 and n < 22:
            assert only_body and n + block > 22, (extra, i + 1, counts, block)
        else:
            assert only_body and n == 22, (extra, i + 1, counts)
    assert counts[date_page][0] >= 3, "the date page shows body text before the signature"


def test_html_preview_stylesheet_not_escaped():
    html = render_html("notice", sample("notice"))
    style = html[html.index("<style>") + 7:html.index("</style>")]
    with open(render.CSS_PATH, encoding="utf-8") as fh:
        assert style == fh.read()
    assert "&#39;" not in style and "&#34;" not in style and "&quot;" not in style and "&gt;" not in style


def test_table_cells_wrap_at_their_real_width():
    """A cell holds as many 16pt characters as its box has room for (box minus padding and borders), and
    no glyph crosses into the next column."""
    import math
    import pdfplumber
    text = "整改措施落实到位责任明确时限清楚逐项销号管理"
    t = dict(header=["序号", "问题", "措施"], widths=[4.5, 6, 17.5], rows=[["1", text, text]])
    comp = render.Composer("department-report", dict(title="表格测试"), render.font_set(None))
    comp.table(t)
    row = [u for u in comp.units if u.kind == "table-row" and not u.data["head"]][0]
    for k in (1, 2):
        w = row.data["widths"][k]
        room = w - row.data["pads"][k] - row.data["pad"] - 0.5 - (0.5 if k == 2 else 0)
        lines = row.data["cells"][k]
        assert all(len(ln) <= room / 16 for ln in lines)
        assert len(lines[0]) == math.floor(room / 16 + 1e-6), (k, w, lines)
    assert 90 < row.data["widths"][1] < 100 and len(row.data["cells"][1][0]) == 5    # a 94pt column: 5, not 4
    pdf = render_pdf("department-report", dict(title="表格测试", body="见下表。\n[[表格1]]", tables=[t],
                                               signature="综合服务科", date="2026-05-06"))
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        chars = [c for c in doc.pages[0].chars if c["text"] in text and abs(c["size"] - 16) < 0.1]
    right1 = (28 * MM + row.data["lefts"][2])
    assert chars and all(c["x1"] <= right1 + 0.1 or c["x0"] >= right1 for c in chars)


@pytest.mark.parametrize("kind", LETTERS)
def test_letterhead_mark_is_vector_outlines(pdfs, docs, kind, tmp_path):
    """信函格式 (10.1): the pre-printed letterhead mark is drawn as red outlines 30 mm from the page top, not
    as text; every text line (发文字号 flush right under the double line, body) stays inside the text block."""
    _, _, lines, rules = docs[kind].pages[0]
    organ = sample(kind)["organ"]
    assert not any(ln.red for ln in lines) and organ not in "".join(ln.text for ln in lines)
    for ln in docs[kind].lines():
        assert LEFT - 1 <= ln.x0 and ln.x1 <= RIGHT + 1 and TOP - 1 <= ln.top and ln.bottom <= BOTTOM + 1
    docno = next(ln for ln in lines if re.search(r"〔\d{4}〕[1-9]\d*号", ln.text))
    assert abs(docno.x1 - RIGHT) <= 1 and docno.top < TOP + 20
    red = [r for r in rules if r[4] and len(r[4]) == 3 and r[4][0] > 0.7 and r[4][1] < 0.35]
    assert red and all(abs(r[1] - r[0] - 170) <= 1 for r in red)
    assert any(r[2] < docno.top for r in red) and any(r[2] > 270 for r in red)
    if shutil.which("pdftoppm") is None:
        return
    from PIL import Image
    src = tmp_path / "l.pdf"
    src.write_bytes(pdfs[kind])
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(src), str(tmp_path / "p")], check=True)
    img = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    scale = img.width / 210
    rows = [y for y in range(int(25 * scale), int(45 * scale))
            if sum(1 for x in range(img.width) if (lambda p: p[0] > 180 and p[1] < 90)(img.getpixel((x, y)))) > 3]
    assert rows, "red mark drawn"
    assert abs(rows[0] / scale - 31) <= 2.5, rows[0] / scale          # ink starts just under the 30 mm em top


@pytest.mark.parametrize("title", [
    "“六治六提”干部队伍作风纪律整顿个人对照检查材料",
    "关于“六治六提”干部队伍作风纪律整顿明察暗访情况的通报",
    "关于开展“六治六提”干部队伍作风纪律整顿“回头看”工作的通知",
    "关于印发《全局“六治六提”干部队伍作风纪律整顿工作方案》的通知",
    "关于进一步加强干部队伍作风纪律建设和开展专项整治工作的实施意见",
    "关于对机关事务管理局车辆管理服务中心开展作风纪律专项检查发现问题整改落实情况的通报",
])
def test_title_breaks_at_sensible_points(title):
    lines = render.split_title(render.font_set(None), title)
    assert "".join(lines) == title and len(lines) >= 2
    n = [len(x) for x in lines]
    for k in range(1, len(lines)):
        cut = sum(n[:k])
        for w in ("纪律", "作风", "干部", "队伍", "整顿", "工作", "情况", "问题", "通知", "通报", "检查", "六治六提"):
            at = title.find(w)
            while at >= 0:
                assert not (at < cut < at + len(w)), (lines, w)
                at = title.find(w, at + 1)
        assert lines[k][0] not in "，。、；：？！”’）》」』〕】" and lines[k - 1][-1] not in "（“‘《「『〔【"
        assert not lines[k].startswith("的")
    if len(lines) == 2:
        assert n[0] >= n[1], "梯形: the upper line is the longer"
    else:
        assert max(n[1:-1]) >= n[0] and max(n[1:-1]) >= n[-1], "菱形: the middle is the longest"
    assert render.split_title(render.font_set(None), "第一行\n第二行") == ["第一行", "第二行"]


@pytest.mark.parametrize("kind", RED_HEADER)
def test_colophon_on_an_even_last_page(docs, kind):
    """7.4: the 版记 is on the last page, and that page is even (the back of the last sheet)."""
    pages = docs[kind].pages
    assert len(pages) % 2 == 0
    assert any(ln.text.startswith("抄送") for ln in pages[-1][2])
    for _, _, lines, _ in pages[:-1]:
        assert not any(ln.text.startswith("抄送") for ln in lines)


def test_blank_page_before_a_colophon_page_is_unnumbered():
    """When the body ends on a full even page, a blank page follows and the 版记 takes the next even page;
    neither carries a page number (7.5)."""
    doc = sample("circular")
    doc["body"] += "".join(f"\n{i}. 追加的编号事项第{i}条，请各单位认真落实。" for i in range(1, 23))
    pages = Doc(render_pdf("circular", doc)).pages
    assert len(pages) == 6
    assert [ln.text for ln in pages[4][2]] == []                          # blank, no number
    assert not any(PAGE_NO.fullmatch(ln.text) for ln in pages[5][2])
    assert any(ln.text.startswith("抄送") for ln in pages[5][2])
    assert [int(PAGE_NO.fullmatch(ln.text)[1]) for _, _, lines, _ in pages[:4] for ln in lines
            if PAGE_NO.fullmatch(ln.text)] == [1, 2, 3, 4]


def test_copy_number_secrecy_and_urgency_fields():
    """份号 (6 digits), 密级和保密期限, 紧急程度: flush left on grid lines 1–3 above the red mark (7.2.1–7.2.3)."""
    doc = dict(sample("notice"), copy_no=12, secret="机密★1年", urgency="特急")
    pdf = render_pdf("notice", doc)
    _, _, lines, _ = Doc(pdf).pages[0]
    fields = lines[:3]
    assert [ln.text for ln in fields] == ["000012", "机密★1年", "特急"]
    for k, ln in enumerate(fields):
        assert abs(ln.x0 - LEFT) <= 0.5 and abs(ln.size - 16) < 0.1
        assert abs(ln.base - fields[0].base - k * 28.95) <= 0.3
    assert fields[0].top >= TOP - 1 and fields[-1].bottom < lines[3].top and lines[3].red
    fonts = {c["text"]: c["fontname"] for ln in fields for c in ln.chars}
    assert "Hei" in fonts["特"] and "Hei" in fonts["机"] and "Fang" in fonts["0"]
    assert render.check_glyphs(doc, kind="notice") == []


def test_unicode_spaces_make_no_invisible_line():
    from portal.gongwen import typeset
    lines = typeset.typeset_body(render.font_set(None), "\u2003" + "作风纪律整顿" * 4 + "。\u2003\u3000 \n\u2003\n")
    assert len(lines) == 1 and lines[0].text == "作风纪律整顿" * 4 + "。"
