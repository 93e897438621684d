"""The GB/T 9704-2012 《党政机关公文格式》 typesetting engine: a document dict in, a PDF (or an HTML preview)
out. No Flask, no database: the register, editor and views in ``portal.documents`` (and the reports) call it.

``render.render_pdf(kind, doc, fonts_dir=None)`` is the entry point; ``render``'s docstring describes the
document dict and the kinds. Modules: ``grid`` (page grid), ``typeset`` (lines), ``titles`` (titles, dates),
``compose`` and ``blocks`` (layout units: text, tables, figures), ``pagination`` (pages), ``fonts``,
``glyphs``, ``render`` (HTML/PDF, a page as PNG), ``word`` (the same layout as .docx), ``binder`` (many
PDFs bound for a duplex printer, with bookmarks), ``samples`` (``python -m portal.gongwen.samples KIND OUT``).
"""
from .render import KINDS, MissingGlyph, check_glyphs, render_html, render_pdf  # noqa: F401
