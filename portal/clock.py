"""The portal's notion of "now". Tests travel in time by setting an offset or a fixed instant."""
import datetime as _dt

_fixed: _dt.datetime | None = None


def now() -> _dt.datetime:
    """Naive local time (the bureau works in one time zone)."""
    return _fixed if _fixed is not None else _dt.datetime.now().replace(microsecond=0)


def today() -> _dt.date:
    return now().date()


def travel(to: _dt.datetime | _dt.date | None) -> None:
    """Freeze the clock at `to` (None returns to real time)."""
    global _fixed
    if isinstance(to, _dt.date) and not isinstance(to, _dt.datetime):
        to = _dt.datetime.combine(to, _dt.time(9, 0))
    _fixed = to
