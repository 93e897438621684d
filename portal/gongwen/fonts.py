"""Font roles of GB/T 9704-2012 mapped to font files.

Roles: ``fang`` 仿宋 (body), ``hei`` 黑体, ``kai`` 楷体, ``song`` 宋体 (page numbers), ``xbs`` 小标宋 (title,
发文机关标志).  Free defaults are the Fandol fonts; an office may drop its own licensed fonts
(方正小标宋简体, 仿宋_GB2312, 楷体_GB2312, 黑体 …) into ``<instance>/fonts/`` and they are preferred.

Besides the role fonts this module builds, once per source font, a tiny companion font holding *half-width*
forms of the CJK punctuation (标点挤压).  The typesetter uses it when a line must absorb a closing
punctuation mark (避头) so that a full line still fills exactly 28 grid cells.  The companion is registered
under the same CSS family with ``font-stretch: condensed``.
"""
from __future__ import annotations

import glob
import hashlib
import os
import tempfile
import threading
from dataclasses import dataclass, field
from functools import lru_cache

ROLES = ("fang", "hei", "kai", "song", "xbs")
ROLE_LABELS = {"fang": "仿宋", "hei": "黑体", "kai": "楷体", "song": "宋体", "xbs": "小标宋"}
CSS_FAMILY = {"fang": "GWFang", "hei": "GWHei", "kai": "GWKai", "song": "GWSong", "xbs": "GWBiaoSong"}

# Keywords matched (case-insensitively) against file names and name-table family names of licensed fonts.
LICENSED = {
    "xbs": ("方正小标宋", "fzxiaobiaosong", "fzxbs", "小标宋"),
    "fang": ("仿宋_gb2312", "fangsong_gb2312", "仿宋gb2312", "fangsong", "仿宋", "simfang"),
    "kai": ("楷体_gb2312", "kaiti_gb2312", "楷体gb2312", "kaiti", "楷体", "simkai"),
    "hei": ("黑体", "simhei", "heiti"),
    "song": ("宋体", "simsun", "songti"),
}
FREE = {
    "fang": ("FandolFang-Regular.otf",),
    "hei": ("FandolHei-Regular.otf", "NotoSansCJK-Regular.ttc"),
    "kai": ("FandolKai-Regular.otf", "ukai.ttc"),
    "song": ("FandolSong-Regular.otf", "uming.ttc"),
    "xbs": ("FandolSong-Bold.otf", "NotoSerifCJK-Bold.ttc"),
}
FONT_DIRS = ("/usr/local/share/fonts", "/usr/share/fonts", "/usr/share/texmf/fonts", "/usr/share/texlive",
             os.path.expanduser("~/.local/share/fonts"), os.path.expanduser("~/.fonts"))
FONT_EXT = (".otf", ".ttf", ".ttc", ".otc")

# Punctuation that may be set half width: closing marks keep their (left-side) ink, opening marks are
# shifted left by half an em.  Marks whose ink is centred (？ · … —) are never compressed.
CLOSING_HALF = "，。、；：！）”’》」』〕】"
OPENING_HALF = "（“‘《「『〔【"


class FontError(RuntimeError):
    pass


@dataclass
class RoleFont:
    role: str
    path: str
    index: int = 0                  # face index inside a .ttc collection
    licensed: bool = False
    half_path: str | None = None    # companion font with half-width punctuation (body roles only)


@dataclass
class FontSet:
    fonts: dict = field(default_factory=dict)        # role -> RoleFont

    def path(self, role):
        return self.fonts[role].path

    def key(self):
        return tuple((r, f.path, f.index, f.half_path) for r, f in sorted(self.fonts.items()))

    def covers(self, role, ch):
        return ord(ch) in coverage(self.fonts[role].path, self.fonts[role].index)

    def advance(self, role, ch):
        """Advance width of ``ch`` in em (1.0 for a missing glyph: the refusal happens elsewhere)."""
        return advances(self.fonts[role].path, self.fonts[role].index).get(ord(ch), 1.0)

    def metrics(self, role):
        """(ascent, descent) in em, as Pango positions the baseline (hhea, descent positive)."""
        return vertical_metrics(self.fonts[role].path, self.fonts[role].index)

    def outline_svg(self, role, text, size, color="#e60012"):
        """``text`` as vector outlines (an SVG document), ``size`` pt, no letter-spacing: (svg, width_pt).
        The SVG's box is the ideographic em box of the line (top 0.88 em above the baseline, 0.12 below)."""
        f = self.fonts[role]
        return outline_svg(f.path, f.index, text, float(size), color)

    def font_face_css(self):
        out = []
        for role, f in self.fonts.items():
            fam = CSS_FAMILY[role]
            url = "file://" + f.path
            out.append(f"@font-face {{ font-family: {fam}; src: url('{url}'); }}")
            if f.half_path:
                out.append(f"@font-face {{ font-family: {fam}; font-stretch: condensed; "
                           f"src: url('file://{f.half_path}'); }}")
        return "\n".join(out)


def _open(path, index=0, lazy=True):
    from fontTools.ttLib import TTFont
    return TTFont(path, fontNumber=index, lazy=lazy)


@lru_cache(maxsize=32)
def coverage(path, index=0):
    return frozenset(_open(path, index).getBestCmap())


@lru_cache(maxsize=32)
def advances(path, index=0):
    f = _open(path, index)
    upem, hmtx = f["head"].unitsPerEm, f["hmtx"]
    return {cp: hmtx[g][0] / upem for cp, g in f.getBestCmap().items()}


@lru_cache(maxsize=32)
def vertical_metrics(path, index=0):
    f = _open(path, index)
    upem, hhea = f["head"].unitsPerEm, f["hhea"]
    return hhea.ascent / upem, abs(hhea.descent) / upem


@lru_cache(maxsize=64)
def outline_svg(path, index, text, size, color):
    from fontTools.pens.svgPathPen import SVGPathPen
    from fontTools.pens.transformPen import TransformPen
    f = _open(path, index)
    upem, cmap, gs = f["head"].unitsPerEm, f.getBestCmap(), f.getGlyphSet()
    k = size / upem
    x, paths = 0.0, []
    for ch in text:
        g = cmap.get(ord(ch))
        if g is None:
            x += size
            continue
        pen = SVGPathPen(gs)
        # font units (y up, baseline 0) -> points (y down, baseline 0.88 em below the box top)
        gs[g].draw(TransformPen(pen, (k, 0, 0, -k, x, 0.88 * size)))
        d = pen.getCommands()
        if d:
            paths.append(f'<path d="{d}"/>')
        x += gs[g].width * k
    w, h = max(x, 1.0), size
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.3f}pt" height="{h:.3f}pt" '
           f'viewBox="0 0 {w:.3f} {h:.3f}"><g fill="{color}">{"".join(paths)}</g></svg>')
    return svg, w


@lru_cache(maxsize=64)
def _names(path, index=0):
    try:
        f = _open(path, index)
        names = {str(rec.toUnicode()) for rec in f["name"].names if rec.nameID in (1, 4, 6, 16)}
    except Exception:
        return frozenset()
    return frozenset(n.lower().replace(" ", "") for n in names)


def _find_free(filename):
    for d in FONT_DIRS:
        for p in glob.glob(os.path.join(d, "**", filename), recursive=True):
            return p
    return None


def _scan_licensed(fonts_dir):
    found = {}
    if not fonts_dir or not os.path.isdir(fonts_dir):
        return found
    files = sorted(p for p in glob.glob(os.path.join(fonts_dir, "*")) if p.lower().endswith(FONT_EXT))
    # the more specific keywords come first, so 仿宋_GB2312 beats a plain 仿宋
    for role, keys in LICENSED.items():
        for key in keys:
            for p in files:
                hay = {os.path.basename(p).lower().replace(" ", "")} | set(_names(p))
                if any(key in h for h in hay) and p not in [f.path for f in found.values()]:
                    if role == "song" and any(k in h for h in hay for k in ("小标宋", "xiaobiaosong", "xbs")):
                        continue
                    found[role] = RoleFont(role, os.path.abspath(p), 0, True)
                    break
            if role in found:
                break
    return found


_lock = threading.Lock()


@lru_cache(maxsize=8)
def font_set(fonts_dir: str | None = None, cache_dir: str | None = None) -> FontSet:
    """Resolve every role to a font file: licensed fonts in ``fonts_dir`` first, then free fonts."""
    with _lock:
        fonts = _scan_licensed(fonts_dir)
        for role in ROLES:
            if role in fonts:
                continue
            for name in FREE[role]:
                p = _find_free(name)
                if p:
                    fonts[role] = RoleFont(role, p, 0, False)
                    break
            else:
                raise FontError(f"no font for role {ROLE_LABELS[role]} ({role}); install the Fandol fonts")
        cache = cache_dir or os.environ.get("FENGJI_FONT_CACHE") or os.path.join(
            tempfile.gettempdir(), f"fengji-gongwen-fonts-{os.getuid() if hasattr(os, 'getuid') else 0}")
        for role in ("fang", "hei", "kai"):
            f = fonts[role]
            try:
                f.half_path = half_width_font(f.path, f.index, cache)
            except Exception:                      # a font fontTools cannot rebuild: no compression
                f.half_path = None
        return FontSet(fonts)


def half_width_font(path, index, cache_dir):
    """Build (once, cached on disk) a TrueType font with half-width forms of the CJK punctuation of ``path``."""
    st = os.stat(path)
    tag = hashlib.sha1(f"{path}|{index}|{st.st_size}|{st.st_mtime_ns}|v2".encode()).hexdigest()[:16]
    os.makedirs(cache_dir, exist_ok=True)
    out = os.path.join(cache_dir, f"half-{tag}.ttf")
    if os.path.exists(out):
        return out
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.transformPen import TransformPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    src = _open(path, index, lazy=False)
    upem = src["head"].unitsPerEm
    cmap, gs = src.getBestCmap(), src.getGlyphSet()
    order, glyphs, metrics, charmap = [".notdef"], {".notdef": TTGlyphPen(None).glyph()}, {".notdef": (upem // 2, 0)}, {}
    for ch in CLOSING_HALF + OPENING_HALF:
        g = cmap.get(ord(ch))
        if g is None:
            continue
        name = f"uni{ord(ch):04X}"
        shift = -upem / 2 if ch in OPENING_HALF else 0
        pen = TTGlyphPen(None)
        gs[g].draw(TransformPen(Cu2QuPen(pen, max_err=1, reverse_direction=True), (1, 0, 0, 1, shift, 0)))
        glyph = pen.glyph()
        glyph.recalcBounds(None)
        order.append(name)
        glyphs[name] = glyph
        metrics[name] = (upem // 2, getattr(glyph, "xMin", 0))
        charmap[ord(ch)] = name
    hhea = src["hhea"]
    fb = FontBuilder(upem, isTTF=True)
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap(charmap)
    fb.setupGlyf(glyphs)
    fb.setupHorizontalMetrics(metrics)
    fb.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent)
    fb.setupNameTable({"familyName": "GWHalfPunct", "styleName": "Condensed"})
    fb.setupOS2(sTypoAscender=hhea.ascent, sTypoDescender=hhea.descent, usWinAscent=abs(hhea.ascent),
                usWinDescent=abs(hhea.descent), usWidthClass=3)
    fb.setupPost()
    tmp = out + f".{os.getpid()}.tmp"
    fb.save(tmp)
    os.replace(tmp, out)
    return out
