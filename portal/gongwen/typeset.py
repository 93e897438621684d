"""Body text → paragraphs → lines on the GB/T 9704 grid (28 cells of 3号 text per line).

WeasyPrint's ``text-align: justify`` only stretches spaces, so lines are broken here: each glyph's advance
is measured in the role font (full-width CJK = 1 cell, half-width digits/Latin ≈ 0.5), lines are filled to
28 cells, the 避头尾 rules are applied by *pulling* the offending mark onto the line and compressing
punctuation to half width (标点挤压) — or, when that is not possible, by pushing a character down — and every
non-final line is given an exact ``letter-spacing`` so that its last glyph ends on the block's right edge.

Output: :class:`Line` objects made of :class:`Seg` runs, escaped later by the Jinja template.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

MM = 72 / 25.4
BLOCK_W = 156 * MM                 # text block width, pt
CELLS = 28
CELL = BLOCK_W / CELLS             # one grid cell, pt (15.793)
BODY_PT = 16.0
NATURAL_LS = CELL - BODY_PT        # letter-spacing that keeps full-width glyphs on the grid
SQUEEZE = 0.5                      # cells a tightened line may close up by letter-spacing (≈ -0.28pt a glyph)

NO_START = set("，。、；：？！”’）》」』〕】…—·%‰℃")   # may not begin a line (避头)
NO_END = set("（“‘《「『〔【")                           # may not end a line (避尾)
HALF_OK = set("，。、；：！）”’》」』〕】") | NO_END      # punctuation with a half-width form

H1 = re.compile(r"^[一二三四五六七八九十百]+、")
H2 = re.compile(r"^[（(][一二三四五六七八九十百]+[）)]")
H3 = re.compile(r"^\d+[.．、](?!\d)")
H4 = re.compile(r"^[（(]\d+[）)]")
LATIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.,:/%_+\-]*[A-Za-z0-9%]|[A-Za-z0-9]")

LEVEL_ROLE = {0: "fang", 1: "hei", 2: "kai", 3: "fang", 4: "fang"}


@dataclass
class Seg:
    text: str
    role: str = "fang"
    half: bool = False


@dataclass
class Line:
    segs: list
    indent: float = 0.0            # cells
    spacing: float = NATURAL_LS    # letter-spacing, pt
    justified: bool = False
    kind: str = "p"                # p | h1..h4 | plain
    first: bool = False            # first line of its paragraph
    last: bool = False             # last line of its paragraph
    size: float = BODY_PT

    @property
    def text(self):
        return "".join(s.text for s in self.segs)

    @property
    def indent_pt(self):
        return self.indent * CELL


@dataclass
class Paragraph:
    text: str
    level: int = 0                 # 0 body, 1 一、 2 （一） 3 1. 4 （1）
    head: str = ""                 # the heading run (set in the heading font) at the start of text
    lines: list = field(default_factory=list)


def heading_level(text):
    for lvl, rx in ((1, H1), (2, H2), (4, H4), (3, H3)):
        if rx.match(text):
            return lvl
    return 0


def parse_paragraphs(body: str) -> list:
    """Split plain text into paragraphs (one per non-empty line) and detect heading levels."""
    paras = []
    for raw in (body or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        text = raw.strip()                 # every Unicode space (U+3000, U+2003 …): no invisible lines
        text = text.replace("\t", " ")
        if not text:
            continue
        lvl = heading_level(text)
        head = ""
        if lvl in (1, 2):
            # a heading followed by a sentence on the same paragraph: only up to the first 。 is the heading
            m = re.search(r"[。！？：]", text)
            head = text if not m or m.end() == len(text) else text[:m.end()]
        paras.append(Paragraph(text, lvl, head))
    return paras


def _units(text):
    """Break text into unbreakable units: single CJK characters, whole Latin/digit runs, single spaces."""
    out, i = [], 0
    while i < len(text):
        m = LATIN.match(text, i)
        if m:
            out.append(m.group())
            i = m.end()
        else:
            out.append(text[i])
            i += 1
    return out


class Typesetter:
    def __init__(self, fonts, size=BODY_PT, cells=CELLS):
        self.fonts, self.size, self.cells = fonts, size, cells
        self.cell_pt = BLOCK_W / cells

    def adv(self, ch, role):
        """Advance of one character in em (= cells for 16pt text at the natural spacing)."""
        if ch == " ":
            return 0.5
        return self.fonts.advance(role, ch)

    def layout_tight(self, text, roles=None, first_indent=2.0, kind="p", rest_indent=0.0, normal=None):
        """The paragraph one line shorter, its last lines taking more characters with punctuation set half
        width (标点挤压; GB/T 9704 7.3.5.4 调整字距), every line still filling the 28 cells; None when the
        punctuation cannot absorb the last line. Only the last lines needed are tightened."""
        normal = normal if normal is not None else self.layout(text, roles, first_indent, kind, rest_indent)
        n = len(normal)
        if n < 2:
            return None
        marks = [sum(1 for s in ln.segs for c in s.text if c in HALF_OK and not s.half) for ln in normal[:-1]]
        last = sum(self.adv(c, s.role) for s in normal[-1].segs for c in s.text)
        for start in range(n - 2, -1, -1):
            if sum(marks[start:]) * 0.5 + 0.5 < last:
                continue                            # too few marks from this line on to absorb the last
            lines = self.layout(text, roles, first_indent, kind, rest_indent, tight_from=start)
            if len(lines) < n:
                return lines
        return None

    def layout_loose(self, text, roles=None, first_indent=2.0, kind="p", rest_indent=0.0, normal=None):
        """The paragraph one line longer, its last lines each giving about one character to the next
        (7.3.5.4 调整字距: the letter-spacing of those lines grows by under 0.6pt), or None."""
        normal = normal if normal is not None else self.layout(text, roles, first_indent, kind, rest_indent)
        n = len(normal)
        if n < 2:
            return None
        for start in range(n - 1, -1, -1):
            lines = self.layout(text, roles, first_indent, kind, rest_indent, loose_from=start)
            if len(lines) > n:
                return lines if len(lines) == n + 1 and lines[-1].text.strip() else None
        return None

    def layout(self, text, roles=None, first_indent=2.0, kind="p", rest_indent=0.0, tight_from=None,
               loose_from=None):
        """Lines of one paragraph. ``roles``: per character font role (default all 仿宋). From line
        ``tight_from`` on, lines take as many characters as half-width punctuation lets them hold; from
        line ``loose_from`` on, lines hold one cell less (then justified to the full width)."""
        if not text:
            return []
        roles = roles or ["fang"] * len(text)
        units, pos = [], 0
        for u in _units(text):
            units.append((u, roles[pos:pos + len(u)]))
            pos += len(u)

        def width(us, halves=()):
            w = 0.0
            for k, (u, rs) in enumerate(us):
                for ch, r in zip(u, rs):
                    w += 0.5 if k in halves else self.adv(ch, r)
            return w

        lines, i, first = [], 0, True
        n = len(units)
        while i < n:
            ind = first_indent if first else rest_indent
            avail = self.cells - ind
            if loose_from is not None and len(lines) >= loose_from:
                avail -= 1
            if tight_from is not None and len(lines) >= tight_from:
                end, halves = self._tight_end(units, i, avail, width)
                last = end >= n
                lines.append(self._line(units[i:end], halves, ind, not last, kind, first, last))
                i, first = end, False
                continue
            # greedy fill, measured in em (a full-width glyph = 1 cell once letter-spacing is applied)
            w, j = 0.0, i
            while j < n:
                uw = width([units[j]])
                if w + uw > avail + 1e-6:
                    break
                w, j = w + uw, j + 1
            if j == i:                      # one unit wider than the line: take it anyway
                j = i + 1
            if j >= n:
                lines.append(self._line(units[i:n], set(), ind, False, kind, first, True))
                break
            end, halves = self._kinsoku(units, i, j, avail, width)
            last = end >= n
            lines.append(self._line(units[i:end], halves, ind, True, kind, first, last))
            i, first = end, False
        return lines

    def _kinsoku(self, units, i, j, avail, width):
        """Line end for the line starting at unit i whose greedy end is j: (end, half-width unit offsets)."""
        n = len(units)

        def bad_break(k):                    # breaking before unit k is forbidden
            return k < n and (units[k][0][0] in NO_START or units[k - 1][0][-1] in NO_END)

        if not bad_break(j):
            return j, set()
        # 1) pull: take the offending marks onto this line, compress punctuation to half width
        k = j
        while k < n and bad_break(k) and k - j < 3:
            k += 1
        if not bad_break(k):
            seg = units[i:k]
            excess = width(seg) - avail
            halves = set()
            for o in self._half_order(seg, j - i):
                if excess <= 1e-6:
                    break
                halves.add(o)
                excess -= 0.5
            if excess <= 0.5 + 1e-6:            # a remaining half cell is absorbed by letter-spacing
                return k, halves
        # 2) push: move characters down until the break is allowed
        k = j - 1
        while k > i + 1 and bad_break(k):
            k -= 1
        return (k if k > i else j), set()

    def _half_order(self, seg, pulled_from):
        """Offsets of the marks of ``seg`` that may be set half width, in the order to compress them: the
        marks at or after ``pulled_from``, then consecutive punctuation, then any from the end."""
        cands = [o for o in range(len(seg) - 1, -1, -1)
                 if len(seg[o][0]) == 1 and seg[o][0] in HALF_OK and self.adv(seg[o][0], seg[o][1][0]) > 0.9]
        pulled = [o for o in cands if o >= pulled_from]
        pairs = [o for o in cands if o not in pulled and (
            (o + 1 < len(seg) and seg[o + 1][0][0] in HALF_OK) or (o > 0 and seg[o - 1][0][-1] in HALF_OK))]
        return pulled + pairs + [o for o in cands if o not in pulled and o not in pairs]

    def _tight_end(self, units, i, avail, width):
        """(end, halves) of the fullest line starting at unit i that half-width punctuation lets fit."""
        n = len(units)

        def bad_break(k):
            return k < n and (units[k][0][0] in NO_START or units[k - 1][0][-1] in NO_END)

        def squeezable(u):
            return len(u[0]) == 1 and u[0] in HALF_OK and self.adv(u[0], u[1][0]) > 0.9
        w, comp, j = 0.0, 0, i
        while j < n:
            uw, c = width([units[j]]), squeezable(units[j])
            room = avail + (SQUEEZE if comp + c else 0.0)    # a line with a half-width mark may close up
            if j > i and w + uw - 0.5 * (comp + c) > room + 1e-6:
                break
            w, comp, j = w + uw, comp + c, j + 1
        while i + 1 < j < n and bad_break(j):
            j -= 1
        seg = units[i:j]
        excess, halves = width(seg) - avail, set()
        for o in self._half_order(seg, len(seg)):
            if excess <= 1e-6:
                break
            halves.add(o)
            excess -= 0.5
        return j, halves

    def _line(self, units, halves, indent, justify, kind, first, last):
        segs, avail_pt = [], BLOCK_W - indent * self.cell_pt
        nat, count = 0.0, 0
        for k, (u, rs) in enumerate(units):
            for ch, r in zip(u, rs):
                half = k in halves
                a = 0.5 if half else self.adv(ch, r)
                nat += a * self.size
                count += 1
                if segs and segs[-1].role == r and segs[-1].half == half:
                    segs[-1].text += ch
                else:
                    segs.append(Seg(ch, r, half))
        spacing = self.cell_pt - self.size
        if justify and count > 1:
            spacing = (avail_pt - nat) / (count - 1)
        return Line(segs, indent, round(spacing, 4), justify, kind, first, last, self.size)


def typeset_body(fonts, body, first_indent=2.0):
    """Plain body text → list of Lines (headings in their fonts)."""
    ts = Typesetter(fonts)
    out = []
    for p in parse_paragraphs(body):
        roles = ["fang"] * len(p.text)
        if p.level in (1, 2):
            r = LEVEL_ROLE[p.level]
            roles[:len(p.head)] = [r] * len(p.head)
        kind = f"h{p.level}" if p.level else "p"
        p.lines = ts.layout(p.text, roles, first_indent, kind)
        out.extend(p.lines)
    return out


def wrap_cells(fonts, text, cells, role="fang", size=BODY_PT):
    """Simple wrapping of text into lines of at most ``cells`` em (tables, colophon); no justification.
    The 避头尾 rules of the body hold: a closing mark (”，。）…) never starts a line and an opening mark
    (“（《…) never ends one: characters go down to the next line until the break is allowed. A line is
    never wider than ``cells``, except for a single unit wider than the whole room."""
    units = _units(text or "")
    if not units:
        return [""]
    widths = [sum(fonts.advance(role, c) if c != " " else 0.5 for c in u) for u in units]
    n = len(units)

    def bad_break(k):                       # breaking before unit k is forbidden
        return 0 < k < n and (units[k][0] in NO_START or units[k - 1][-1] in NO_END)

    lines, i = [], 0
    while i < n:
        w, j = widths[i], i + 1
        while j < n and w + widths[j] <= cells + 1e-6:
            w, j = w + widths[j], j + 1
        if bad_break(j):
            k = j - 1
            while k > i and bad_break(k):
                k -= 1
            if k > i:                       # else no allowed break on this line: keep the greedy one
                j = k
        lines.append("".join(units[i:j]))
        i = j
    return lines


# ------------------------------------------------------------------ single lines (signature, captions)
def text_width_pt(fonts, text, role="fang", size=BODY_PT, spacing=None):
    spacing = CELL - size if spacing is None else spacing
    nat = sum(fonts.advance(role, c) if c != " " else 0.5 for c in text) * size
    return nat + max(len(text) - 1, 0) * spacing


def plain_line(text, role="fang", indent_pt=0.0, kind="plain", size=BODY_PT, spacing=None):
    ln = Line([Seg(text, role)], indent_pt / CELL, CELL - size if spacing is None else spacing,
                 False, kind, True, True, size)
    return ln


def snap_indent(x_pt):
    """A line starting 0.5–4.5 cells in reads as a broken paragraph indent: put it on the 2-cell indent."""
    cells = x_pt / CELL
    return 2 * CELL if 0.5 < cells < 4.5 else x_pt

