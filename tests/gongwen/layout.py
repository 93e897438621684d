"""Small pdfplumber helpers for the GB/T 9704 layout tests (the project's own checks, no ../shared)."""
import re
from collections import Counter

import pdfplumber

MM = 72 / 25.4
LEFT, RIGHT, TOP, BOTTOM = 28.0, 184.0, 37.0, 262.0
GRID = (RIGHT - LEFT) / 28
PAGE_NO = re.compile(r"—(\d+)—")
DATE = re.compile(r"\d{4}年[1-9]\d?月[1-9]\d?日")


def is_red(col):
    if col is None or isinstance(col, (int, float)) or len(col) != 3:
        return False
    return col[0] >= 0.7 and col[1] <= 0.35 and col[2] <= 0.35


class Line:
    def __init__(self, page, chars):
        self.page, self.chars = page, sorted(chars, key=lambda c: c["x0"])
        self.text = "".join(c["text"] for c in self.chars)
        self.x0 = self.chars[0]["x0"] / MM
        self.x1 = max(c["x1"] for c in self.chars) / MM
        self.base = chars[0]["base"]
        self.top = min(c["base"] - 0.88 * c["size"] for c in chars) / MM
        self.bottom = max(c["base"] + 0.12 * c["size"] for c in chars) / MM
        self.size = Counter(round(c["size"], 1) for c in chars).most_common(1)[0][0]
        self.red = all(is_red(c["non_stroking_color"]) for c in chars)
        self.full_width = all(c["x1"] - c["x0"] >= 0.9 * c["size"] for c in chars)

    @property
    def centre(self):
        return (self.x0 + self.x1) / 2


def lines_of(page, pno):
    chars = [c for c in page.chars if c["text"].strip()]
    for c in chars:
        c["base"] = c["top"] + (c["y1"] - c["matrix"][5])
    groups = []
    for c in sorted(chars, key=lambda c: c["base"]):
        if groups and c["base"] - groups[-1][0]["base"] <= 2.0:
            groups[-1].append(c)
        else:
            groups.append([c])
    return [Line(pno, g) for g in groups]


def rules_of(page):
    """Horizontal rules >= 100 mm wide as (x0, x1, top, bottom, colour) in mm. WeasyPrint paints borders as
    filled boxes or even-odd rings (outer box minus inner box): a rule is a pair of box edges < 1.5 mm apart."""
    out, edges = [], {}
    for o in page.rects + page.lines + page.curves:
        x0, x1, top, bottom = o["x0"] / MM, o["x1"] / MM, o["top"] / MM, o["bottom"] / MM
        if x1 - x0 < 100:
            continue
        col = o.get("non_stroking_color") if o.get("fill") else o.get("stroking_color")
        if bottom - top <= 2:
            out.append((x0, x1, top, bottom, col))
        else:
            key = (round(x0, 1), round(x1, 1), str(col))
            edges.setdefault(key, (x0, x1, col, set()))[3].update({round(top, 3), round(bottom, 3)})
    for x0, x1, col, ys in edges.values():
        ys = sorted(ys)
        k = 0
        while k + 1 < len(ys):
            if 0.01 < ys[k + 1] - ys[k] < 1.5:
                out.append((x0, x1, ys[k], ys[k + 1], col))
                k += 2
            else:
                k += 1
    uniq = {(round(r[2], 2), round(r[3], 2), round(r[0], 1)): r for r in out}
    return sorted(uniq.values(), key=lambda r: r[2])


class Doc:
    def __init__(self, pdf_bytes):
        import io
        with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
            self.pages = [(p.width / MM, p.height / MM, lines_of(p, i), rules_of(p))
                          for i, p in enumerate(pdf.pages, 1)]

    def lines(self, footer=False):
        for _, _, lines, _ in self.pages:
            for ln in lines:
                if (ln.top > BOTTOM + 1) == footer:
                    yield ln


PITCH = 28.95                      # grid line pitch, pt


def text_lines(page):
    """The lines of a page inside the text block (no page number, no colophon below it)."""
    _, _, lines, _ = page
    return [ln for ln in lines if ln.top <= BOTTOM + 1]


def carried_block(page):
    """Grid lines from the top of a date page down to its 成文日期: what the signature took with it (the
    last lines of 正文, the blank line, 附件说明 or 出席…, 署名). None when the page has no date."""
    lines = text_lines(page)
    date = next((ln for ln in lines if DATE.fullmatch(ln.text)), None)
    if date is None or not lines:
        return None
    return round((date.base - lines[0].base) / PITCH) + 1


def ends_on_last_grid_line(page):
    """Does the page's text reach the block's last grid line (the page is not left short)?"""
    lines = [ln for ln in text_lines(page) if abs(ln.size - 16) < 0.1]
    return bool(lines) and BOTTOM - lines[-1].bottom < PITCH / MM - 0.5
