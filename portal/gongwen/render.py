"""Official-document rendering engine (GB/T 9704-2012 《党政机关公文格式》) — pure rendering, no database.

Public API
----------
``render_pdf(kind, doc, fonts_dir=None) -> bytes``   the PDF; raises :class:`MissingGlyph` when a character
                                                      is covered by no configured font.
``render_html(kind, doc, fonts_dir=None) -> str``    the same pages as a self-contained HTML preview.
``check_glyphs(doc, fonts_dir=None) -> list[str]``   characters no configured font covers (empty = fine).
``KINDS``                                            the document kinds.

``fonts_dir`` is the office's ``<instance>/fonts`` folder of licensed fonts (方正小标宋简体, 仿宋_GB2312 …);
the free Fandol fonts are used for any role it does not cover.

The engine's modules
--------------------
``grid``        the page grid (pt sizes), kinds and formats     ``titles``   dates, 一二三, title line breaks
``typeset``     28-character lines, 避头尾, justification      ``glyphs``   font coverage, MissingGlyph
``compose``     the document dict as layout units               ``pagination``  units onto 22-line pages
``render``      (this module) HTML and PDF through WeasyPrint    ``fonts``    the font set and its metrics

Kinds and their format
----------------------
=====================  ==========  ============================================================
kind                   format      notes
=====================  ==========  ============================================================
``circular``  通报       文件式      red 版头, 下行文
``notice``    通知       文件式      red 版头, 下行文
``report``    报告       文件式      red 版头, 上行文: 发文字号 1 char from the left, 签发人 on the right
``minutes``   会议纪要    纪要格式     red "××纪要" mark, 出席/请假/列席 lists after the body
``reminder-letter`` 提醒函  信函格式   mark 30 mm from the page top (vector outlines: pre-printed letterhead),
                                  double red lines, page 1 unnumbered
``talk-notice`` 约谈通知书  信函格式   as above
``supervision-notice`` 督办通知单  文件式   red 版头, addressed to a department's head
``work-plan`` 工作方案     plain       title, body, 署名, date
``self-check-report`` 个人对照检查材料  plain  person line under the title, ``items`` as 一、二、 sections
``department-report`` 单位自查自纠情况报告 plain  tables allowed
=====================  ==========  ============================================================

The ``doc`` dict (all keys optional unless noted)
-------------------------------------------------
``copy_no``     str|int 份号 (red header kinds; printed as 6 digits), ``secret`` 密级和保密期限 "机密★1年",
                ``urgency`` 紧急程度 "特急"/"加急": flush left on the first lines of page 1 (7.2.1–7.2.3)
``organ``       str   发文机关标志 text, e.g. "××市机关事务管理局文件" (red header and letter kinds)
``number``      str   发文字号 "机管发〔2026〕5号"; None for a draft (the line stays empty)
``signer``      str   签发人 name (report only)
``title``       str   标题 (required); "\\n" forces title line breaks, else 梯形/菱形 breaks are chosen
``addressees``  str   主送机关, e.g. "各科室、各事业单位"; the "：" is added
``body``        str   plain text, one paragraph per line; 一、/（一）/1./（1） start headings; a line
                      "[[表格N]]" places ``tables[N-1]`` there (other tables follow the body)
``tables``      list  [{"caption": str, "header": [str], "rows": [[str]], "widths": [float]?}]
``figures``     list  [{"caption": str, "svg": str}] — vector charts; a body line "[[图N]]" places
                      ``figures[N-1]`` there (other figures follow the tables). The SVG is drawn 156 mm wide
                      (``FIG_WIDTH`` pt, 1 user unit = 1pt), its height rounded up to whole grid lines; its
                      text uses the families ``GWFang``/``GWHei`` (glyphs checked like the body). To keep
                      the grid, put one 16pt text baseline on each figure line at ``k * P + FIG_BASELINE``
                      (the engine shifts the drawing so that baseline falls on the body's baseline); the
                      caption is set under the figure. A figure that does not fit the rest of a page
                      moves to the next one and the body lines after it fill the page (a float).
``attachments`` list  titles (str) or {"title": str, "body": str, "tables": [...], "figures": [...]} — dicts with a body
                      are printed as 附件 pages after the signature
``signature``   str   发文机关署名 (or the person's name); joint organisations one a line ("\\n" between them),
                      the 主办机关 first; a name too long for its room wraps into even lines
``date``        datetime.date | str   成文日期, printed "2026年5月6日"
``seal``        bool  sealed layout (date 4 chars from the right, signature centred above it)
``seal_png``    bytes PNG of the seal, drawn red over signature and date (only when ``seal``)
``note``        str   附注, printed "（…）"
``copy_to``     str   抄送 (版记, always on the last, even page; a blank unnumbered page before it if needed)
``printer``     str   印发机关;  ``print_date``  date | str  印发日期 (defaults to ``date``)
minutes:        ``attendees``, ``absent``, ``observers`` (str each: 出席, 请假, 列席)
self-check-report: ``person``, ``department``, ``items`` [{"q": str, "a": str}] appended to ``body``
letters:        ``number`` printed right-aligned under the double red line
"""
from __future__ import annotations

import threading

import jinja2
import markupsafe

from .compose import Composer  # noqa: F401  (re-exported)
from .fonts import CSS_FAMILY, font_set
from .glyphs import MissingGlyph, missing_chars
from .grid import (BLOCK_W, BODY, CAP, CELL, CSS_PATH, FIG_BASELINE, FIG_WIDTH, FORMAT, KINDS, MM, P,  # noqa: F401
                   ROOT, TEMPLATES)
from .titles import cn_index, fmt_date, split_title  # noqa: F401  (re-exported)


# ------------------------------------------------------------------ HTML / PDF
_env = None
_env_lock = threading.Lock()
_css_cache = {}


def _environment():
    global _env
    with _env_lock:
        if _env is None:
            _env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                      trim_blocks=True, lstrip_blocks=True)
            _env.globals.update(id=id, P=P, CELL=CELL, MM=MM, BLOCK_W=BLOCK_W, CSS_FAMILY=CSS_FAMILY)
        return _env


def _template_name(kind):
    return f"{kind}.html"


def _prepare(kind, doc, fonts_dir):
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}; expected one of {', '.join(KINDS)}")
    doc = dict(doc or {})
    doc.setdefault("kind", kind)
    fonts = font_set(fonts_dir)
    comp = Composer(kind, doc, fonts)
    pages = comp.compose()
    missing = missing_chars(fonts, comp.texts)
    return doc, fonts, comp, pages, missing


def check_glyphs(doc, fonts_dir=None, kind=None):
    """Characters of ``doc`` that no configured font (for their role) covers, in order of appearance."""
    kind = kind or doc.get("kind") or "notice"
    return _prepare(kind, doc, fonts_dir)[4]


def _html(kind, doc, fonts, comp, pages, preview=False):
    env = _environment()
    n = len(pages)
    for i, p in enumerate(pages, 1):
        p["no"], p["first"], p["last"] = i, i == 1, i == n
        p["letter_first"] = comp.fmt == "letter" and i == 1
        p["unnumbered"] = p.get("unnumbered", False) or p["letter_first"]
        p["seal"] = None
        us = p["units"]
        p["bottoms"] = {id(u) for k, (u, _) in enumerate(us) if u.kind == "table-row"
                        and (k + 1 == len(us) or us[k + 1][0].kind != "table-row")}
        for u, y in p["units"]:
            if u.kind == "sig" and u.data.get("seal") and u.data.get("date_centre") is not None:
                nsig = u.data["nsig"]
                # signature and date sit a little below the seal's centre (7.3.5.1)
                mid = y + (nsig * P) / 2
                size = 40 * MM
                p["seal"] = dict(png=u.data["seal"], left=u.data["date_centre"] - size / 2,
                                 top=mid - size / 2 - 3 * MM)
    css = ""
    if preview:
        with open(CSS_PATH, encoding="utf-8") as fh:
            css = markupsafe.Markup(fh.read())          # our own file: not escaped inside <style>
    return env.get_template(_template_name(kind)).render(
        kind=kind, doc=doc, pages=pages, fmt=comp.fmt, preview=preview, css=css,
        title=doc.get("title") or "")


def render_html(kind: str, doc: dict, fonts_dir: str | None = None) -> str:
    """HTML preview of the document (pages as sheets; page numbers shown under each sheet)."""
    doc, fonts, comp, pages, missing = _prepare(kind, doc, fonts_dir)
    return _html(kind, doc, fonts, comp, pages, preview=True)


def _stylesheets(fonts):
    key = fonts.key()
    with _env_lock:
        hit = _css_cache.get(key)
        if hit:
            return hit
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration
        fc = FontConfiguration()
        a, dsc = fonts.metrics("song")
        # page number: the dash's centre (0.38 em above the baseline) 7 mm below the text block
        baseline = (14 - (a + dsc) * 14) / 2 + a * 14
        pn_top = 7 * MM + 0.38 * 14 - baseline
        sheets = [CSS(filename=CSS_PATH, font_config=fc),
                  CSS(string=fonts.font_face_css() + (
                      f"\n@page :right {{ @bottom-right {{ padding-top: {pn_top:.3f}pt }} }}"
                      f"\n@page :left {{ @bottom-left {{ padding-top: {pn_top:.3f}pt }} }}"), font_config=fc)]
        _css_cache[key] = (sheets, fc)
        return sheets, fc


def render_pdf(kind: str, doc: dict, fonts_dir: str | None = None) -> bytes:
    """Render ``doc`` as a GB/T 9704 PDF. Raises :class:`MissingGlyph` if a character has no font."""
    doc, fonts, comp, pages, missing = _prepare(kind, doc, fonts_dir)
    if missing:
        raise MissingGlyph(missing)
    html = _html(kind, doc, fonts, comp, pages)
    from weasyprint import HTML
    from . import appendix
    sheets, fc = _stylesheets(fonts)
    pdf = HTML(string=html, base_url=ROOT).write_pdf(stylesheets=sheets, font_config=fc)
    return appendix.set_in(pdf, appendix.boxes(pages))     # uploaded PDF attachments, if any


def page_png(pdf: bytes, page: int = 0, width_px: int = 620) -> bytes:
    """One page of a PDF as a PNG ``width_px`` wide (the editor's live preview shows the real PDF)."""
    import io

    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(pdf)
    try:
        pg = doc[page]
        scale = width_px / pg.get_width()
        img = pg.render(scale=scale).to_pil()
        buf = io.BytesIO()
        img.save(buf, "PNG", optimize=True)
        return buf.getvalue()
    finally:
        doc.close()
