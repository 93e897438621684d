"""Binding many documents into one PDF for a duplex printer: every document starts on a recto (odd) page
— a blank, unnumbered page is inserted after a document that ends on a recto — and the PDF's outline
(bookmarks) has a section per group (a department) holding an entry per document (a person). The
documents keep their own page numbers (GB/T 9704 7.5: each document is numbered from 1).

pikepdf (qpdf) copies the pages' objects as they are, without parsing their content streams again in
Python: binding 300 reports takes a fraction of what pypdf's ``append`` took."""
import io

import pikepdf


class Binder:
    def __init__(self):
        self.pdf = pikepdf.new()
        self._sources = []                 # the appended documents stay open until the book is written
        self._entries = []                 # (section, title, first page index)

    @property
    def pages(self):
        return len(self.pdf.pages)

    def add(self, pdf: bytes, title: str | None = None, section: str | None = None) -> int:
        """Append ``pdf`` from the next recto page; bookmark it as ``title`` (under ``section``).
        Returns its first page's index."""
        self._to_recto()
        start = self.pages
        src = pikepdf.open(io.BytesIO(pdf))
        self._sources.append(src)
        self.pdf.pages.extend(src.pages)
        self._entries.append((section, title, start))
        return start

    def _to_recto(self):
        if self.pages % 2:
            box = self.pdf.pages[-1].mediabox
            self.pdf.add_blank_page(page_size=(float(box[2]) - float(box[0]), float(box[3]) - float(box[1])))

    def _outline(self):
        sections = {}
        with self.pdf.open_outline() as outline:
            for section, title, start in self._entries:
                parent = outline.root
                if section is not None:
                    item = sections.get(section)
                    if item is None:
                        item = sections[section] = pikepdf.OutlineItem(section, start)
                        outline.root.append(item)
                    parent = item.children
                if title:
                    parent.append(pikepdf.OutlineItem(title, start))

    def write(self, fh):
        self._to_recto()                  # an even total: the last sheet's back is blank, not the next job's
        self._outline()
        self.pdf.Root.PageMode = pikepdf.Name.UseOutlines
        self.pdf.save(fh)
        for src in self._sources:
            src.close()
        self._sources = []
