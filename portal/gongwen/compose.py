"""The composer: a document dict turned into layout units (header, title, body lines, tables, figures,
signature, attachments, 版记) on the GB/T 9704 grid, then paginated."""
import base64
import math
import re

from . import typeset as ts
from .blocks import Blocks
from .grid import BLOCK_W, BODY, CAP, CELL, FORMAT, MM, P
from .pagination import Paginator, Unit
from .titles import cn_index, fmt_date, name_lines, split_title
from .typeset import plain_line, snap_indent, text_width_pt


def _date_end(right):
    """The room (pt) right of an unsealed 成文日期 whose right edge falls at ``right`` (pt from the block's
    left) when its first character stands two characters right of a 右空二字 signature's (7.3.5.2): 右空二字
    when it would run further right (a longer date: the signature moves left); 右空四字 when it falls
    between two and four characters in, the signature moving left by the fraction ("相应增加发文机关署名右空
    字数") so that the date, whose half-width digits make it a half character longer or shorter, ends on a
    whole character as every 成文日期 does (sealed: 右空四字); else where it falls."""
    room = (BLOCK_W - right) / CELL
    if room < 2.05:
        return 2 * CELL
    if room < 3.95:
        return 4 * CELL
    return BLOCK_W - right


class Composer(Blocks):
    def __init__(self, kind, doc, fonts):
        self.kind, self.doc, self.fonts = kind, doc, fonts
        self.fmt = FORMAT[kind]
        self.tsr = ts.Typesetter(fonts)
        self.units = []
        self.texts = []            # (role, text) for the glyph check
        self.tight = {}            # paragraph id -> f(±1): its units a line shorter/longer, or None

    # ---- small builders
    def add(self, kind, height=P, body=False, **data):
        self.units.append(Unit(kind, height, data, body))

    def blank(self):
        self.add("blank", P)

    def para(self, text, roles=None, first_indent=2.0, rest_indent=0.0, kind="p", body=True, keep=False,
             block=None, heading=False):
        """One paragraph as line units that know their paragraph (widows and orphans are avoided across
        pages), with a tighter form the paginator may use to fill a short page. ``heading``: ``keep`` only
        when the paragraph is a single line (a heading, not a paragraph that starts with 一、)."""
        args = (text, roles, first_indent, kind, rest_indent)
        lines = self.tsr.layout(*args)
        if heading:
            keep = 2 if keep and len(lines) == 1 else False
        pid = len(self.tight)

        def units(lns):
            return [Unit("ln", P, dict(line=ln, para=pid, idx=i, n=len(lns), keep=keep, block=block,
                                       rest=rest_indent), body)
                    for i, ln in enumerate(lns)]

        def variant(delta):                  # one line shorter (-1) or longer (+1), or None
            fn = self.tsr.layout_tight if delta < 0 else self.tsr.layout_loose
            t = fn(*args, normal=lines)
            return units(t) if t else None
        self.tight[pid] = variant
        for ln in lines:
            for sg in ln.segs:
                self.texts.append((sg.role, sg.text))
        self.units.extend(units(lines))

    def body_text(self, text, tables=(), figures=()):
        tables, figures = list(tables or []), list(figures or [])
        used, used_fig = set(), set()
        chunk = []

        def flush():
            for p in ts.parse_paragraphs("\n".join(chunk)):
                roles = ["fang"] * len(p.text)
                if p.level in (1, 2):
                    roles[:len(p.head)] = [ts.LEVEL_ROLE[p.level]] * len(p.head)
                # a heading on a line of its own keeps at least two lines of what follows on its page
                keep = bool(p.level) and (p.head == p.text or not p.text.endswith(tuple("。；！？")))
                self.para(p.text, roles, 2.0, kind=f"h{p.level}" if p.level else "p", keep=keep, heading=True)
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
        d = self.doc
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
            self.add("title", P, text=t, keep=2)
        if with_gap:
            self.blank()

    def addressees(self):
        a = (self.doc.get("addressees") or "").strip()
        if a:
            if not a.endswith(("：", ":")):
                a += "："
            self.para(a, first_indent=0.0, body=False)

    def attachment_note(self):
        atts = self.doc.get("attachments") or []
        titles = [a if isinstance(a, str) else a.get("title", "") for a in atts]
        if not titles:
            return
        self.blank()
        if len(titles) == 1:
            self.para("附件：" + titles[0].rstrip("。"), first_indent=2.0, rest_indent=5.0, body=False,
                      block="att-note")
            return
        for i, t in enumerate(titles, 1):
            label = f"{i}."
            lw = sum(self.fonts.advance("fang", c) for c in label)
            text = ("附件：" if i == 1 else "") + label + t.rstrip("。")
            self.para(text, first_indent=2.0 if i == 1 else 5.0, rest_indent=5.0 + lw, body=False,
                      block="att-note")

    def labelled(self, label, text):
        """出席/请假/列席: 黑体 label, 仿宋 names, continuation aligned after the colon. The lists are one block,
        and the 纪要's own content: on the page of the 成文日期 they are what shows with it (7.3.5.4), so 正文
        need not be carried over for them."""
        if not text:
            return
        full = f"{label}：{text}"
        roles = ["hei"] * (len(label) + 1) + ["fang"] * len(text)
        self.para(full, roles, first_indent=2.0, rest_indent=2.0 + len(label) + 1, body=True, block="attendance")

    def signature_block(self):
        """发文机关署名 and 成文日期 (7.3.5). Without a seal (7.3.5.2) the signature stands 右空二字 and the date
        starts two characters right of the signature's first character; a date longer than that stands
        右空二字 and the signature moves left, as it does (by less than two characters) when the date would
        end between two and four characters in (``_date_end``); a one-line name that would push the date
        further in than 右空四字 wraps. With a seal (7.3.5.1) the date stands 右空四字 and each
        signature line is centred on it. Joint organisations ("\n" between them) each take their own line,
        the 主办机关 first; a name too long for its room wraps into even lines aligned on one start."""
        d, f = self.doc, self.fonts
        date = fmt_date(d.get("date"))
        names = [x.strip() for x in (d.get("signature") or "").split("\n") if x.strip()]
        sealed = bool(d.get("seal"))
        lines = []
        dw = text_width_pt(f, date) if date else 0.0
        date_x = BLOCK_W - (4 if sealed else 2) * CELL - dw
        if sealed and date:
            centre = date_x + dw / 2
            room = 2 * (BLOCK_W - centre) / CELL + 0.05         # centred lines stay inside the block
            for name in names:
                for t in name_lines(f, name, room):
                    sw = text_width_pt(f, t)
                    lines.append(plain_line(t, indent_pt=snap_indent(max(centre - sw / 2, 0.0)), kind="sig"))
        elif names:
            # lines start at least 4.5 cells in, so none reads as a paragraph's indented first line
            room = 28 - 2 - 4.5
            if date and len(names) == 1 and text_width_pt(f, names[0]) <= room * CELL:
                room = dw / CELL + 4 + 0.05     # a one-line name wraps rather than push the date past 右空四字
            parts = [t for name in names for t in name_lines(f, name, room)]
            sw = max(text_width_pt(f, t) for t in parts)
            sig_x = BLOCK_W - 2 * CELL - sw
            if date:
                sig_x = BLOCK_W - _date_end(sig_x + 2 * CELL + dw) - dw - 2 * CELL
            sig_x = snap_indent(max(sig_x, 0.0))
            lines = [plain_line(t, indent_pt=sig_x, kind="sig") for t in parts]
            date_x = sig_x + 2 * CELL
        if date:
            lines.append(plain_line(date, indent_pt=date_x, kind="date"))
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

    def page_break(self):
        self.add("break", 0)

    def attachments_pages(self):
        atts = [a for a in (self.doc.get("attachments") or []) if isinstance(a, dict) and a.get("body")]
        many = len([a for a in (self.doc.get("attachments") or [])]) > 1
        for i, a in enumerate(self.doc.get("attachments") or [], 1):
            if isinstance(a, dict) and a.get("pdf"):
                self.uploaded_pages(f"附件{i}" if many else "附件", a["pdf"])
                continue
            if not (isinstance(a, dict) and (a.get("body") or a.get("tables") or a.get("figures"))):
                continue
            self.page_break()
            label = f"附件{i}" if many else "附件"
            self.texts.append(("hei", label))
            self.add("ln", P, line=plain_line(label, role="hei", kind="att-label"), keep=2)
            self.blank()
            for t in split_title(self.fonts, a.get("title", "")):
                self.texts.append(("xbs", t))
                self.add("title", P, text=t, keep=2)
            self.blank()
            self.body_text(a.get("body", ""), a.get("tables"), a.get("figures"))
        return atts

    def uploaded_pages(self, label, pdf: bytes):
        """An uploaded PDF attachment: its 附件 label on line 1 of a new page, each of its pages set into the
        text block below (numbered on as the document's own pages; gongwen.appendix sets them in)."""
        from .appendix import page_count
        self.texts.append(("hei", label))
        for k in range(page_count(pdf)):
            self.page_break()
            if k == 0:
                self.add("ln", P, line=plain_line(label, role="hei", kind="att-label"), keep=True)
            self.add("upload", CAP - (P if k == 0 else 0), pdf=pdf, page=k)

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
        return Paginator(self.units, self.colophon(), self.tight).pages()
