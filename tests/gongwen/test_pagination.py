"""Page breaks measured on the PDF (issue 15, faults 3, 4, 5, 8): headings keep two lines of what follows,
no widows or orphans where the grid allows, 正文 and the blank line go with 署名/成文日期 to a new page
(7.3.5), the 附件说明 stays whole after its blank line with its numbers on a hanging indent (7.3.4), and
page 1 is not left short. Each document is rendered with 0–21 filler lines before the place that matters,
so every position of that place on a page is tried."""
import pytest

from portal.gongwen.render import render_pdf
from portal.gongwen.samples import sample

from .layout import DATE, GRID, LEFT, PITCH, Doc, carried_block, ends_on_last_grid_line, text_lines

FILL = "{i}. 追加的编号事项第{i}条，请各单位认真落实。"
RICH = ("检查、督办、通报、约谈、问责、整改、销号、复查，“回头看”、“再督查”，立行立改、真改实改；"
        "对照台账、逐条核对、逐项销号，做到问题不解决不松劲、整改不到位不放过，坚决防止反弹。")   # 4 lines


def pages_of(kind, doc):
    d = Doc(render_pdf(kind, doc))
    return d, [[ln for ln in text_lines(p) if abs(ln.size - 16) < 0.1] for p in d.pages]


def assign(pages, paras):
    """Map each text line to (paragraph number, line number, line count) by reading the paragraphs'
    texts in order through the lines of the pages: {(page, line index): (p, j, n)}."""
    flat = [(k, i, ln.text) for k, lines in enumerate(pages) for i, ln in enumerate(lines)]
    out, pos = {}, 0
    for p, text in enumerate(paras):
        text = text.replace(" ", "")
        while pos < len(flat) and not text.startswith(flat[pos][2]):
            pos += 1
        got, mine = "", []
        while pos < len(flat) and got != text and text.startswith(got + flat[pos][2]):
            got += flat[pos][2]
            mine.append(flat[pos][:2])
            pos += 1
        assert got == text, (p, text, got)
        for j, key in enumerate(mine):
            out[key] = (p, j, len(mine))
    return out


@pytest.mark.parametrize("n", range(22))
def test_heading_keeps_two_lines_of_what_follows(n):
    body = "\n".join([FILL.format(i=i) for i in range(1, n + 1)] +
                     ["二、存在的问题和不足", sample("circular")["body"].split("\n")[3],
                      "（一）工作纪律执行不严", RICH, "三、下一步工作打算", RICH])
    doc, pages = pages_of("circular", dict(sample("circular"), body=sample("circular")["body"] + "\n" + body))
    for lines in pages:
        for i, ln in enumerate(lines):
            if ln.text in ("二、存在的问题和不足", "（一）工作纪律执行不严", "三、下一步工作打算"):
                after = lines[i + 1:]
                assert len(after) >= 2, (n, ln.text, "left at the foot of a page")
                assert not after[0].text.startswith(("一、", "二、", "三、")) or len(after) >= 3


@pytest.mark.parametrize("n", range(22))
def test_no_widows_or_orphans_and_full_pages(n):
    """Paragraphs rich in punctuation: every break that would leave one line of a paragraph alone is mended
    by setting punctuation half width in a paragraph before it, so pages stay full at 22 lines too."""
    paras = [RICH] * 3 + [FILL.format(i=i) for i in range(1, n + 1)] + [RICH] * 8
    doc, pages = pages_of("work-plan", dict(title="关于分页的测试方案", body="\n".join(paras),
                                            signature="综合服务科", date="2026-05-06"))
    where = assign(pages, paras)
    date_page = next(k for k, lines in enumerate(pages) if any(DATE.fullmatch(ln.text) for ln in lines))
    for k, lines in enumerate(pages[:date_page]):
        if k:
            assert len(lines) == 22 or (k == date_page - 1 and len(lines) + carried_block(doc.pages[date_page])
                                        > 22), (n, k, len(lines))
        first, last = where.get((k, 0)), where.get((k, len(lines) - 1))
        if last and last[2] > 1:
            assert last[1] != 0, (n, k, "orphan: a paragraph's first line alone at the foot")
        if first and first[2] > 1 and k:
            assert first[1] != first[2] - 1, (n, k, "widow: a paragraph's last line alone at the head")


@pytest.mark.parametrize("n", range(22))
def test_signature_block_and_attachment_note_at_every_position(n):
    """正文 then a 3-item 附件说明 (one item wrapping), 署名, 成文日期 and 附注 after 0–21 filler lines:
    - page 1 is full (fault 8) and the 附件说明 is whole, 1 blank line under 正文 (fault 5);
    - its numbers stand on one vertical, a wrapped item hangs under its own text (fault 5);
    - the date page shows at least two lines of 正文, and 署名 is exactly one blank line under the
      附件说明 (fault 4, 7.3.5)."""
    long_item = "作风纪律问题整改台账（样表）及填报说明、问题清单、整改措施、完成时限和责任人一览表"
    doc = dict(sample("notice"), attachments=["“回头看”工作自查报告提纲", long_item, "复查工作安排"])
    doc["body"] += "".join("\n" + FILL.format(i=i) for i in range(1, n + 1))
    d, pages = pages_of("notice", doc)
    assert ends_on_last_grid_line(d.pages[0]), (n, "page 1 left short")
    note_pages = [k for k, lines in enumerate(pages) for ln in lines if ln.text.startswith("附件：")]
    assert len(note_pages) == 1
    k = note_pages[0]
    lines = pages[k]
    i = next(j for j, ln in enumerate(lines) if ln.text.startswith("附件："))
    note = lines[i:i + 4]                                          # the 2nd item wraps
    assert [ln.text[:2] for ln in note] == ["附件", "2.", "清单", "3."]
    assert i >= 2, (n, "the 附件说明 page shows 正文 above it")
    assert abs(note[0].base - lines[i - 1].base - 2 * PITCH) < 0.5, "one blank line under 正文"
    assert all(abs(b.base - a.base - PITCH) < 0.5 for a, b in zip(note, note[1:])), "the note in one piece"
    one = next(c for c in note[0].chars if c["text"] == "1")
    for ln in (note[1], note[3]):                                  # 2. and 3. under 1.
        assert abs(ln.chars[0]["x0"] - one["x0"]) < 0.5
    text_start = note[1].chars[2]["x0"]                            # after "2."
    assert abs(note[2].x0 * 72 / 25.4 - text_start) < 0.5, "the wrapped item hangs under its text"
    sig = lines[i + 4] if len(lines) > i + 4 else None
    assert sig is not None and abs(sig.base - note[-1].base - 2 * PITCH) < 0.5, "1 blank line before 署名"
    assert any(DATE.fullmatch(ln.text) for ln in lines[i:]), "署名 and 成文日期 on the note's page"


def test_the_body_ending_on_a_page_carries_its_lines_to_the_signature():
    """With 正文 ending on a page's last grid line, the signature does not stand alone on the next page:
    two lines of 正文 go with it, then one blank line, then 署名 (fault 4)."""
    seen = 0
    for n in range(22):
        doc = dict(sample("circular"))
        doc["body"] += "".join("\n" + FILL.format(i=i) for i in range(1, n + 1))
        d, pages = pages_of("circular", doc)
        k = next(k for k, lines in enumerate(pages) if any(DATE.fullmatch(ln.text) for ln in lines))
        lines = pages[k]
        date = next(j for j, ln in enumerate(lines) if DATE.fullmatch(ln.text))
        sig = lines[date - 1]
        assert date - 1 >= 2 and abs(sig.base - lines[date - 2].base - 2 * PITCH) < 0.5, n
        if date - 1 == 2:                                  # 正文 would have ended on the page before
            seen += 1
            assert (lines[0].x0 - LEFT) / GRID < 2.5
    assert seen, "some n put 正文's end on a page's last line"
