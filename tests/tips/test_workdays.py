"""Working days over chinesecalendar, with the fallback for uncovered years."""
import datetime as dt

from portal import workdays


def test_national_day_and_make_up_saturday_2026():
    assert not workdays.is_workday(dt.date(2026, 10, 1))
    assert not workdays.is_workday(dt.date(2026, 10, 7))
    assert workdays.is_workday(dt.date(2026, 10, 10))  # Saturday, 调休上班
    assert workdays.holiday_name(dt.date(2026, 10, 2)) == "国庆节"
    # 15 working days from Tue 29 Sep: 30 Sep, 8, 9, 10(Sat), 12..16, 19..23, 26 Oct
    assert workdays.add_workdays(dt.date(2026, 9, 29), 15) == dt.date(2026, 10, 26)
    assert workdays.workdays_between(dt.date(2026, 9, 29), dt.date(2026, 10, 26)) == 15
    assert workdays.workdays_between(dt.date(2026, 10, 26), dt.date(2026, 9, 29)) == -15
    assert workdays.add_workdays(dt.date(2026, 9, 29), 0) == dt.date(2026, 9, 29)


def test_fallback_for_uncovered_year_is_weekends_only():
    year = 2099
    assert not workdays.covered(year)
    assert workdays.covered(2026)
    monday = dt.date(2099, 1, 5)
    assert monday.weekday() == 0
    assert workdays.is_workday(dt.date(2099, 1, 1))  # a Thursday; no holidays in the fallback
    assert workdays.add_workdays(monday, 5) == dt.date(2099, 1, 12)
    assert not workdays.is_workday(dt.date(2099, 1, 10))
