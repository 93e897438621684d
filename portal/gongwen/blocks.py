"""Blocks of the composer that are not running text: tables set on the grid (number columns aligned on
the decimal point) and vector figures (SVG) a whole number of grid lines tall."""
import base64
import math
import re
import xml.etree.ElementTree as ET

from . import typeset as ts
from .glyphs import svg_pt, svg_texts
from .grid import BODY, CELL, FIG_BASELINE, P
from .pagination import Unit
from .typeset import plain_line, text_width_pt

NUMBER = re.compile(r"([+\-−]?(?:\d{1,3}(?:,\d{3})+|\d+))(\.\d+)?[%‰]?")


def _fit(widths, need):
    """Column widths (pt, same total) where every column is at least ``need`` when the total allows: the
    missing room is taken from the columns with room to spare, in proportion to what they can give."""
    short = sum(max(0.0, n - w) for w, n in zip(widths, need))
    spare = [max(0.0, w - n) for w, n in zip(widths, need)]
    if not short or short > sum(spare):
        return widths
    k = short / sum(spare)
    return [max(w, n) if n > w else w - s * k for w, n, s in zip(widths, need, spare)]


class Blocks:
    """Mixed into the Composer (uses its ``fonts``, ``texts``, ``units`` and ``add``)."""

    def table(self, t):
        """A simple table set on the grid: 3号 text, every table line on the 28.95pt pitch (rows are whole
        lines tall, borders drawn inside the cells), so pages stay at 22 lines. Column 1 text starts on the
        2-cell indent and later columns at least 4.5 cells in, so no table line reads as a broken paragraph."""
        f = self.fonts
        header = [str(h) for h in t.get("header") or []]
        rows = [[("" if c is None else str(c)) for c in r] for r in t.get("rows") or []]
        ncol = max([len(header)] + [len(r) for r in rows] + [1])
        header += [""] * (ncol - len(header))
        rows = [r + [""] * (ncol - len(r)) for r in rows]
        if t.get("widths"):
            raw = [float(w) for w in t["widths"]][:ncol] + [1.0] * max(0, ncol - len(t["widths"]))
        else:
            raw = [min(max(max([len(header[c])] + [len(r[c]) for r in rows]), 2), 14) for c in range(ncol)]
        tot, pad = sum(raw), 0.25
        if ncol > 1:
            first = max(28 * raw[0] / tot, 4.5)
            rest = sum(raw[1:])
            bounds, acc = [0.0, first], first
            for w in raw[1:]:
                acc += (28 - first) * w / rest
                bounds.append(acc)
            bounds[-1] = 28.0
        else:
            bounds = [0.0, 28.0]
        widths = [(bounds[k + 1] - bounds[k]) * CELL for k in range(ncol)]
        pads = [2 * CELL] + [pad * CELL] * (ncol - 1)
        if any(header):      # a header word is never broken: its column widens, the roomiest give way
            extra = [pad * CELL + 0.5 + (0.5 if k == ncol - 1 else 0.0) for k in range(ncol)]
            need = [text_width_pt(f, h, "hei", spacing=0) + pads[k] + extra[k] + 0.01 for k, h in enumerate(header)]
            fitted = _fit(widths, need)

            def height(ws):                  # the table's lines with these widths: header and every row
                def tall(r, role):
                    return max(len(ts.wrap_cells(f, c.strip(), (ws[k] - pads[k] - extra[k]) / BODY, role, BODY))
                               for k, c in enumerate(r))
                return tall(header, "hei") + sum(tall(r, "fang") for r in rows)
            if fitted is not widths and height(fitted) <= height(widths):
                widths = fitted              # only when the table grows no taller for it
        lefts = [sum(widths[:k]) for k in range(ncol)]
        caption = (t.get("caption") or "").strip()
        if caption:
            self.texts.append(("hei", caption))
            self.add("caption", P, line=plain_line(caption, role="hei", kind="caption", spacing=0), keep=True)

        def cell_room(k, w):
            """Text room of column k in em of 16pt text: the CSS box (border-box) minus its padding and the
            0.5pt borders (left on every cell, right on the last)."""
            return (w - pads[k] - pad * CELL - 0.5 - (0.5 if k == ncol - 1 else 0.0)) / BODY

        # number columns (every filled body cell a number): right-aligned on the decimal point; not the
        # first column, whose text starts on the 2-cell indent (a line starting 0.5–4.5 cells in would read
        # as a broken paragraph indent)
        numeric = [k > 0 and any(r[k].strip() for r in rows)
                   and all(not r[k].strip() or NUMBER.fullmatch(r[k].strip()) for r in rows) for k in range(ncol)]

        def tail_pt(c):                      # width of what follows the integer part: ".5", "%", ".25%"
            m = NUMBER.fullmatch(c.strip())
            return text_width_pt(f, c.strip()[m.end(1):], spacing=0) if m and m.end(1) < len(c.strip()) else 0.0
        tails = [max([tail_pt(r[k]) for r in rows] + [0.0]) if numeric[k] else 0.0 for k in range(ncol)]

        def row_unit(cells, head):
            wrapped = []
            if not head:
                cells = [c.strip() if numeric[k] else c for k, c in enumerate(cells)]
            for k, (c, w) in enumerate(zip(cells, widths)):
                role = "hei" if head else "fang"
                self.texts.append((role, c))
                wrapped.append(ts.wrap_cells(f, c, cell_room(k, w), role, BODY))
            nl = max(len(x) for x in wrapped)
            right = [numeric[k] and not head for k in range(ncol)]
            centre = [k > 0 and not right[k] and (head or len(c) <= 2) for k, c in enumerate(cells)]
            rpads = [pad * CELL + (tails[k] - tail_pt(c) if right[k] else 0.0) for k, c in enumerate(cells)]
            return Unit("table-row", nl * P, dict(cells=wrapped, lefts=lefts, widths=widths, pads=pads,
                                                  head=head, centre=centre, right=right, rpads=rpads,
                                                  pad=pad * CELL, keep=head))
        head_unit = row_unit(header, True) if any(header) else None
        if head_unit:
            self.units.append(head_unit)
        for r in rows:
            u = row_unit(r, False)
            u.data["repeat"] = head_unit
            self.units.append(u)

    def figure(self, fig):
        """A vector figure (SVG) FIG_WIDTH wide and a whole number of grid lines tall, its caption (黑体,
        centred) on the grid line under it; one unit, never split across pages."""
        svg = str(fig.get("svg") or "")
        try:
            root = ET.fromstring(svg)
        except ET.ParseError as exc:
            raise ValueError(f"figure SVG is not well-formed XML: {exc}") from None
        h = svg_pt(root.get("height"))
        if h is None:
            vb = (root.get("viewBox") or "").replace(",", " ").split()
            h = float(vb[3]) if len(vb) == 4 else P
        lines = max(1, math.ceil(h / P - 0.01))
        for role, text in svg_texts(root):
            self.texts.append((role, text))
        caption = (fig.get("caption") or "").strip()
        cap_line = None
        if caption:
            self.texts.append(("hei", caption))
            w = text_width_pt(self.fonts, caption, "hei", spacing=0) / CELL
            ind = (28 - w) / 2
            # a centred caption never reads as a paragraph's first line (indent strictly 2 cells or ≥ 4.5)
            cap_line = plain_line(caption, role="hei", kind="caption", spacing=0,
                                  indent_pt=2 * CELL if 0.5 < ind < 4.5 else 0.0)
            cap_line = (cap_line, not 0.5 < ind < 4.5)
        a, dsc = self.fonts.metrics("fang")
        baseline = (P - (a + dsc) * BODY) / 2 + a * BODY       # where a 16pt 仿宋 .ln puts its baseline
        uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
        self.add("figure", P * (lines + (1 if cap_line else 0)), src=uri, lines=lines, img_h=h,
                 shift=baseline - FIG_BASELINE, caption=cap_line, alt=caption or "图")
