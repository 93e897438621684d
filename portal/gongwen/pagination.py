"""Pagination: layout units onto pages of 22 grid lines (GB/T 9704 5.2.3, 7.3.5, 7.4), with figures that
float, signature pages that show body text and the 版记 on the last, even page."""
from dataclasses import dataclass, field

from .grid import CAP, P

FILLERS = ("ln", "blank", "gap", "table-row", "caption")   # units a waiting figure lets pass (floats)
FIGURE_MODES = ("down", "up", "here")   # figure placements tried in turn until no page is left short


@dataclass
class Unit:
    kind: str                      # ln | blank | title | head | table-row | break | sig
    height: float = P
    data: dict = field(default_factory=dict)
    body: bool = False             # a body text line (may be carried to the next page)


class Paginator:
    """``Paginator(units, colophon).pages()``: the units on pages; ``colophon`` is the 版记 (or None)."""

    def __init__(self, units, colophon=None):
        self.units, self.colophon = units, colophon

    def pages(self):
        """Pages of units. Every page before the signature page stays at 22 lines and the signature page
        shows body text (7.3.5): when the 署名/成文日期 block does not fit, body lines are carried over only
        if the page they leave stays full; otherwise page 1 (whose header and title keep it off the grid
        anyway) ends 1–6 lines early so that every later page boundary moves down (5.2.3 特定情况适当调整)."""
        best = None
        modes = FIGURE_MODES if any(u.kind == "figure" for u in self.units) else FIGURE_MODES[:1]
        for mode in modes:                                     # figures: float down, up, or stay in place
            for push in range(7):
                pages, short = self._paginate(push, mode)
                if push and not any(u.body for u, _ in pages[0]["units"]):
                    break                                      # page 1 must show body text (7.3.3)
                short += self._short_pages(pages)
                if not short:
                    return pages
                if best is None or short < best[0]:
                    best = (short, pages)
        return best[1]

    @staticmethod
    def _short_pages(pages):
        """Pages of body text only (not page 1, not the signature page, not the last page of a section)
        showing fewer than 22 lines — e.g. a blank line (before 附件说明, 出席…) inside the page."""
        n = 0
        for k, p in enumerate(pages[1:-1], 1):
            kinds = {u.kind for u, _ in p["units"]}
            if p.get("broken") or kinds & {"sig", "title", "head"} or not p["units"]:
                continue
            shown = sum(u.height for u, _ in p["units"] if u.kind not in ("blank", "gap"))
            if shown < p["cap"] - 0.01:
                n += 1
        return n

    def _paginate(self, push=0, mode="down"):
        pages = [dict(units=[], used=0.0, cap=CAP - push * P)]
        short = 0

        pending = []                                           # figures waiting for the next page (floats)

        def new_page(reserve=0.0):
            pages.append(dict(units=[], used=0.0, cap=CAP))
            while pending and (not pages[-1]["units"] or pages[-1]["used"] + pending[0].height + reserve
                               <= CAP + 0.01):
                self._place(pages[-1], pending.pop(0))           # a waiting figure opens the page

        def flush_pending():
            while pending:
                if pages[-1]["used"] + pending[0].height <= pages[-1]["cap"] + 0.01:
                    self._place(pages[-1], pending.pop(0))
                else:
                    new_page()

        units = list(self.units)
        k = -1
        while k + 1 < len(units):
            k += 1
            u = units[k]
            if pending and u.kind not in FILLERS and u.kind != "figure":
                flush_pending()                                # waiting figures go before what ends the flow
            page = pages[-1]
            cap = page["cap"]
            if u.kind == "break":
                if page["units"]:
                    page["broken"] = True
                    new_page()
                continue
            if u.kind in ("blank", "gap") and not page["units"]:
                continue                                       # no blank line at the top of a page
            if u.kind == "blank" and page["used"] + 2 * P > cap + 0.01:
                continue                                       # nor in the last slot: keep pages full
            need = u.height
            if (u.kind == "caption" or (u.kind == "table-row" and u.data.get("head"))) and k + 1 < len(units):
                nxt = units[k + 1]
                need += nxt.height + (units[k + 2].height if nxt.kind == "table-row" and nxt.data.get("head")
                                      and k + 2 < len(units) else 0)
            if u.kind == "figure" and page["units"] and (pending or page["used"] + need > cap + 0.01):
                # a float: the text and tables that follow fill this page, the figure opens the next one;
                # failing that it goes up before the page's last body lines; failing that, the next page
                fill = self._fillers_after(units, k)
                if pending:
                    pending.append(u)
                    continue
                if mode == "down" and fill >= cap - page["used"] - 0.01:
                    pending.append(u)
                    continue
                if mode in ("down", "up") and self._float_up(pages, u):
                    continue
                if mode in ("down", "up") and fill:
                    pending.append(u)
                    continue
            if page["used"] + need > cap + 0.01:
                if u.kind == "sig":
                    carried = []
                    if page["used"] + u.height - P <= cap + 0.01 and page["units"] and \
                            page["units"][-1][0].kind == "blank":
                        page["units"].pop()                     # drop the blank line before the signature
                        page["used"] -= P
                    else:
                        while page["units"] and page["units"][-1][0].kind == "blank":
                            b = page["units"].pop()
                            page["used"] -= b[0].height
                        for _ in range(2):                      # carry body lines: the signature page
                            if page["units"] and page["units"][-1][0].body:   # must show body text
                                c = page["units"].pop()
                                page["used"] -= c[0].height
                                carried.insert(0, c[0])
                        if len(pages) > 1 and carried:
                            short += 1                          # a later page left short: push from page 1
                        new_page()
                        for c in carried:
                            self._place(pages[-1], c)
                    if pages[-1]["used"] + u.height <= pages[-1]["cap"] + 0.01:
                        self._place(pages[-1], u)
                        continue
                new_page(need + (u.data["repeat"].height if u.kind == "table-row"
                                 and u.data.get("repeat") is not None else 0.0))
                if u.kind == "table-row" and u.data.get("repeat") is not None:
                    self._place(pages[-1], u.data["repeat"])
                if u.kind in ("blank", "gap"):
                    continue
            self._place(pages[-1], u)
        flush_pending()
        while len(pages) > 1 and not pages[-1]["units"]:
            pages.pop()
        col = self.colophon
        if col:
            # 版记 on the last, even page (7.4): printed double-sided, the colophon is the back cover
            if pages[-1]["used"] + col["height"] > CAP - 2:
                new_page()
            if len(pages) % 2:
                if pages[-1]["units"]:
                    new_page()                                 # the colophon alone on the next (even) page
                else:                                          # a colophon-only odd page: a blank page
                    pages[-1]["unnumbered"] = True             # before it; neither is numbered (7.5)
                    new_page()
                    pages[-1]["unnumbered"] = True
            pages[-1]["colophon"] = col
        return pages, short

    @staticmethod
    def _fillers_after(units, k):
        """Height of the body lines and table rows after units[k] that can fill a page before the flow
        ends (the signature, a page break, an attachment's title)."""
        h = 0.0
        for x in units[k + 1:]:
            if x.kind not in FILLERS:
                break
            if x.kind in ("ln", "table-row", "caption") and (x.body or x.kind != "ln"):
                h += x.height
        return h

    def _float_up(self, pages, u):
        """Place figure ``u`` before the current page's last run of body lines, the lines it displaces
        opening the next page, so this page stays full. False when that run is too short."""
        page = pages[-1]
        over = page["used"] + u.height - page["cap"]
        placed = page["units"]
        i = len(placed)
        while i > 0 and placed[i - 1][0].kind == "ln" and placed[i - 1][0].body:
            i -= 1
        tail = [x for x, _ in placed[i:]]
        m, carried = 0, 0.0
        while m < len(tail) and carried < over - 0.01:
            m, carried = m + 1, carried + tail[-1 - m].height
        if u.height > page["cap"] or carried < over - 0.01 or (i == 0 and m == len(tail)):
            return False
        keep, moved = [x for x, _ in placed[:i]] + [u] + tail[:len(tail) - m], tail[len(tail) - m:]
        page["units"], page["used"] = [], 0.0
        for x in keep:
            self._place(page, x)
        pages.append(dict(units=[], used=0.0, cap=CAP))
        for x in moved:
            self._place(pages[-1], x)
        return True

    @staticmethod
    def _place(page, u):
        page["units"].append((u, page["used"]))
        page["used"] += u.height
