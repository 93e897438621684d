"""Working days in mainland China: weekends, statutory holidays and make-up working days (调休).

The calendar comes from the `chinesecalendar` package, which covers the years the State Council has
announced (it is updated each winter when the next year's arrangement is published). For a year the
package does not cover yet, the documented fallback is: Monday–Friday are working days, Saturday and
Sunday are not, and there are no holidays and no make-up days. `covered(year)` tells which rule applies,
so a page can warn that a deadline in such a year is provisional.

All deadline arithmetic in the clue ledger goes through `add_workdays()`:
  "within N working days of D" = the N-th working day after D (D itself does not count).
"""
import datetime as dt
from functools import lru_cache

try:  # the package is a declared dependency; the fallback also covers its absence
    import chinese_calendar as _cc
except ImportError:  # pragma: no cover
    _cc = None


@lru_cache(maxsize=64)
def covered(year: int) -> bool:
    """True when the holiday arrangement for `year` is known to chinesecalendar."""
    if _cc is None:
        return False
    try:
        _cc.is_workday(dt.date(year, 6, 1))
        return True
    except NotImplementedError:
        return False


@lru_cache(maxsize=4096)
def is_workday(day: dt.date) -> bool:
    if isinstance(day, dt.datetime):
        day = day.date()
    if covered(day.year):
        return _cc.is_workday(day)
    return day.weekday() < 5  # fallback: weekends off, no holidays


def holiday_name(day: dt.date) -> str | None:
    """The Chinese name of the holiday `day` falls in (国庆节 …), or None."""
    if _cc is None or not covered(day.year):
        return None
    on, name = _cc.get_holiday_detail(day)
    if not on or not name:
        return None
    return _HOLIDAY_CN.get(name, name)


_HOLIDAY_CN = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (n >= 0; n == 0 returns start unchanged)."""
    if isinstance(start, dt.datetime):
        start = start.date()
    if n < 0:
        raise ValueError("n must be >= 0")
    day = start
    left = n
    while left:
        day += dt.timedelta(days=1)
        if is_workday(day):
            left -= 1
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: how many working days `end` lies after `start` (negative if before)."""
    if end < start:
        return -workdays_between(end, start)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count
