"""Every kind's sample measured on its PDF, the rules a clerk's checking tool applies (issue 15): each page
before the last that holds only 16pt text holds the grid's 22 lines; the 成文日期 is the last dated line,
its right edge 2 characters in (unsealed) or 4 (sealed); every page is numbered — a letter's first page
excepted. The samples are what a clerk gets from `flask documents sample KIND`.

Cases behind them: a heading that would end a page with two lines free, where no paragraph can give a line
alone (work plan: two steps together mend it — a paragraph a line shorter and a widow allowed, or, failing
all else, the heading keeps one line); a table whose header words would break (department report: the
column widens when others have room); a 纪要 whose 出席/请假/列席 lists stand with the 成文日期 (no 正文 carried over, no 署名);
letters under the organ's seal.

A page may stay short only for a reason measured on the PDF (GB/T 9704 7.3.5 with the keep rules): the page
after it opens the block that goes with the 署名 — the 署名 keeps the last two lines of 正文 with it, a heading
never ends a page alone (it keeps at least one line of what follows) — so no line from the top of that page
can legally end the short one. The talk notice's page 1 is such a page (its last paragraph has two lines, both
go with the 署名); so was the department report's page 2 until its sample's (三) paragraph took a fourth line
(one line free, then a heading, a three-line paragraph and the 署名: the heading alone was the only fit):
`test_short_page_by_rule_is_measured` keeps that case. Page 1 is full on every other kind."""
import re

import pytest

from portal.gongwen.render import KINDS, render_pdf
from portal.gongwen.samples import sample

from .layout import BOTTOM, DATE, GRID, LEFT, MM, PAGE_NO, PITCH, RIGHT, Doc, text_lines

def _measure(kind):
    doc = sample(kind)
    pdf = Doc(render_pdf(kind, doc))
    pages = [[ln for ln in text_lines(p) if not PAGE_NO.fullmatch(ln.text)] for p in pdf.pages]
    return doc, pdf, pages


HEADING = re.compile(r"(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")
SHORT_BY_RULE = {("talk-notice", 1): (2, "signature")}


def _free_lines(lines):
    """Whole grid lines left free under a page's last 16pt line."""
    body = [ln for ln in lines if abs(ln.size - 16) < 0.1]
    return int((BOTTOM - body[-1].bottom) / (PITCH / MM) + 0.05)     # page 1 of a 版头 kind sits a little off


def _why_short(pages, k, free):
    """The measured reason why page ``k`` (1-based) may keep ``free`` lines free, or None. The next page must
    open the 署名's block: 正文 lines, then the 署名 (a line starting 4.5 cells in or more) and the 成文日期.
    A move of m lines from its top would fill the short page legally when m <= free, the 署名 keeps two
    lines of 正文 (7.3.5), and the last line moved is no heading (a heading keeps one line at the least)."""
    if k >= len(pages):
        return None
    nxt = pages[k]
    if not any(DATE.fullmatch(ln.text) for ln in nxt):
        return None
    sig = next(i for i, ln in enumerate(nxt) if (ln.x0 - LEFT) / GRID > 4.4 or DATE.fullmatch(ln.text))
    body = nxt[:sig]
    legal = [m for m in range(1, min(free, len(body) - 2) + 1) if not HEADING.match(body[m - 1].text)]
    if legal:
        return None
    return "heading" if body and HEADING.match(body[0].text) and len(body) - 2 >= 1 else "signature"


def _short_pages(kind, pages):
    """{page: (free lines, measured reason)} of every page but the last that ends short of the grid:
    page 1 always, later pages when they hold only 16pt text (a table's or a figure's page aside)."""
    out = {}
    for k, lines in enumerate(pages[:-1], 1):
        if not lines or (k > 1 and not all(abs(ln.size - 16) < 0.1 for ln in lines)):
            continue
        if any(DATE.fullmatch(ln.text) for ln in lines):
            continue
        free = _free_lines(lines)
        if k > 1 and free == 0:
            assert len(lines) == 22, (kind, k, len(lines))
        if free:
            out[k] = (free, _why_short(pages, k, free))
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_full_pages_hold_22_lines(kind):
    """Every page before the last holds the 22-line grid, page 1 included, but for a reason measured."""
    _doc, _pdf, pages = _measure(kind)
    short = _short_pages(kind, pages)
    assert all(why for _, why in short.values()), (kind, short)
    assert short == {k: v for (kd, k), v in SHORT_BY_RULE.items() if kd == kind}


def test_short_page_by_rule_is_measured():
    """A page keeps a line free when what follows is a heading and a paragraph whose last two lines go with
    the 署名: only the heading would fit, and a heading never ends a page. The department report's first
    paragraph is lengthened a line at a time until the heading 二、 falls there; the short page's reason is
    then measured from the PDF, and the heading opens the next page."""
    base = sample("department-report")
    para = "（一）加强学习动员。召开科室全体会议，传达学习局党组关于作风纪律整顿的部署要求，统一思想认识。"
    tail = "二、下一步工作打算\n一是持续推进整改，确保剩余问题按期整改到位；二是完善考勤、值班、公车使用等内部管理制度，巩固整改成果；三是加强日常监督提醒，推动科室作风持续好转。"
    filler = "按照工作要求逐项对照检查。"
    for extra in range(0, 40):
        body = "一、自查自纠工作开展情况\n" + "\n".join([para] * 8) + filler * extra + "\n" + tail
        doc = dict(base, body=body, tables=[])
        pdf = Doc(render_pdf("department-report", doc))
        pages = [[ln for ln in text_lines(p) if not PAGE_NO.fullmatch(ln.text)] for p in pdf.pages]
        short = _short_pages("department-report", pages)
        hit = [k for k, (free, why) in short.items() if why == "heading"]
        if hit:
            k = hit[0]
            assert short[k][0] == 1                     # one line free, the heading carried over
            assert HEADING.match(pages[k][0].text)
            return
    pytest.fail("no shift of the text left a heading at a page's end")


@pytest.mark.parametrize("kind", KINDS)
def test_date_of_issue_and_page_numbers(kind):
    doc, pdf, pages = _measure(kind)
    dates = [ln for lines in pages for ln in lines if DATE.fullmatch(ln.text) and abs(ln.size - 16) < 0.1]
    assert dates, "no 成文日期"
    date = dates[-1]
    off = (RIGHT - date.x1) / GRID
    lines = [ln for lines in pages for ln in lines]
    sig = lines[lines.index(date) - 1] if doc.get("signature") else None
    if doc.get("seal"):
        assert abs(off - 4) <= 0.2, (kind, round(off, 2))                 # 右空四字 (7.3.5.1)
    elif sig is None or (date.x1 - date.x0) / GRID + 2 > (sig.x1 - sig.x0) / GRID:
        assert abs(off - 2) <= 0.2, (kind, round(off, 2))                 # 右空二字
    else:                                                                  # 首字比署名首字右移二字 (7.3.5.2)
        assert abs((date.x0 - sig.x0) / GRID - 2) <= 0.2 and abs((RIGHT - sig.x1) / GRID - 2) <= 0.2, kind
    numbers = [[int(PAGE_NO.fullmatch(ln.text)[1]) for ln in p[2] if PAGE_NO.fullmatch(ln.text)] for p in pdf.pages]
    letter = kind in ("reminder-letter", "talk-notice")
    for k, found in enumerate(numbers, 1):
        if letter and k == 1:
            assert found == [], "a letter's first page carries no number (10.1)"
        elif found:
            assert found == [k]
    assert numbers[-1] or len(numbers) % 2 == 0      # only a blank back page or the 版记's page may lack one


def test_minutes_lists_stand_with_the_date():
    """纪要: 出席/请假/列席 are one block on the date page, no 署名; the page before is full."""
    doc, _pdf, pages = _measure("minutes")
    date_page = next(k for k, lines in enumerate(pages) if any(DATE.fullmatch(ln.text) for ln in lines))
    texts = [ln.text for ln in pages[date_page]]
    first = next(i for i, t in enumerate(texts) if t.startswith("出席："))
    assert any(t.startswith("请假：") for t in texts[first:]) and any(t.startswith("列席：") for t in texts[first:])
    assert not doc["signature"] and DATE.fullmatch(texts[-1])
    assert len(pages[date_page - 1]) == 22


def test_table_header_words_are_not_broken_when_other_columns_have_room():
    """Narrow columns given by the author widen to hold their header word on one line, taken from columns
    with room to spare (a column whose cells would wrap into more lines gives nothing: test_batch's department
    report keeps its cells' lines)."""
    table = dict(header=["序号", "问题类别", "整改时限", "说明"], widths=[1, 1, 1, 12],
                 rows=[["1", "治“拖”", "立行立改", "短"], ["2", "治“散”", "2026年6月", "已整改"]])
    doc = dict(title="表头测试", body="见下表。\n[[表格1]]\n以上。", tables=[table], signature="综合服务科",
               date="2026-05-06")
    pdf = Doc(render_pdf("department-report", doc))
    texts = [ln.text for lines in ([text_lines(p) for p in pdf.pages]) for ln in lines]
    assert "序号问题类别整改时限说明" in texts, texts
