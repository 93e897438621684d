"""Pagination: layout units onto pages of 22 grid lines (GB/T 9704 5.2.3, 7.3.5, 7.4), with figures that
float, signature pages that show body text and the 版记 on the last, even page.

A page ends where the next unit does not fit, moved back to the nearest place a page may end:
- never inside a paragraph so that one line is left alone at a page's foot or head (orphans, widows);
- never right after a heading (一、（一）…), a caption, a table's header row or a title: they keep at least
  two lines of what follows (one, when nothing else keeps the page full);
- never inside the 附件说明 (7.3.4), nor between the last two lines of 正文 and the 署名/成文日期 block: when
  the block moves to a new page the lines of 正文 and the blank line before 署名 go with it (7.3.5).
A page left short by these rules is filled by setting the punctuation of paragraphs before its end half width
(标点挤压 — GB/T 9704 7.3.5.4 调整字距), every line still 28 cells, so following lines move up; only when no
paragraph can give a line does the page stay short. Every line stays on the grid's 28.95pt pitch."""
from dataclasses import dataclass, field

from .grid import CAP, P

FILLERS = ("ln", "blank", "gap", "table-row", "caption")   # units a waiting figure lets pass (floats)
FIGURE_MODES = ("down", "up", "here")   # figure placements tried in turn until no page is left short
TRIES = 6                               # paragraphs tried per short page


@dataclass(eq=False)                 # units are compared by identity
class Unit:
    kind: str                      # ln | blank | title | head | table-row | break | sig | figure | caption
    height: float = P
    data: dict = field(default_factory=dict)
    body: bool = False             # a line of 正文 (the signature page must show some)


class Paginator:
    """``Paginator(units, colophon, tight).pages()``: the units on pages; ``colophon`` is the 版记 (or None);
    ``tight`` maps a paragraph id to a function giving that paragraph's units one line shorter (or None).
    A paragraph's line units carry ``data`` keys ``para`` (id), ``idx`` and ``n`` (line index, count); a
    unit with ``data["keep"]`` stays with the unit that follows (``keep == 2``: with the two that follow);
    units sharing ``data["block"]`` are never split."""

    def __init__(self, units, colophon=None, tight=None):
        self.units, self.colophon, self.tight = units, colophon, tight or {}
        self._tight_cache, self._relaxed, self._nobreak = {}, frozenset(), set()
        self._sigs = [u for u in units if u.kind == "sig"]

    def pages(self):
        best = None
        modes = FIGURE_MODES if any(u.kind == "figure" for u in self.units) else FIGURE_MODES[:1]
        for mode in modes:                                     # figures: float down, up, or stay in place
            pages, short = self._fit(mode)
            if not short:
                return pages
            if best is None or short < best[0]:
                best = (short, pages)
        return best[1]

    # ------------------------------------------------------------------ filling short pages
    def _fit(self, mode):
        """Paginate; while a page is left short (the first one first), give a paragraph before its end one
        line less (its punctuation half width), the nearest first, when that mends the page without
        shortening one before it; failing that, let a widow or an orphan end that page (the grid comes
        first). Returns (pages, missing lines)."""
        var, relaxed, given_up = {}, frozenset(), set()
        state = self._run(var, relaxed, mode)
        while True:
            pages, short = state[1], state[2]
            todo = [k for k, _ in short if k not in given_up]
            if not todo:
                return pages, sum(n for _, n in short)
            k = todo[0]
            for pid, delta, at in self._candidates(state[0], pages, k, var):
                trial = self._run({**var, pid: delta}, relaxed, mode, state, at, stop=k + 2)
                if self._mends(short, trial[2], k):
                    var = {**var, pid: delta}
                    state = self._run(var, relaxed, mode, state, at)
                    break
            else:
                start = pages[k]["start"]
                trial = None if start in relaxed else self._run(var, relaxed | {start}, mode, state, start,
                                                                stop=k + 2)
                if trial and self._mends(short, trial[2], k):
                    relaxed = relaxed | {start}
                    state = self._run(var, relaxed, mode, state, start)
                    continue
                found = self._mend_twice(state, k, var, relaxed, mode)
                if found:
                    var, relaxed = found
                    state = self._run(var, relaxed, mode)
                    continue
                # last resort, the grid first: a heading keeps one line of what follows on that page
                trial = self._run(var, relaxed | {start, ("keep", start)}, mode, state, start, stop=k + 2)
                if self._mends(short, trial[2], k):
                    relaxed = relaxed | {start, ("keep", start)}
                    state = self._run(var, relaxed, mode, state, start)
                    continue
                found = self._mend_keep_one(state, k, var, relaxed, mode)
                if found:
                    var, relaxed = found
                    state = self._run(var, relaxed, mode)
                else:
                    given_up.add(k)

    def _mend_keep_one(self, state, k, var, relaxed, mode):
        """The very last resort for short page k: a paragraph before its end a line shorter makes room for
        a heading and one line of what follows (a heading at a page's foot with one line needs two free
        lines where only one was). Returns (var, relaxed) or None."""
        short, pages = state[2], state[1]
        for pid, delta, at in self._candidates(state[0], pages, k, var):
            one = {**var, pid: delta}
            first = self._run(one, relaxed, mode, state, at, stop=k + 2)
            start = first[1][k]["start"] if len(first[1]) > k else None
            if start is None:
                continue
            more = relaxed | {start, ("keep", start)}
            trial = self._run(one, more, mode, first, start, stop=k + 2)
            if self._mends(short, trial[2], k) and not dict(trial[2]).get(k):
                return one, more
        return None

    def _mend_twice(self, state, k, var, relaxed, mode):
        """Two steps that mend short page k together though neither does alone: two paragraphs a line
        shorter, or one and a widow or an orphan allowed at that page's end (a heading that needs two
        lines after it often needs both). Returns (var, relaxed) or None."""
        short, pages = state[2], state[1]
        for pid, delta, at in self._candidates(state[0], pages, k, var):
            one = {**var, pid: delta}
            first = self._run(one, relaxed, mode, state, at, stop=k + 2)
            start = first[1][k]["start"] if len(first[1]) > k else None
            if start is not None and start not in relaxed:
                trial = self._run(one, relaxed | {start}, mode, first, start, stop=k + 2)
                if self._mends(short, trial[2], k) and not dict(trial[2]).get(k):
                    return one, relaxed | {start}
            for pid2, delta2, at2 in self._candidates(first[0], first[1], k, one):
                trial = self._run({**one, pid2: delta2}, relaxed, mode, first, at2, stop=k + 2)
                if self._mends(short, trial[2], k) and not dict(trial[2]).get(k):
                    return {**one, pid2: delta2}, relaxed
        return None

    @staticmethod
    def _mends(old, new, k):
        """Is page k less short in ``new`` than in ``old``, no page before it shorter?"""
        o, n = dict(old), dict(new)
        return n.get(k, 0) < o.get(k, 0) and all(n.get(i, 0) <= o.get(i, 0) for i in range(k))

    def _run(self, var, relaxed, mode, base=None, at=0, stop=None):
        """(stream, pages, short pages) of one pass; ``base``: an earlier state whose stream and pages
        are reused before unit ``at``; ``stop``: end the pass once that many pages are complete."""
        if base is not None and var is base[3]:                # only the relaxed pages changed
            stream, self._nobreak = base[0], base[4]
        else:
            stream = self._stream(var, base[0] if base else None, at)
        self._relaxed = relaxed
        pages = self._paginate(stream, mode, base[1] if base else None, at, stop)
        short = self._short(pages[:-1] if stop and len(pages) > stop else pages)
        return stream, pages, short, var, self._nobreak

    def _variant(self, pid, delta):
        key = (pid, delta)
        if key not in self._tight_cache:
            self._tight_cache[key] = self.tight[pid](delta)
        return self._tight_cache[key]

    def _candidates(self, stream, pages, k, var):
        """(paragraph, ±1) that could mend short page k: paragraphs on it or the two pages before with a
        shorter or a longer form, nearest to the page's end first."""
        end, first = pages[k]["end"], pages[max(0, k - 2)]["start"]
        seen, out = set(), []
        for i in range(min(end, len(stream)) - 1, first - 1, -1):
            pid = stream[i].data.get("para")
            if pid is None or pid in seen or pid in var or pid not in self.tight:
                continue
            seen.add(pid)
            for delta in (-1,):
                if self._variant(pid, delta):
                    out.append((pid, delta, i - stream[i].data["idx"]))
            if len(out) >= TRIES:
                break
        return out

    def _stream(self, var, old=None, at=0):
        """The units with the paragraphs' chosen forms swapped in, and the places no page may start.
        ``old``: the stream before one more paragraph (the one at unit ``at``) took its form in ``var``."""
        if old is not None:
            pid = old[at].data["para"]
            end = at
            while end < len(old) and old[end].data.get("para") == pid:
                end += 1
            out = old[:at] + self._variant(pid, var[pid]) + old[end:]
        else:
            out = self._stream_all(var)
        self._nobreak = set()
        for i in [out.index(u) for u in self._sigs]:               # 正文's last two lines go with 署名
            j, found = i, 0
            while j > 0 and found < 2 and out[j - 1].kind not in ("break", "figure", "head"):
                j -= 1
                found += out[j].body or (out[j].kind == "table-row" and not out[j].data.get("head"))
            self._nobreak.update(range(j + 1, i + 1))
        return out

    def _stream_all(self, var):
        out = []
        skip = None
        for u in self.units:
            pid = u.data.get("para")
            if pid is not None and pid == skip:
                continue
            if pid is not None and pid in var and u.data.get("idx") == 0:
                out.extend(self._variant(pid, var[pid]))
                skip = pid
                continue
            skip = None
            out.append(u)
        return out

    def _allowed(self, s, b, strict=True, keep2=True):
        """May a page start at unit b? ``strict``: not leaving a widow or an orphan either; ``keep2``: a
        heading keeps two lines of what follows (else one)."""
        if b <= 0 or b >= len(s):
            return True
        if b in self._nobreak:
            return False
        prev, cur = s[b - 1], s[b]
        if prev.data.get("keep") or (keep2 and b >= 2 and s[b - 2].data.get("keep") == 2):
            return False
        blk = cur.data.get("block")
        if blk is not None and blk == prev.data.get("block"):
            return False
        pid = cur.data.get("para")
        if strict and pid is not None and pid == prev.data.get("para"):
            j, n = cur.data["idx"], cur.data["n"]
            if j < 2 or n - j < 2:
                return False                                   # an orphan or a widow
        return True

    @staticmethod
    def _short(pages):
        """(page index, missing lines) of every page that ends early though its section goes on."""
        out = []
        for k, p in enumerate(pages):
            if p.get("broken") or p.get("broken_end") or p.get("colophon") or not p["units"]:
                continue
            free, i = p["cap"] - p["used"], len(p["units"])
            while i and p["units"][i - 1][0].kind in ("blank", "gap"):
                i -= 1
                free += p["units"][i][0].height
            if free >= P - 0.01:
                out.append((k, int(free / P + 0.01)))
        return out

    # ------------------------------------------------------------------ one pass
    def _paginate(self, units, mode="down", base=None, at=0, stop=None):
        """One pass over ``units``. ``base``/``at``: the pages of an earlier pass over a stream that is the
        same up to unit ``at``; its pages before the one holding that unit are reused as they were."""
        pages = []
        pending = []                                           # figures waiting for the next page (floats)
        if base:
            p = max([i for i, pg in enumerate(base) if pg.get("clean") and pg["start"] <= at] or [0])
            p = max([i for i, pg in enumerate(base[:p]) if pg.get("clean")] or [0])   # and one page more
            pages = [dict(pg, units=list(pg["units"]), idx=list(pg["idx"])) for pg in base[:p]]
            for pg in pages:
                pg.pop("broken_end", None)
            pending = list(base[p]["pending_in"])

        def new_page(start, reserve=0.0):
            pages.append(dict(units=[], idx=[], used=0.0, cap=CAP, start=start, end=start, clean=True,
                              pending_in=list(pending)))
            while pending and (not pages[-1]["units"] or pages[-1]["used"] + pending[0].height + reserve
                               <= CAP + 0.01):
                self._place(pages[-1], pending.pop(0), pages[-1]["start"])   # a waiting figure opens it

        def flush_pending(k):
            while pending:
                if pages[-1]["used"] + pending[0].height <= pages[-1]["cap"] + 0.01:
                    self._place(pages[-1], pending.pop(0), k)
                else:
                    new_page(k)

        k = base[p]["start"] if base else 0
        new_page(k)
        while k < len(units):
            if stop and len(pages) > stop:
                return pages
            u = units[k]
            if pending and u.kind not in FILLERS and u.kind != "figure":
                flush_pending(k)                               # waiting figures go before what ends the flow
            page = pages[-1]
            cap = page["cap"]
            if u.kind == "break":
                if page["units"]:
                    page["broken"] = True
                    new_page(k + 1)
                k += 1
                continue
            if u.kind in ("blank", "gap") and not page["units"]:
                k += 1
                continue                                       # no blank line at the top of a page
            repeat = u.data.get("repeat") if u.kind == "table-row" else None
            if repeat is not None and not page["units"]:
                self._place(page, repeat, k)                   # a table going on: its header row again
            need = u.height
            if u.kind == "figure" and page["units"] and (pending or page["used"] + need > cap + 0.01):
                # a float: the text and tables that follow fill this page, the figure opens the next one;
                # failing that it goes up before the page's last body lines; failing that, the next page
                fill = self._fillers_after(units, k)
                if pending or (mode == "down" and fill >= cap - page["used"] - 0.01):
                    pending.append(u)
                    k += 1
                    continue
                if mode in ("down", "up") and self._float_up(pages, u, k):
                    k += 1
                    continue
                if mode in ("down", "up") and fill:
                    pending.append(u)
                    k += 1
                    continue
            if page["used"] + need > cap + 0.01 and page["units"]:
                b, strict = k, page["start"] not in self._relaxed
                keep2 = ("keep", page["start"]) not in self._relaxed
                while b > page["start"] and not self._allowed(units, b, strict, keep2):
                    b -= 1
                if b <= page["start"] or not any(i < b for i in page["idx"]) or (
                        len(pages) == 1 and not any(x[0].body for x, i in zip(page["units"], page["idx"]) if i < b)):
                    b = k                   # no allowed end on this page (or page 1 would show no 正文): here
                while page["idx"] and page["idx"][-1] >= b:    # what goes to the next page
                    page["units"].pop()
                    page["idx"].pop()
                page["used"] = sum(x.height for x, _ in page["units"])
                page["end"] = b
                new_page(b, need)
                k = b
                continue
            self._place(page, u, k)
            k += 1
        flush_pending(len(units))
        while len(pages) > 1 and not pages[-1]["units"]:
            pages.pop()
        pages[-1]["broken_end"] = True                         # the flow's last page may end where it ends
        col = self.colophon
        if col:
            # 版记 on the last, even page (7.4): printed double-sided, the colophon is the back cover
            if pages[-1]["used"] + col["height"] > CAP - 2:
                new_page(len(units))
            if len(pages) % 2:
                if pages[-1]["units"]:
                    new_page(len(units))                       # the colophon alone on the next (even) page
                else:                                          # a colophon-only odd page: a blank page
                    pages[-1]["unnumbered"] = True             # before it; neither is numbered (7.5)
                    new_page(len(units))
                    pages[-1]["unnumbered"] = True
            pages[-1]["colophon"] = col
        return pages

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

    def _float_up(self, pages, u, k):
        """Place figure ``u`` before the current page's last run of body lines, the lines it displaces
        opening the next page, so this page stays full. False when that run is too short."""
        page = pages[-1]
        over = page["used"] + u.height - page["cap"]
        placed = list(zip(page["units"], page["idx"]))
        i = len(placed)
        while i > 0 and placed[i - 1][0][0].kind == "ln" and placed[i - 1][0][0].body:
            i -= 1
        tail = placed[i:]
        m, carried = 0, 0.0
        while m < len(tail) and carried < over - 0.01:
            m, carried = m + 1, carried + tail[-1 - m][0][0].height
        if u.height > page["cap"] or carried < over - 0.01 or (i == 0 and m == len(tail)):
            return False
        keep, moved = placed[:i] + [((u, 0), k)] + tail[:len(tail) - m], tail[len(tail) - m:]
        page["units"], page["idx"], page["used"] = [], [], 0.0
        for (x, _), idx in keep:
            self._place(page, x, idx)
        page["end"] = moved[0][1]
        pages.append(dict(units=[], idx=[], used=0.0, cap=CAP, start=moved[0][1], end=moved[0][1], pending_in=[]))
        for (x, _), idx in moved:
            self._place(pages[-1], x, idx)
        return True

    @staticmethod
    def _place(page, u, k):
        page["units"].append((u, page["used"]))
        page["idx"].append(k)
        page["used"] += u.height
        page["end"] = max(page["end"], k + 1)
