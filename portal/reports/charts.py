"""The 报告's charts: horizontal bar charts of the period's numbers as standalone SVG documents, handed to
the documents engine as figures (drawn as vectors in the PDF).

The dashboard's charts (portal/dashboard/charts.py) are geometry for an HTML template with CSS classes and
links; a printed official document needs something else: every chart line is one line of the 3号 grid
(28.95pt) with its 16pt 仿宋 label and value on the body's baseline (FIG_BASELINE), so the page holding a
chart keeps its 22 lines and the GB/T 9704 checks (16pt body text, line pitch) hold. 1 SVG unit = 1pt.
"""
import math
import re
from xml.sax.saxutils import escape

from ..gongwen.render import CELL, FIG_BASELINE, FIG_WIDTH, P
from ..models import SOURCES
from .common import ACTION_LABELS

FONT = "GWFang, FangSong_GB2312, FangSong, STFangsong, serif"
SIZE = 16.0                      # 3号: the only size the body of an official document may use
LABEL_X = 2 * CELL               # labels start on the 2-cell indent, like the tables' first column
LABEL_CHARS = 8                  # the longest unit name
BAR_X = LABEL_X + (LABEL_CHARS + 0.5) * CELL
BAR_TOP, BAR_H = 7.0, 16.0       # the bar covers the glyphs' em box (baseline 21pt, em box 6.9–22.9pt)
DARK, LIGHT, GREY = "#1f4e79", "#9dc3e6", "#7f7f7f"
COLOPHON_LINES = 4               # grid lines the 版记 of the 报告 takes on its page (2 rows, rules, margin)
MAX_ROWS = 14                    # bars of a chart on one 附件 page (附件N, title, blank lines, legend, caption)


def _n(v):
    return f"{v:.3f}".rstrip("0").rstrip(".")


def text_width(text, size=SIZE):
    """Advance of ``text`` in pt: ASCII half an em, everything else one em (the grid's full-width cells)."""
    return sum(size * (0.5 if ord(c) < 0x80 else 1.0) for c in str(text))


def _label(text):
    text = str(text)
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1] + "…"


def _pct(part, whole):
    return f"{100.0 * part / whole:.1f}%" if whole else "—"


def bar_chart(rows, legend=()):
    """``rows``: [(label, [(value, colour), ...], value text)], one grid line each (stacked segments);
    ``legend``: [(name, colour)] on a line of its own above the bars. Returns the SVG document."""
    parts, y0 = [], 0.0
    if legend:
        x = BAR_X
        for name, colour in legend:
            parts.append(f'<rect x="{_n(x)}" y="{_n(9)}" width="12" height="12" fill="{colour}"/>')
            parts.append(f'<text x="{_n(x + 16)}" y="{_n(FIG_BASELINE)}">{escape(name)}</text>')
            x += 16 + text_width(name) + CELL
        y0 = P
    top = max([sum(v for v, _ in segs) for _, segs, _ in rows] + [1])
    room = max([text_width(t) for _, _, t in rows] + [0])
    span = max(FIG_WIDTH - BAR_X - room - 10, 4 * CELL)      # the longest bar leaves room for its value
    first = y0
    for label, segs, value in rows:
        parts.append(f'<text x="{_n(LABEL_X)}" y="{_n(y0 + FIG_BASELINE)}">{escape(_label(label))}</text>')
        x = BAR_X
        for v, colour in segs:
            w = span * v / top
            if w > 0:
                parts.append(f'<rect x="{_n(x)}" y="{_n(y0 + BAR_TOP)}" width="{_n(w)}" height="{_n(BAR_H)}" '
                             f'fill="{colour}"/>')
            x += w
        parts.append(f'<text x="{_n(x + 6)}" y="{_n(y0 + FIG_BASELINE)}">{escape(value)}</text>')
        y0 += P
    parts.append(f'<line x1="{_n(BAR_X)}" y1="{_n(first + 3)}" x2="{_n(BAR_X)}" y2="{_n(y0 - 3)}" '
                 f'stroke="#000" stroke-width="0.6"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(FIG_WIDTH)}pt" height="{_n(y0)}pt" '
            f'viewBox="0 0 {_n(FIG_WIDTH)} {_n(y0)}" font-family="{FONT}" font-size="{_n(SIZE)}" '
            f'fill="#000">' + "".join(parts) + "</svg>")


def _ordered(d, order):
    return [(k, d[k]) for k in order if k in d] + [(k, v) for k, v in d.items() if k not in order]


def departments_chart(stats):
    """Problems registered up to the period's end by department: rectified and not yet, with the rate."""
    depts = [r for r in stats["departments"] if r["total"]]
    if len(depts) > MAX_ROWS:                      # one 附件 page: the largest, then the rest together
        depts = sorted(depts, key=lambda r: -r["total"])
        rest = depts[MAX_ROWS - 1:]
        depts = depts[:MAX_ROWS - 1] + [{"name": f"其余{len(rest)}个部门", "total": sum(r["total"] for r in rest),
                                         "done": sum(r["done"] for r in rest)}]
    rows = [(r["name"], [(r["done"], DARK), (r["total"] - r["done"], LIGHT)],
            f"{r['total']}个，整改率{_pct(r['done'], r['total'])}") for r in depts]
    if not rows:
        rows = [("各部门", [], "0个")]
    return bar_chart(rows, legend=[("已整改", DARK), ("未整改", LIGHT)])


def sources_chart(stats):
    """The period's new problems by source: self-reported (自查从宽) and found by others (被查从严)."""
    items = _ordered(stats["sources"], SOURCES)
    total = sum(n for _, n in items)
    rows = [(SOURCES.get(s, s), [(n, DARK if s == "selfcheck" else GREY)], f"{n}个（{_pct(n, total)}）")
            for s, n in items]
    return bar_chart(rows, legend=[("自查发现", DARK), ("被查发现", GREY)])


def actions_chart(stats):
    """通报、提醒、约谈 taken in the period."""
    rows = [(ACTION_LABELS.get(k, k), [(n, DARK)], f"{n}次") for k, n in _ordered(stats["actions"], ACTION_LABELS)]
    return bar_chart(rows)


def figures(stats):
    """The report's charts in the documents engine's figure format."""
    out = [{"caption": "图1　各部门问题整改情况（截至期末）", "svg": departments_chart(stats),
            "subject": "各部门问题整改情况"},
           {"caption": "图2　本期新增问题来源", "svg": sources_chart(stats), "subject": "新增问题来源"}]
    if stats.get("actions") is not None:
        out.append({"caption": "图3　本期通报、提醒、约谈情况", "svg": actions_chart(stats),
                    "subject": "通报、提醒、约谈情况"})
    return out


def figure_lines(fig):
    """Grid lines a figure takes in the document: its drawing and its caption."""
    h = float(re.search(r'height="([0-9.]+)pt"', fig["svg"])[1])
    return math.ceil(h / P - 0.01) + 1


def attachment_pages(figs, label):
    """The charts as 附件 (one page each: 附件N, its title and the charts that fit under it), so the pages
    of body text keep their 22 lines whatever the numbers. [{"title", "figures"}]."""
    def title(pack):
        subjects = [f["subject"] for f in pack]
        joined = subjects[0] if len(subjects) == 1 else "、".join(subjects[:-1]) + "和" + subjects[-1]
        return f"{label}{joined}统计图"

    def lines(pack):
        # 附件N, blank, the title (2号: at most 18 characters a line, broken at sensible points), blank
        return 3 + math.ceil(len(title(pack)) / 16) + sum(figure_lines(f) for f in pack)

    packs = []
    for f in figs:
        if packs and lines(packs[-1] + [f]) <= 22:
            packs[-1].append(f)
        else:
            packs.append([f])
    # the last page keeps room for the 版记 (抄送, 印发): else it would take a blank page and a page of
    # its own, neither numbered (7.4, 7.5)
    if len(packs[-1]) > 1 and lines(packs[-1]) > 22 - COLOPHON_LINES:
        packs.append([packs[-1].pop()])
    return [{"title": title(pack), "figures": pack} for pack in packs]
