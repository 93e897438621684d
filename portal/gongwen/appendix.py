"""Uploaded PDF attachments (附件, GB/T 9704 7.3.7): the engine reserves whole pages for them after the
attachment pages it sets itself (an ``upload`` unit: the text block under the 附件 label on the first, the
whole block on the others), numbered on like every page of the document; after WeasyPrint has drawn the
document, each uploaded page is scaled into its box (kept in proportion, centred, top aligned), so the page
numbers and the 附件 label stay where the standard puts them and the 版记 stays on the last page."""
import io

from pypdf import PdfReader, PdfWriter, Transformation

MM = 72 / 25.4
TOP, LEFT, WIDTH, PAGE_H = 37 * MM, 28 * MM, 156 * MM, 297 * MM   # the text block on an A4 page, pt


class BadAttachment(ValueError):
    """An uploaded attachment that cannot be read as a PDF."""


def page_count(pdf: bytes) -> int:
    try:
        n = len(PdfReader(io.BytesIO(pdf)).pages)
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on a damaged file
        raise BadAttachment(f"附件 PDF 无法读取：{exc}") from None
    if n == 0:
        raise BadAttachment("附件 PDF 没有页面")
    return n


def boxes(pages) -> list:
    """(page index, top in the text block, height, pdf, page of the pdf) of every upload unit."""
    return [(i, y, u.height, u.data["pdf"], u.data["page"]) for i, p in enumerate(pages)
            for u, y in p["units"] if u.kind == "upload"]


def set_in(document: bytes, places) -> bytes:
    """The rendered ``document`` with each uploaded page scaled into its box."""
    if not places:
        return document
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(document)))
    readers = {}
    for index, y, height, pdf, k in places:
        if id(pdf) not in readers:
            readers[id(pdf)] = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
        src = readers[id(pdf)].pages[k]
        if src.rotation:
            src.transfer_rotation_to_content()
        box = src.mediabox
        w, h = float(box.width), float(box.height)
        s = min(WIDTH / w, height / h)
        tx = LEFT + (WIDTH - w * s) / 2 - float(box.left) * s
        ty = PAGE_H - TOP - y - h * s - float(box.bottom) * s
        writer.pages[index].merge_transformed_page(src, Transformation().scale(s).translate(tx, ty))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
