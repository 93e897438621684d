"""An uploaded PDF attachment (附件, 7.3.7) after the attachment pages the engine sets: its 附件 label on line
1 of its first page, each of its pages scaled into the text block, page numbers continuing through it, the
版记 still on the last (even) page; in Word a note in its place."""
import io

from pypdf import PdfReader

from portal.gongwen.render import render_pdf
from portal.gongwen.samples import sample
from portal.gongwen.word import render_docx

from .layout import LEFT, PAGE_NO, RIGHT, TOP, Doc, rules_of  # noqa: F401


def _uploaded():
    """A two-page PDF of its own (another document), as a clerk would scan or export one."""
    doc = dict(sample("talk-notice"), title="附件测试上传材料")
    return render_pdf("talk-notice", doc)


def test_uploaded_pdf_pages_follow_the_attachment_pages():
    up = _uploaded()
    n_up = len(PdfReader(io.BytesIO(up)).pages)
    doc = dict(sample("notice"))
    doc["attachments"] = [dict(title="检查清单", body="一、按时上报。\n二、逐项整改。"),
                          dict(title="上传的材料", pdf=up)]
    pdf = render_pdf("notice", doc)
    d = Doc(pdf)
    texts = ["".join(ln.text for ln in lines) for _, _, lines, _ in d.pages]
    first = next(i for i, t in enumerate(texts) if "附件测试上传材料" in t)
    assert all("附件测试上传材料" not in t for t in texts[:first])
    labels = [ln for ln in d.pages[first][2] if ln.text == "附件2"]
    assert labels and abs(labels[0].x0 - LEFT) < 0.5 and labels[0].top < TOP + 10      # line 1, flush left
    assert "附件1" in texts[first - 1] or any("附件1" in t for t in texts[:first])
    # every page of the upload is set in, inside the text block, under the label
    up_pages = list(range(first, first + n_up))
    for k in up_pages:
        body = [ln for ln in d.pages[k][2] if not PAGE_NO.fullmatch(ln.text) and ln.text != "附件2"]
        assert body and min(ln.x0 for ln in body) >= LEFT - 0.5 and max(ln.x1 for ln in body) <= RIGHT + 0.5
        assert min(ln.top for ln in body) >= TOP + (9 if k == first else -0.5)
    # page numbers continue through it: the document's own numbers, one per page, in order
    numbers = [[int(PAGE_NO.fullmatch(ln.text)[1]) for ln in lines if PAGE_NO.fullmatch(ln.text)
                and ln.top > 262] for _, _, lines, _ in d.pages]
    for k in up_pages:
        assert numbers[k] == [k + 1], (k, numbers[k])
    # the 版记 (抄送, 印发) is on the last page, an even one, after the upload
    assert "印发" in texts[-1] and len(d.pages) % 2 == 0 and len(d.pages) > up_pages[-1] + 1 - 1


def test_word_export_notes_the_uploaded_attachment():
    from docx import Document
    doc = dict(sample("notice"), attachments=["检查清单", dict(title="上传的材料", pdf=_uploaded())])
    d = Document(io.BytesIO(render_docx("notice", doc)))
    flat = "\n".join(p.text for p in d.paragraphs)
    assert "此附件为上传的 PDF 文件，共 2 页" in flat and "附件2" in flat
