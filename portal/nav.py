"""Navigation and home-page panels, contributed by each area at import time.

register_nav("整改台账", "ledger.index", lambda u: can(u, "ledger.view"), order=30)

@home_panel(order=10)
def my_tasks(user): return render_template("ledger/_home_panel.html", ...) or None
"""
from dataclasses import dataclass
from typing import Callable

from markupsafe import Markup


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    allowed: Callable
    order: int


_NAV: list[NavItem] = []
_PANELS: list[tuple[int, Callable]] = []


def register_nav(label: str, endpoint: str, allowed: Callable, order: int = 50) -> None:
    if any(n.endpoint == endpoint for n in _NAV):
        return
    _NAV.append(NavItem(label, endpoint, allowed, order))
    _NAV.sort(key=lambda n: n.order)


def nav_items(user) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [n for n in _NAV if n.allowed(user)]


def home_panel(order: int = 50):
    def deco(fn):
        if fn.__qualname__ not in {f.__qualname__ for _, f in _PANELS}:
            _PANELS.append((order, fn))
            _PANELS.sort(key=lambda p: p[0])
        return fn
    return deco


def home_panels(user) -> list[Markup]:
    out = []
    for _order, fn in _PANELS:
        html = fn(user)
        if html:
            out.append(Markup(html))
    return out


_PROBLEM_PANELS: list[tuple[int, Callable]] = []


def problem_panel(order: int = 50):
    """Areas add a section to a Problem's detail page (linked clue, self-check, documents…):
    fn(problem, user) -> HTML or None."""
    def deco(fn):
        if fn.__qualname__ not in {f.__qualname__ for _, f in _PROBLEM_PANELS}:
            _PROBLEM_PANELS.append((order, fn))
            _PROBLEM_PANELS.sort(key=lambda p: p[0])
        return fn
    return deco


def problem_panels(problem, user) -> list[Markup]:
    out = []
    for _order, fn in _PROBLEM_PANELS:
        html = fn(problem, user)
        if html:
            out.append(Markup(html))
    return out


_CLUE_PANELS: list[tuple[int, Callable]] = []


def clue_panel(order: int = 50):
    """Areas add a section to a clue's page (accountability outcomes, typical case…): fn(clue, user) -> HTML
    or None."""
    def deco(fn):
        if fn.__qualname__ not in {f.__qualname__ for _, f in _CLUE_PANELS}:
            _CLUE_PANELS.append((order, fn))
            _CLUE_PANELS.sort(key=lambda p: p[0])
        return fn
    return deco


def clue_panels(clue, user) -> list[Markup]:
    return [Markup(html) for _order, fn in _CLUE_PANELS if (html := fn(clue, user))]
