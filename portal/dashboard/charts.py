"""Horizontal bar charts as data: geometry computed here, drawn as plain SVG by
templates/dashboard/_chart.html (no JavaScript; colours come from CSS classes in dashboard.css).
Every bar segment carries the ledger link that lists exactly the problems it counts."""
from dataclasses import dataclass, field

WIDTH = 640
LABEL_W = 170
VALUE_W = 96
ROW_H = 26
BAR_H = 18
TOP = 8
AXIS_H = 22


@dataclass
class Seg:
    key: str
    label: str
    value: int
    href: str | None = None
    x: float = 0.0
    w: float = 0.0


@dataclass
class Bar:
    label: str
    segs: list
    href: str | None = None
    note: str = ""  # text after the total, e.g. "整改率 62.5%"
    y: float = 0.0
    w: float = 0.0

    @property
    def total(self):
        return sum(s.value for s in self.segs)


@dataclass
class Chart:
    id: str
    title: str
    bars: list
    legend: list = field(default_factory=list)  # [(key, label)]
    unit: str = "件"
    width: int = WIDTH
    height: int = 0
    label_w: int = LABEL_W
    plot_w: int = 0
    ticks: list = field(default_factory=list)  # [(x, text)]
    empty: bool = False

    @property
    def row_h(self):
        return ROW_H

    @property
    def bar_h(self):
        return BAR_H


def _nice_max(v):
    if v <= 5:
        return 5
    mag = 10 ** (len(str(int(v))) - 1)
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * mag:
            return int(m * mag)
    return int(v)


def layout(chart: Chart) -> Chart:
    """Place bars and segments; the longest bar fills the plot width against a rounded maximum."""
    chart.plot_w = chart.width - chart.label_w - VALUE_W
    top = max((b.total for b in chart.bars), default=0)
    chart.empty = top == 0
    scale_max = _nice_max(top)
    k = chart.plot_w / scale_max
    for i, b in enumerate(chart.bars):
        b.y = TOP + i * ROW_H
        x = float(chart.label_w)
        for s in b.segs:
            s.x = round(x, 2)
            s.w = round(s.value * k, 2)
            x += s.w
        b.w = round(x - chart.label_w, 2)
    chart.height = TOP + len(chart.bars) * ROW_H + AXIS_H
    steps = 4 if scale_max % 4 == 0 or scale_max >= 20 else 5
    chart.ticks = [(round(chart.label_w + chart.plot_w * j / steps, 2), _fmt(scale_max * j / steps))
                   for j in range(steps + 1)]
    return chart


def _fmt(v):
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"
