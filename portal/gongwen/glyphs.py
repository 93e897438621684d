"""Glyph coverage: which characters of a document no configured font has, including text inside SVG
figures, and the error that stops a document from being issued with them."""
import re

from .grid import MM


class MissingGlyph(ValueError):
    """A character of the document is covered by no configured font."""

    def __init__(self, chars):
        self.chars = list(chars)
        shown = "、".join(f"“{c}”(U+{ord(c):04X})" for c in self.chars[:8])
        super().__init__(f"字库中没有以下字符，无法生成公文：{shown}" + ("等" if len(self.chars) > 8 else ""))

    def __reduce__(self):  # raised in a render child process (portal/pdfs.py) and re-raised in the web worker
        return (type(self), (self.chars,))


_SVG_UNITS = {"pt": 1.0, "px": 0.75, "mm": MM, "cm": 10 * MM, "in": 72.0, "": 1.0}


def svg_pt(value):
    """An SVG length in pt (a bare number counts as pt: figures use 1 user unit = 1pt); None if absent."""
    m = re.fullmatch(r"\s*([0-9.]+)\s*(pt|px|mm|cm|in)?\s*", value or "")
    return float(m[1]) * _SVG_UNITS[m[2] or ""] if m else None


def svg_texts(root):
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


def missing_chars(fonts, texts):
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
