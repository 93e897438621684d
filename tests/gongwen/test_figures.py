"""Figures (vector SVG charts) in official documents: placed by [[图N]], drawn as vectors with the engine's
embedded CJK fonts, sized in whole grid lines so the pages around them keep 22 lines."""
import io

import pypdf
import pytest

from portal.gongwen.render import (FIG_BASELINE, FIG_WIDTH, P, MissingGlyph, check_glyphs, render_html,
                                     render_pdf)
from portal.gongwen.samples import sample

from .layout import BOTTOM, DATE, LEFT, RIGHT, Doc, carried_block


def grid_svg(rows, family="GWFang"):
    """A bar chart with one 16pt label line per grid line (the engine's figure convention)."""
    out = []
    for i, (label, value) in enumerate(rows):
        y = i * P + FIG_BASELINE
        out.append(f'<text x="31.586" y="{y:.3f}">{label}</text>')
        out.append(f'<rect x="170" y="{i * P + 7:.3f}" width="{value * 10}" height="16" fill="#1f4e79"/>')
        out.append(f'<text x="{176 + value * 10}" y="{y:.3f}">{value}件</text>')
    h = len(rows) * P
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{FIG_WIDTH}pt" height="{h:.3f}pt" '
            f'viewBox="0 0 {FIG_WIDTH} {h:.3f}" font-family="{family}" font-size="16">{"".join(out)}</svg>')


ROWS = [("办公室", 4), ("财务审计科", 7), ("机关事务服务中心", 12), ("人事教育科", 2)]


def with_figure(kind="report", at=3, rows=ROWS, caption="图1　各部门问题数"):
    d = dict(sample(kind))
    body = d["body"].split("\n")
    body.insert(at, "[[图1]]")
    return dict(d, body="\n".join(body), figures=[{"caption": caption, "svg": grid_svg(rows)}])


def body_pages(doc):
    """(page no, 16pt lines inside the text block, any other text inside it) per page."""
    out = []
    for no, (_, _, lines, _) in enumerate(doc.pages, 1):
        inside = [ln for ln in lines if ln.top <= BOTTOM + 1]
        out.append((no, inside, all(abs(ln.size - 16) < 0.1 for ln in inside)
                    and not any(DATE.fullmatch(ln.text) for ln in inside)))
    return out


@pytest.fixture(scope="module")
def fig_pdf():
    return render_pdf("report", with_figure())


def test_figure_labels_are_text_in_the_engine_fonts(fig_pdf):
    doc = Doc(fig_pdf)
    lines = list(doc.lines())
    texts = [ln.text for ln in lines]
    for label, value in ROWS:
        row = next(ln for ln in lines if ln.text.startswith(label))
        assert row.text == f"{label}{value}件"                   # label and value on one baseline
        assert abs(row.size - 16) < 0.1 and LEFT <= row.x0 and row.x1 <= RIGHT
        assert all("GWFang" in c["fontname"] for c in row.chars)
    assert "图1各部门问题数" in texts                               # the caption under the figure
    cap = texts.index("图1各部门问题数")
    assert texts[cap - 1].startswith("人事教育科")


def test_figure_fonts_embedded_no_notdef(fig_pdf):
    reader = pypdf.PdfReader(io.BytesIO(fig_pdf))
    seen = 0

    def fonts_of(res):
        nonlocal seen
        res = res.get_object() if res is not None else {}
        for f in (res.get("/Font") or {}).values():
            f = f.get_object()
            assert f["/Subtype"] != "/Type3"
            desc = (f["/DescendantFonts"][0].get_object()["/FontDescriptor"] if "/DescendantFonts" in f
                    else f["/FontDescriptor"]).get_object()
            assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), f.get("/BaseFont")
            seen += 1
        for x in (res.get("/XObject") or {}).values():          # the SVG is drawn as a form XObject
            x = x.get_object()
            if x.get("/Subtype") == "/Form":
                fonts_of(x.get("/Resources"))
    for page in reader.pages:
        fonts_of(page.get("/Resources"))
    assert seen
    doc = Doc(fig_pdf)
    text = "".join(ln.text for ln in doc.lines())
    assert "机关事务服务中心12件" in text and "\ufffd" not in text and "(cid:" not in text


def test_figure_is_vector_not_raster(fig_pdf):
    reader = pypdf.PdfReader(io.BytesIO(fig_pdf))
    for page in reader.pages:
        for x in (page["/Resources"].get_object().get("/XObject") or {}).values():
            assert x.get_object().get("/Subtype") != "/Image"
    import pdfplumber
    with pdfplumber.open(io.BytesIO(fig_pdf)) as pdf:
        bars = [r for p in pdf.pages for r in p.rects if r["non_stroking_color"] and r["height"] > 15
                and r["height"] < 17]
    assert len(bars) >= len(ROWS)


def test_svg_text_is_glyph_checked():
    d = with_figure(rows=[("办公室𠀀", 3)])
    assert "𠀀" in check_glyphs(d, kind="report")
    with pytest.raises(MissingGlyph):
        render_pdf("report", d)
    assert check_glyphs(with_figure(), kind="report") == []


def test_bad_svg_is_refused():
    d = dict(with_figure(), figures=[{"caption": "图1", "svg": "<svg><text>未闭合"}])
    with pytest.raises(ValueError):
        render_pdf("report", d)


@pytest.mark.parametrize("at", [0, 3, 8, 13])
def test_pages_stay_on_the_grid(at):
    """Wherever the figure is placed (even where it does not fit the rest of a page), every full page has
    22 lines, figure labels included, at the 28.95pt pitch."""
    doc = Doc(render_pdf("report", with_figure(at=at, rows=ROWS * 2)))
    pages = body_pages(doc)
    date_page = next(no for no, inside, _ in pages if any(DATE.fullmatch(ln.text) for ln in inside))
    for no, inside, only_body in pages[1:-1]:
        if only_body and no == date_page - 1 and len(inside) < 22:     # the signature's block did not fit
            assert len(inside) + carried_block(doc.pages[date_page - 1]) > 22, (at, no, len(inside))
        elif only_body:
            assert len(inside) == 22, (at, no, len(inside))
        for a, b in zip(inside, inside[1:]):
            if abs(a.size - 16) < 0.1 and abs(b.size - 16) < 0.1:
                assert abs(b.base - a.base - P) < 0.3, (at, no, a.text, b.text)
    labels = {f"{label}{value}件" for label, value in ROWS}
    assert sum(ln.text in labels for ln in doc.lines()) == len(ROWS) * 2


def test_pages_without_figures_unchanged():
    """A document without figures paginates exactly as before (same pages, 22 lines on full pages)."""
    plain = Doc(render_pdf("report", sample("report")))
    for no, inside, only_body in body_pages(plain)[1:-1]:
        if only_body:
            assert len(inside) == 22


def test_preview_shows_the_figure():
    html = render_html("report", with_figure())
    assert 'src="data:image/svg+xml;base64,' in html and "图1　各部门问题数" in html


def test_figures_on_an_attachment_page():
    """Figures as an 附件 of their own: a new page with 附件N and a title, the figure under it."""
    d = dict(sample("report"), attachments=["问题整改台账（电子表格）",
                                            {"title": "各部门问题统计图", "figures": [
                                                {"caption": "图1　各部门问题数", "svg": grid_svg(ROWS)}]}])
    doc = Doc(render_pdf("report", d))
    pages = [[ln.text for ln in lines if ln.top <= BOTTOM + 1] for _, _, lines, _ in doc.pages]
    k = next(i for i, texts in enumerate(pages) if texts and texts[0] == "附件2")
    assert pages[k][1] == "各部门问题统计图" and "办公室4件" in pages[k] and "图1各部门问题数" in pages[k]
    assert any(DATE.fullmatch(t) for texts in pages[:k] for t in texts)     # after the signature
    flat = "".join(t for texts in pages for t in texts)
    assert "2.各部门问题统计图" in flat                                       # listed in the 附件说明
