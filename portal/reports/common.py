"""Reports: constants, errors, week/month periods and their labels, the organ's name and report numbers."""

import calendar
import datetime as dt

from ..models import Campaign, Department
from ..models.report import Report


DONE = ("rectified", "closed")


DEFAULT_ORGAN = "××市机关事务管理局"


ACTION_LABELS = {"circular": "通报", "reminder": "提醒", "talk": "约谈"}


# ---------------------------------------------------------------- periods
def week_of(d: dt.date):
    start = d - dt.timedelta(days=d.weekday())
    return start, start + dt.timedelta(days=6)


def month_of(d: dt.date):
    return d.replace(day=1), d.replace(day=calendar.monthrange(d.year, d.month)[1])


def period_label(kind, start, end):
    if kind == "monthly":
        return f"{start.year}年{start.month}月"
    return f"{_cn(start)}至{_cn(end)}"


def _cn(d):
    return f"{d.year}年{d.month}月{d.day}日"


def organ_name():
    c = Campaign.active()
    if c is not None and c.organ:
        return c.organ
    root = Department.select().where(Department.kind == "bureau").order_by(Department.id).first()
    return root.name if root else DEFAULT_ORGAN


def next_number(year):
    n = Report.select().where(Report.number.contains(f"〔{year}〕")).count() + 1
    return f"机管报〔{year}〕{n}号"
