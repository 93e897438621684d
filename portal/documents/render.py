"""Official-document rendering engine (GB/T 9704-2012 《党政机关公文格式》) — pure rendering, no database.

Public API
----------
``render_pdf(kind, doc, fonts_dir=None) -> bytes``   the PDF; raises :class:`MissingGlyph` when a character
                                                      is covered by no configured font.
``render_html(kind, doc, fonts_dir=None) -> str``    the same pages as a self-contained HTML preview.
``check_glyphs(doc, fonts_dir=None) -> list[str]``   characters no configured font covers (empty = fine).
``KINDS``                                            the document kinds.

``fonts_dir`` is the office's ``<instance>/fonts`` folder of licensed fonts (方正小标宋简体, 仿宋_GB2312 …);
the free Fandol fonts are used for any role it does not cover.

Kinds and their format
----------------------
=====================  ==========  ============================================================
kind                   format      notes
=====================  ==========  ============================================================
``circular``  通报       文件式      red 版头, 下行文
``notice``    通知       文件式      red 版头, 下行文
``report``    报告       文件式      red 版头, 上行文: 发文字号 1 char from the left, 签发人 on the right
``minutes``   会议纪要    纪要格式     red "××纪要" mark, 出席/请假/列席 lists after the body
``reminder-letter`` 提醒函  信函格式   mark 30 mm from the page top (vector outlines: pre-printed letterhead),
                                  double red lines, page 1 unnumbered
``talk-notice`` 约谈通知书  信函格式   as above
``work-plan`` 工作方案     plain       title, body, 署名, date
``self-check-report`` 个人对照检查材料  plain  person line under the title, ``items`` as 一、二、 sections
``department-report`` 单位自查自纠情况报告 plain  tables allowed
=====================  ==========  ============================================================

The ``doc`` dict (all keys optional unless noted)
-------------------------------------------------
``copy_no``     str|int 份号 (red header kinds; printed as 6 digits), ``secret`` 密级和保密期限 "机密★1年",
                ``urgency`` 紧急程度 "特急"/"加急": flush left on the first lines of page 1 (7.2.1–7.2.3)
``organ``       str   发文机关标志 text, e.g. "××市机关事务管理局文件" (red header and letter kinds)
``number``      str   发文字号 "机管发〔2026〕5号"; None for a draft (the line stays empty)
``signer``      str   签发人 name (report only)
``title``       str   标题 (required); "\\n" forces title line breaks, else 梯形/菱形 breaks are chosen
``addressees``  str   主送机关, e.g. "各科室、各事业单位"; the "：" is added
``body``        str   plain text, one paragraph per line; 一、/（一）/1./（1） start headings; a line
                      "[[表格N]]" places ``tables[N-1]`` there (other tables follow the body)
``tables``      list  [{"caption": str, "header": [str], "rows": [[str]], "widths": [float]?}]
``figures``     list  [{"caption": str, "svg": str}] — vector charts; a body line "[[图N]]" places
                      ``figures[N-1]`` there (other figures follow the tables). The SVG is drawn 156 mm wide
                      (``FIG_WIDTH`` pt, 1 user unit = 1pt), its height rounded up to whole grid lines; its
                      text uses the families ``GWFang``/``GWHei`` (glyphs checked like the body). To keep
                      the grid, put one 16pt text baseline on each figure line at ``k * P + FIG_BASELINE``
                      (the engine shifts the drawing so that baseline falls on the body's baseline); the
                      caption is set under the figure. A figure that does not fit the rest of a page
                      moves to the next one and the body lines after it fill the page (a float).
``attachments`` list  titles (str) or {"title": str, "body": str, "tables": [...], "figures": [...]} — dicts with a body
                      are printed as 附件 pages after the signature
``signature``   str   发文机关署名 (or the person's name)
``date``        datetime.date | str   成文日期, printed "2026年5月6日"
``seal``        bool  sealed layout (date 4 chars from the right, signature centred above it)
``seal_png``    bytes PNG of the seal, drawn red over signature and date (only when ``seal``)
``note``        str   附注, printed "（…）"
``copy_to``     str   抄送 (版记, always on the last, even page; a blank unnumbered page before it if needed)
``printer``     str   印发机关;  ``print_date``  date | str  印发日期 (defaults to ``date``)
minutes:        ``attendees``, ``absent``, ``observers`` (str each: 出席, 请假, 列席)
self-check-report: ``person``, ``department``, ``items`` [{"q": str, "a": str}] appended to ``body``
letters:        ``number`` printed right-aligned under the double red line
"""
from __future__ import annotations

import base64
import datetime as _dt
import math
import os
import re
import threading
from dataclasses import dataclass, field

import xml.etree.ElementTree as ET

import jinja2
import markupsafe

from . import typeset as ts
from .fonts import CSS_FAMILY, ROLE_LABELS, font_set

MM = 72 / 25.4
P = 28.95                         # line pitch, pt
CELL = ts.CELL                    # grid cell, pt
BLOCK_W = ts.BLOCK_W              # 442.2pt
CAP = 22 * P                      # usable height of a page, pt (≤ 225 mm)
BODY = 16.0
FIG_WIDTH = BLOCK_W               # figure width, pt (= the text block, 156 mm)
FIG_BASELINE = 21.0               # figures: text baseline below the top of each grid line, pt (convention)
FILLERS = ("ln", "blank", "gap", "table-row", "caption")   # units a waiting figure lets pass (floats)
FIGURE_MODES = ("down", "up", "here")   # figure placements tried in turn until no page is left short

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TEMPLATES = os.path.join(ROOT, "templates", "documents")
CSS_PATH = os.path.join(ROOT, "static", "css", "gongwen.css")

KINDS = ("circular", "notice", "reminder-letter", "talk-notice", "work-plan", "report",
         "self-check-report", "department-report", "minutes")
FORMAT = {"circular": "red", "notice": "red", "report": "red", "minutes": "minutes",
          "reminder-letter": "letter", "talk-notice": "letter",
          "work-plan": "plain", "self-check-report": "plain", "department-report": "plain"}
CN_NUM = "一二三四五六七八九十"


class MissingGlyph(ValueError):
    """A character of the document is covered by no configured font."""

    def __init__(self, chars):
        self.chars = list(chars)
        shown = "、".join(f"“{c}”(U+{ord(c):04X})" for c in self.chars[:8])
        super().__init__(f"字库中没有以下字符，无法生成公文：{shown}" + ("等" if len(self.chars) > 8 else ""))


# ------------------------------------------------------------------ helpers
def fmt_date(d):
    if d is None or d == "":
        return ""
    if isinstance(d, (_dt.date, _dt.datetime)):
        return f"{d.year}年{d.month}月{d.day}日"
    s = str(d).strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s)
    return f"{int(m[1])}年{int(m[2])}月{int(m[3])}日" if m else s


def cn_index(i):
    if i <= 10:
        return CN_NUM[i - 1]
    if i < 20:
        return "十" + CN_NUM[i - 11]
    return CN_NUM[i // 10 - 1] + "十" + (CN_NUM[i % 10 - 1] if i % 10 else "")


# Words a title line must not be split inside (2+ characters; the campaign's and offices' vocabulary).
TITLE_WORDS = tuple(sorted(set("""
关于 进一步 加强 开展 做好 印发 转发 召开 举办 组织 建立 健全 完善 推进 推动 深化 深入 贯彻 落实 执行 实施 规范
干部 队伍 作风 纪律 作风纪律 整顿 整治 专项 治理 建设 廉政 党风 廉洁 从严 治党 全面 监督 检查 问责 执纪 责任 主体
明察 暗访 明察暗访 回头看 自查 自纠 自查自纠 对照 整改 落实 情况 问题 工作 方案 意见 通知 通报 报告 纪要 决定
请示 批复 函 提醒 提醒函 约谈 通知书 材料 个人 单位 科室 部门 机关 事务 管理 管理局 服务 中心 车辆 会议 党组
研究 部署 领导 小组 办公室 六治六提 四风 八项 规定 精神 制度 机制 长效 常态 常态化 长效化 有关 相关 实施意见
工作方案 情况报告 干部队伍 作风建设 专项整治 整改落实 服务中心 领导小组 对照检查 发现 安排 下一步 调查 核查 处理 处分 考勤 值班 公务 接待 用车 公车 市委 市政府 纪委 监委 派驻 纪检 监察 组
""".split()), key=len, reverse=True))
TITLE_AFTER_OK = set("，、；：”’》）〕】")             # a line may well end after these
TITLE_CONJ = set("和与及暨并或")


def _title_break_costs(title):
    """Cost of a line break before character i (1 ≤ i < len): low after punctuation, 的, at 和/与; high
    inside a known word, inside quotes/brackets, or leaving 关于 alone; None where 避头尾 forbids it."""
    n = len(title)
    inside_word, word_edge = set(), set()
    for w in TITLE_WORDS:
        at = title.find(w)
        while at >= 0:
            inside_word.update(range(at + 1, at + len(w)))
            word_edge.update((at, at + len(w)))
            at = title.find(w, at + 1)
    depth, quoted = 0, set()
    for i, c in enumerate(title):
        if c in "“‘《（〔【「":
            depth += 1
        elif c in "”’》）〕】」":
            depth = max(depth - 1, 0)
        elif depth:
            quoted.add(i)
    costs = {}
    for i in range(1, n):
        a, b = title[i - 1], title[i]
        if b in ts.NO_START or a in ts.NO_END or (a.isascii() and a.isalnum() and b.isascii() and b.isalnum()):
            continue
        if a in TITLE_AFTER_OK or b in "“《（":
            cost = 0.0
        elif a == "的" or b in TITLE_CONJ:
            cost = 1.0
        elif a in TITLE_CONJ:
            cost = 1.5
        elif i in inside_word:
            cost = 30.0
        elif i in word_edge:
            cost = 2.5
        else:
            cost = 5.0
        if b == "的":
            cost += 10.0                                  # 的 would start the line
        if i in quoted and i - 1 in quoted:
            cost += 8.0                                   # inside “…” or 《…》
        if title[:i] == "关于":
            cost += 12.0                                  # 关于 alone on the first line
        costs[i] = cost
    return costs


def _shape_cost(widths):
    """2 lines: 梯形, the upper line longer; 3 or more: 菱形, the middle line(s) longest."""
    n, cost = len(widths), 0.0
    if min(widths) < 2.5:
        cost += 8.0                                       # an orphaned scrap of a title
    if n == 2:
        w1, w2 = widths
        cost += (4.0 + 1.5 * (w2 - w1)) if w2 > w1 + 0.01 else 0.2 * (w1 - w2)
    else:
        mid = max(widths[1:-1])
        for w in (widths[0], widths[-1]):
            if w > mid + 0.01:
                cost += 4.0 + 1.5 * (w - mid)
        cost += 0.2 * abs(widths[0] - widths[-1])
        cost += sum(0.4 * abs(widths[k] - widths[k + 1]) for k in range(1, n - 2))   # middle lines even
    return cost


def split_title(fonts, title, size=22.0):
    """Title lines: explicit "\\n" breaks kept; otherwise the breaks are chosen at sensible points (after
    punctuation, at 的/和/与, never inside a known word or 避头尾) for a 梯形 (two lines, the upper longer)
    or 菱形 (three or more, the middle longest) shape (GB/T 9704 7.3.1)."""
    import itertools
    if "\n" in title:
        return [t.strip() for t in title.split("\n") if t.strip()]
    maxw = (BLOCK_W - 2 * size) / size            # leave at least one character of air each side
    widths = [fonts.advance("xbs", c) for c in title]
    total = sum(widths)
    if total <= maxw or len(title) < 2:
        return [title]
    prefix = [0.0]
    for w in widths:
        prefix.append(prefix[-1] + w)
    costs = _title_break_costs(title)
    cands = sorted(costs)
    n_min = math.ceil(total / maxw)
    best = None
    for n in range(n_min, n_min + 2):
        if n - 1 > len(cands) or n > 5 or (n == 5 and len(cands) > 30) or (n == 4 and len(cands) > 70):
            break
        for combo in itertools.combinations(cands, n - 1):
            cuts = (0,) + combo + (len(title),)
            ws = [prefix[cuts[k + 1]] - prefix[cuts[k]] for k in range(n)]
            if max(ws) > maxw + 1e-6:
                continue
            score = sum(costs[c] for c in combo) + _shape_cost(ws) + 6.0 * (n - n_min)
            if best is None or score < best[0]:
                best = (score, cuts)
    if best is None:                                  # nothing fits the rules: greedy, as before
        return _greedy_title(title, widths, maxw)
    cuts = best[1]
    return [title[cuts[k]:cuts[k + 1]] for k in range(len(cuts) - 1)]


def _greedy_title(title, widths, maxw):
    lines, cur, w = [], "", 0.0
    for c, cw in zip(title, widths):
        if cur and w + cw > maxw + 1e-6 and c not in ts.NO_START and cur[-1] not in ts.NO_END:
            lines.append(cur)
            cur, w = "", 0.0
        cur, w = cur + c, w + cw
    lines.append(cur)
    return lines


def text_width_pt(fonts, text, role="fang", size=BODY, spacing=None):
    spacing = CELL - size if spacing is None else spacing
    nat = sum(fonts.advance(role, c) if c != " " else 0.5 for c in text) * size
    return nat + max(len(text) - 1, 0) * spacing


def plain_line(text, role="fang", indent_pt=0.0, kind="plain", size=BODY, spacing=None):
    ln = ts.Line([ts.Seg(text, role)], indent_pt / CELL, CELL - size if spacing is None else spacing,
                 False, kind, True, True, size)
    return ln


def snap_indent(x_pt):
    """A line starting 0.5–4.5 cells in reads as a broken paragraph indent: put it on the 2-cell indent."""
    cells = x_pt / CELL
    return 2 * CELL if 0.5 < cells < 4.5 else x_pt


# ------------------------------------------------------------------ layout units
@dataclass
class Unit:
    kind: str                      # ln | blank | title | head | table-row | break | sig
    height: float = P
    data: dict = field(default_factory=dict)
    body: bool = False             # a body text line (may be carried to the next page)


class Composer:
    def __init__(self, kind, doc, fonts):
        self.kind, self.doc, self.fonts = kind, doc, fonts
        self.fmt = FORMAT[kind]
        self.tsr = ts.Typesetter(fonts)
        self.units = []
        self.texts = []            # (role, text) for the glyph check

    # ---- small builders
    def add(self, kind, height=P, body=False, **data):
        self.units.append(Unit(kind, height, data, body))

    def line(self, ln, body=True):
        for s in ln.segs:
            self.texts.append((s.role, s.text))
        self.add("ln", P, body, line=ln)

    def blank(self):
        self.add("blank", P)

    def para(self, text, roles=None, first_indent=2.0, rest_indent=0.0, kind="p"):
        for ln in self.tsr.layout(text, roles, first_indent, kind, rest_indent):
            self.line(ln)

    def body_text(self, text, tables=(), figures=()):
        tables, figures = list(tables or []), list(figures or [])
        used, used_fig = set(), set()
        chunk = []

        def flush():
            if chunk:
                for ln in ts.typeset_body(self.fonts, "\n".join(chunk)):
                    self.line(ln)
                chunk.clear()
        for raw in (text or "").splitlines():
            m = re.fullmatch(r"\s*\[\[表格?(\d+)\]\]\s*", raw)
            mf = re.fullmatch(r"\s*\[\[图(\d+)\]\]\s*", raw)
            if m and 0 < int(m[1]) <= len(tables):
                flush()
                self.table(tables[int(m[1]) - 1])
                used.add(int(m[1]) - 1)
            elif mf and 0 < int(mf[1]) <= len(figures):
                flush()
                self.figure(figures[int(mf[1]) - 1])
                used_fig.add(int(mf[1]) - 1)
            else:
                chunk.append(raw)
        flush()
        for i, t in enumerate(tables):
            if i not in used:
                self.table(t)
        for i, f in enumerate(figures):
            if i not in used_fig:
                self.figure(f)

    # ---- elements
    def header(self):
        d, f = self.doc, self.fonts
        items = []
        organ = (d.get("organ") or "").strip()
        if self.fmt == "letter":
            size = self.organ_size(organ, 30.0)
            top = -7 * MM                                    # 30 mm from the page top = 7 mm above the block
            # pre-printed letterhead: the mark is drawn as vector outlines, not text (the em box's top
            # 30 mm from the page top), so the PDF's text is only what the office writes on the letter
            svg, w = self.fonts.outline_svg("xbs", organ, size)
            items.append(dict(t="mark", top=top, left=(BLOCK_W - w) / 2, width=w, size=size, text=organ,
                              src="data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()))
            y = top + size + 4 * MM                           # double red line 4 mm below the mark
            items.append(dict(t="dbl", cls="top", top=y))
            y += 1.6 * MM
            number = d.get("number") or ""
            items.append(dict(t="docno", cls="right", top=y + P - BODY, text=number))
            y = y + P                                           # 发文字号 on the line below the double line
            items.append(dict(t="dbl", cls="bottom", top=240 * MM - 1.6 * MM))
            self.texts += [("xbs", organ), ("fang", number)]
            self.add("head", y + 2 * P, items=items)           # title 2 lines below
            return
        # 份号 (7.2.1, 6 digits, 仿宋), 密级和保密期限 (7.2.2, 黑体), 紧急程度 (7.2.3, 黑体): flush left on
        # the first lines of the block, one a line, in this order
        k = 0
        for key, role in (("copy_no", "fang"), ("secret", "hei"), ("urgency", "hei")):
            v = d.get(key)
            v = "" if v is None else str(v).strip()
            if key == "copy_no" and v.isdigit():
                v = v.zfill(6)
            if v:
                self.texts.append((role, v))
                items.append(dict(t="field", top=k * P, role=role, text=v))
                k += 1
        size = self.organ_size(organ, 36.0)
        top = 35 * MM                                         # glyph top 35 mm below the block top
        items.append(dict(t="organ", top=self.box_top("xbs", size, top), size=size, text=organ))
        self.texts.append(("xbs", organ))
        y = top + size + 2 * P                                # 发文字号: 2 blank lines below the mark
        number = d.get("number") or ""
        self.texts.append(("fang", number))
        if self.kind == "report":
            signer = d.get("signer") or ""
            self.texts += [("fang", "签发人："), ("kai", signer)]
            items.append(dict(t="docno", cls="up", top=self.box_top("fang", BODY, y, BODY), text=number,
                              signer=signer))
        else:
            items.append(dict(t="docno", cls="center", top=self.box_top("fang", BODY, y, BODY), text=number))
        y += BODY + 4 * MM                                     # red line 4 mm below the 发文字号
        items.append(dict(t="rule", top=y))
        y += 0.35 * MM
        self.add("head", y + 2 * P, items=items)               # title 2 blank lines below the red line

    def organ_size(self, organ, maximum):
        n = max(sum(self.fonts.advance("xbs", c) for c in organ), 1)
        return float(min(maximum, math.floor(BLOCK_W / n)))

    def box_top(self, role, size, emtop, line_height=None):
        """Top of a box with ``line-height`` (default = size) whose glyph em box should start at ``emtop``."""
        lh = size if line_height is None else line_height
        a, dsc = self.fonts.metrics(role)
        baseline_in_box = (lh - (a + dsc) * size) / 2 + a * size
        return emtop + 0.88 * size - baseline_in_box

    def title(self, with_gap=True):
        title = (self.doc.get("title") or "").strip()
        for t in split_title(self.fonts, title):
            self.texts.append(("xbs", t))
            self.add("title", P, text=t)
        if with_gap:
            self.blank()

    def addressees(self):
        a = (self.doc.get("addressees") or "").strip()
        if a:
            if not a.endswith(("：", ":")):
                a += "："
            self.para(a, first_indent=0.0)

    def attachment_note(self):
        atts = self.doc.get("attachments") or []
        titles = [a if isinstance(a, str) else a.get("title", "") for a in atts]
        if not titles:
            return
        self.blank()
        if len(titles) == 1:
            self.para("附件：" + titles[0].rstrip("。"), first_indent=2.0, rest_indent=5.0)
            return
        for i, t in enumerate(titles, 1):
            label = f"{i}."
            lw = sum(self.fonts.advance("fang", c) for c in label)
            text = ("附件：" if i == 1 else "") + label + t.rstrip("。")
            self.para(text, first_indent=2.0 if i == 1 else 5.0, rest_indent=5.0 + lw)

    def labelled(self, label, text):
        """出席/请假/列席: 黑体 label, 仿宋 names, continuation aligned after the colon."""
        if not text:
            return
        full = f"{label}：{text}"
        roles = ["hei"] * (len(label) + 1) + ["fang"] * len(text)
        self.para(full, roles, first_indent=2.0, rest_indent=2.0 + len(label) + 1)

    def signature_block(self):
        d, f = self.doc, self.fonts
        date = fmt_date(d.get("date"))
        sig = (d.get("signature") or "").strip()
        sealed = bool(d.get("seal"))
        lines = []
        if date:
            dw = text_width_pt(f, date)
            right = (4 if sealed else 2) * CELL
            date_x = BLOCK_W - right - dw
            if sig:
                sw = text_width_pt(f, sig)
                if sealed:                                    # centred on the date
                    sig_x = date_x + dw / 2 - sw / 2
                else:                                         # date starts 2 chars right of the signature
                    sig_x = min(date_x - 2 * CELL, BLOCK_W - 2 * CELL - sw)
                sig_x = snap_indent(max(sig_x, 0.0))
                lines.append(plain_line(sig, indent_pt=sig_x, kind="sig"))
            lines.append(plain_line(date, indent_pt=date_x, kind="date"))
        elif sig:
            sw = text_width_pt(f, sig)
            lines.append(plain_line(sig, indent_pt=snap_indent(max(BLOCK_W - 2 * CELL - sw, 0)), kind="sig"))
        note = (d.get("note") or "").strip()
        note_lines = []
        if note:
            if not note.startswith(("（", "(")):
                note = f"（{note}）"
            note_lines = self.tsr.layout(note, None, 2.0, "note")
        if not lines and not note_lines:
            return
        for ln in lines + note_lines:
            for s in ln.segs:
                self.texts.append((s.role, s.text))
        seal = None
        if sealed and d.get("seal_png") and date:
            seal = base64.b64encode(d["seal_png"]).decode()
        self.add("sig", P * (len(lines) + len(note_lines)), lines=lines, notes=note_lines, seal=seal,
                 date_centre=(lines[-1].indent_pt + text_width_pt(f, date) / 2) if date else None,
                 nsig=len(lines))

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
        lefts = [bounds[k] * CELL for k in range(ncol)]
        widths = [(bounds[k + 1] - bounds[k]) * CELL for k in range(ncol)]
        pads = [2 * CELL] + [pad * CELL] * (ncol - 1)
        caption = (t.get("caption") or "").strip()
        if caption:
            self.texts.append(("hei", caption))
            self.add("caption", P, line=plain_line(caption, role="hei", kind="caption", spacing=0))

        def cell_room(k, w):
            """Text room of column k in em of 16pt text: the CSS box (border-box) minus its padding and the
            0.5pt borders (left on every cell, right on the last)."""
            return (w - pads[k] - pad * CELL - 0.5 - (0.5 if k == ncol - 1 else 0.0)) / BODY

        def row_unit(cells, head):
            wrapped = []
            for k, (c, w) in enumerate(zip(cells, widths)):
                role = "hei" if head else "fang"
                self.texts.append((role, c))
                wrapped.append(ts.wrap_cells(f, c, cell_room(k, w), role, BODY))
            nl = max(len(x) for x in wrapped)
            centre = [k > 0 and (head or len(c) <= 2) for k, c in enumerate(cells)]
            return Unit("table-row", nl * P, dict(cells=wrapped, lefts=lefts, widths=widths, pads=pads,
                                                  head=head, centre=centre, pad=pad * CELL))
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
        h = _svg_pt(root.get("height"))
        if h is None:
            vb = (root.get("viewBox") or "").replace(",", " ").split()
            h = float(vb[3]) if len(vb) == 4 else P
        lines = max(1, math.ceil(h / P - 0.01))
        for role, text in _svg_texts(root):
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

    def page_break(self):
        self.add("break", 0)

    def attachments_pages(self):
        atts = [a for a in (self.doc.get("attachments") or []) if isinstance(a, dict) and a.get("body")]
        many = len([a for a in (self.doc.get("attachments") or [])]) > 1
        for i, a in enumerate(self.doc.get("attachments") or [], 1):
            if not (isinstance(a, dict) and (a.get("body") or a.get("tables") or a.get("figures"))):
                continue
            self.page_break()
            label = f"附件{i}" if many else "附件"
            self.line(plain_line(label, role="hei", kind="att-label"), body=False)
            self.blank()
            for t in split_title(self.fonts, a.get("title", "")):
                self.texts.append(("xbs", t))
                self.add("title", P, text=t)
            self.blank()
            self.body_text(a.get("body", ""), a.get("tables"), a.get("figures"))
        return atts

    # ---- whole document
    def compose(self):
        d = self.doc
        if self.fmt in ("red", "minutes", "letter"):
            self.header()
        if self.kind == "self-check-report":
            self.title(with_gap=False)
            who = "　".join(x for x in (d.get("department"), d.get("person")) if x)
            if who:
                self.texts.append(("kai", who))
                self.add("ln", P, False, line=plain_line(who, role="kai", kind="center", spacing=0), center=True)
            self.blank()
        else:
            self.title()
        self.addressees()
        body = d.get("body") or ""
        if self.kind == "self-check-report" and d.get("items"):
            parts = [body] if body.strip() else []
            for i, it in enumerate(d["items"], 1):
                parts.append(f"{cn_index(i)}、{it.get('q', '').strip()}")
                parts.append(str(it.get("a", "")).strip())
            body = "\n".join(parts)
        self.body_text(body, d.get("tables"), d.get("figures"))
        self.attachment_note()
        if self.kind == "minutes":
            lists = [("出席", d.get("attendees")), ("请假", d.get("absent")), ("列席", d.get("observers"))]
            if any(v for _, v in lists):
                self.blank()
                for label, v in lists:
                    self.labelled(label, (v or "").strip())
        self.blank()
        self.signature_block()
        self.attachments_pages()
        return self.paginate()

    def colophon(self):
        d = self.doc
        rows = []
        if self.fmt == "letter":
            return None
        copy_to = (d.get("copy_to") or "").strip()
        if copy_to:
            if not copy_to.endswith("。"):
                copy_to += "。"
            text = "抄送：" + copy_to
            width = (BLOCK_W - 28) / 14.0
            parts = ts.wrap_cells(self.fonts, text, width, "fang", 14.0)
            if len(parts) > 1:                                 # continuation aligned after 抄送：
                parts = [parts[0]] + ["　　　" + p for p in ts.wrap_cells(
                    self.fonts, text[len(parts[0]):], width - 3, "fang", 14.0)]
            rows.append(dict(lines=parts, right=""))
            self.texts.append(("fang", text))
        printer = (d.get("printer") or "").strip()
        pdate = fmt_date(d.get("print_date") or d.get("date"))
        if printer:
            rows.append(dict(lines=[printer], right=(pdate + "印发") if pdate else ""))
            self.texts += [("fang", printer), ("fang", pdate + "印发")]
        if not rows:
            return None
        height = sum(len(r["lines"]) * P for r in rows) + 0.35 * MM * 2 + 0.25 * MM * (len(rows) - 1)
        return dict(rows=rows, height=height)

    def paginate(self):
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
        col = self.colophon()
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


# ------------------------------------------------------------------ HTML / PDF
_env = None
_env_lock = threading.Lock()
_css_cache = {}


def _environment():
    global _env
    with _env_lock:
        if _env is None:
            _env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                      trim_blocks=True, lstrip_blocks=True)
            _env.globals.update(id=id, P=P, CELL=CELL, MM=MM, BLOCK_W=BLOCK_W, CSS_FAMILY=CSS_FAMILY)
        return _env


def _template_name(kind):
    return f"{kind}.html"


def _prepare(kind, doc, fonts_dir):
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}; expected one of {', '.join(KINDS)}")
    doc = dict(doc or {})
    doc.setdefault("kind", kind)
    fonts = font_set(fonts_dir)
    comp = Composer(kind, doc, fonts)
    pages = comp.compose()
    missing = _missing(fonts, comp.texts)
    return doc, fonts, comp, pages, missing


_SVG_UNITS = {"pt": 1.0, "px": 0.75, "mm": MM, "cm": 10 * MM, "in": 72.0, "": 1.0}


def _svg_pt(value):
    """An SVG length in pt (a bare number counts as pt: figures use 1 user unit = 1pt); None if absent."""
    m = re.fullmatch(r"\s*([0-9.]+)\s*(pt|px|mm|cm|in)?\s*", value or "")
    return float(m[1]) * _SVG_UNITS[m[2] or ""] if m else None


def _svg_texts(root):
    """(role, text) of every text run of an SVG, the role from the inherited font-family (黑体 or 仿宋)."""
    out = []

    def family(el, inherited):
        fam = el.get("font-family") or ""
        m = re.search(r"font-family\s*:\s*([^;]+)", el.get("style") or "")
        return (m[1] if m else fam) or inherited

    def walk(el, fam):
        fam = family(el, fam)
        role = "hei" if re.search(r"hei|sans", fam, re.I) else "fang"
        if el.text and el.text.strip():
            out.append((role, el.text))
        for ch in el:
            walk(ch, fam)
            if ch.tail and ch.tail.strip():
                out.append((role, ch.tail))
    walk(root, "")
    return out


def _missing(fonts, texts):
    out = []
    seen = set()
    for role, text in texts:
        for ch in text or "":
            if ch in seen or ch.isspace() or ord(ch) < 0x20 or ch in "\u200b\ufeff":
                continue
            seen.add(ch)
            if not fonts.covers(role, ch):
                out.append(ch)
    return out


def check_glyphs(doc, fonts_dir=None, kind=None):
    """Characters of ``doc`` that no configured font (for their role) covers, in order of appearance."""
    kind = kind or doc.get("kind") or "notice"
    return _prepare(kind, doc, fonts_dir)[4]


def _html(kind, doc, fonts, comp, pages, preview=False):
    env = _environment()
    n = len(pages)
    for i, p in enumerate(pages, 1):
        p["no"], p["first"], p["last"] = i, i == 1, i == n
        p["letter_first"] = comp.fmt == "letter" and i == 1
        p["unnumbered"] = p.get("unnumbered", False) or p["letter_first"]
        p["seal"] = None
        us = p["units"]
        p["bottoms"] = {id(u) for k, (u, _) in enumerate(us) if u.kind == "table-row"
                        and (k + 1 == len(us) or us[k + 1][0].kind != "table-row")}
        for u, y in p["units"]:
            if u.kind == "sig" and u.data.get("seal") and u.data.get("date_centre") is not None:
                nsig = u.data["nsig"]
                # signature and date sit a little below the seal's centre (7.3.5.1)
                mid = y + (nsig * P) / 2
                size = 40 * MM
                p["seal"] = dict(png=u.data["seal"], left=u.data["date_centre"] - size / 2,
                                 top=mid - size / 2 - 3 * MM)
    css = ""
    if preview:
        with open(CSS_PATH, encoding="utf-8") as fh:
            css = markupsafe.Markup(fh.read())          # our own file: not escaped inside <style>
    return env.get_template(_template_name(kind)).render(
        kind=kind, doc=doc, pages=pages, fmt=comp.fmt, preview=preview, css=css,
        title=doc.get("title") or "")


def render_html(kind: str, doc: dict, fonts_dir: str | None = None) -> str:
    """HTML preview of the document (pages as sheets; page numbers shown under each sheet)."""
    doc, fonts, comp, pages, missing = _prepare(kind, doc, fonts_dir)
    return _html(kind, doc, fonts, comp, pages, preview=True)


def _stylesheets(fonts):
    key = fonts.key()
    with _env_lock:
        hit = _css_cache.get(key)
        if hit:
            return hit
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration
        fc = FontConfiguration()
        a, dsc = fonts.metrics("song")
        # page number: the dash's centre (0.38 em above the baseline) 7 mm below the text block
        baseline = (14 - (a + dsc) * 14) / 2 + a * 14
        pn_top = 7 * MM + 0.38 * 14 - baseline
        sheets = [CSS(filename=CSS_PATH, font_config=fc),
                  CSS(string=fonts.font_face_css() + (
                      f"\n@page :right {{ @bottom-right {{ padding-top: {pn_top:.3f}pt }} }}"
                      f"\n@page :left {{ @bottom-left {{ padding-top: {pn_top:.3f}pt }} }}"), font_config=fc)]
        _css_cache[key] = (sheets, fc)
        return sheets, fc


def render_pdf(kind: str, doc: dict, fonts_dir: str | None = None) -> bytes:
    """Render ``doc`` as a GB/T 9704 PDF. Raises :class:`MissingGlyph` if a character has no font."""
    doc, fonts, comp, pages, missing = _prepare(kind, doc, fonts_dir)
    if missing:
        raise MissingGlyph(missing)
    html = _html(kind, doc, fonts, comp, pages)
    from weasyprint import HTML
    sheets, fc = _stylesheets(fonts)
    return HTML(string=html, base_url=ROOT).write_pdf(stylesheets=sheets, font_config=fc)
