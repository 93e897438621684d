"""Binding many documents into one PDF for a duplex printer: every document starts on a recto (odd) page
— a blank, unnumbered page is inserted after a document that ends on a recto — and the PDF's outline
(bookmarks) has a section per group (a department) holding an entry per document (a person). The
documents keep their own page numbers (GB/T 9704 7.5: each document is numbered from 1)."""
import io

from pypdf import PdfReader, PdfWriter


class Binder:
    def __init__(self):
        self.writer = PdfWriter()
        self._sections = {}

    @property
    def pages(self):
        return len(self.writer.pages)

    def add(self, pdf: bytes, title: str | None = None, section: str | None = None) -> int:
        """Append ``pdf`` from the next recto page; bookmark it as ``title`` (under ``section``).
        Returns its first page's index."""
        self._to_recto()
        start = self.pages
        self.writer.append(PdfReader(io.BytesIO(pdf)), import_outline=False)
        parent = None
        if section is not None:
            parent = self._sections.get(section)
            if parent is None:
                parent = self._sections[section] = self.writer.add_outline_item(section, start)
        if title:
            self.writer.add_outline_item(title, start, parent=parent)
        return start

    def _to_recto(self):
        if self.pages % 2:
            last = self.writer.pages[-1]
            self.writer.add_blank_page(float(last.mediabox.width), float(last.mediabox.height))

    def write(self, fh):
        self._to_recto()                  # an even total: the last sheet's back is blank, not the next job's
        self.writer.page_mode = "/UseOutlines"
        self.writer.write(fh)
