"""The Word export of every kind: opens with python-docx, keeps title, main text and signature, and the
layout's page, fonts and header of the PDF."""
import io

import pytest
from docx import Document
from docx.shared import Mm

from portal.gongwen.render import KINDS
from portal.gongwen.samples import sample
from portal.gongwen.word import render_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def east_asia(run):
    return run._element.rPr.rFonts.get(W + "eastAsia")


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_opens_and_keeps_title_text_and_signature(kind):
    doc = sample(kind)
    d = Document(io.BytesIO(render_docx(kind, doc)))
    paras = [p for p in d.paragraphs]
    flat = "".join(p.text for p in paras).replace("\n", "")
    assert doc["title"].replace("\n", "") in flat
    assert doc["signature"] in flat
    assert "2026年5月6日" in flat
    first_body = (doc.get("body") or "").split("\n")[0].strip()
    body = next(p for p in paras if p.text.startswith(first_body[:12]))
    assert body.text == first_body                                   # a paragraph stays one Word paragraph
    assert abs(body.paragraph_format.first_line_indent.pt - 31.586) < 0.1
    assert east_asia(body.runs[0]) == "仿宋_GB2312" and body.runs[0].font.size.pt == 16
    assert abs(body.paragraph_format.line_spacing.pt - 28.95) < 0.01
    title = next(p for p in paras if doc["title"].split("\n")[0][:6] in p.text and p.runs
                 and p.runs[0].font.size.pt == 22)
    assert east_asia(title.runs[0]) == "方正小标宋简体" and title.alignment == 1     # centred
    sec = d.sections[0]
    assert (round(sec.top_margin.mm), round(sec.bottom_margin.mm), round(sec.left_margin.mm),
            round(sec.right_margin.mm)) == (37, 35, 28, 26)
    assert abs(sec.page_width - Mm(210)) < Mm(0.5) and abs(sec.page_height - Mm(297)) < Mm(0.5)
    grid = sec._sectPr.find(W + "docGrid")
    assert grid.get(W + "linePitch") == "579"                        # 28.95pt: 22 lines
    assert "PAGE" in sec.footer._element.xml and "PAGE" in sec.even_page_footer._element.xml
    if kind in ("circular", "notice", "report", "minutes"):
        organ = next(p for p in paras if p.text == doc["organ"])
        assert str(organ.runs[0].font.color.rgb) == "E60012"
        assert "E60012" in next(p for p in paras if "〔2026〕" in p.text)._p.xml     # the red rule
    if kind == "department-report":
        t = d.tables[0]
        assert [c.text for c in t.rows[0].cells] == doc["tables"][0]["header"]
        assert "tblHeader" in t.rows[0]._tr.xml                       # repeated on every page
    if kind == "notice":
        note = next(p for p in paras if p.text.startswith("附件：1."))
        nxt = paras[paras.index(note) + 1]
        assert nxt.text.startswith("2.") and nxt.paragraph_format.left_indent.pt > 31       # hanging numbers
        assert "抄送：" in flat and "印发" in flat


def test_attachment_pages_and_tables_in_word():
    doc = dict(sample("notice"), attachments=[{"title": "整改台账", "body": "如下。\n[[表格1]]", "tables": [
        {"header": ["序号", "事项"], "rows": [["1", "建立清单"]]}]}])
    d = Document(io.BytesIO(render_docx("notice", doc)))
    xml = d.element.xml
    assert 'w:type="page"' in xml                                     # 附件 starts a new page
    label = next(p for p in d.paragraphs if p.text == "附件")
    assert label.runs[0].font.name == "黑体"
    assert d.tables and d.tables[0].rows[1].cells[1].text == "建立清单"
