"""Demo data: the departments' reporting periods (last month, due; this month, open)."""
import datetime as dt

from .. import clock
from ..demo import demo_hook
from ..models.report import ReportingPeriod
from .common import month_of


@demo_hook
def reporting_periods(ctx):
    today = clock.today()
    this_start, this_end = month_of(today)
    last_start, last_end = month_of(this_start - dt.timedelta(days=1))
    office = ctx["accounts"].get("demo-discipline")
    from ..models import Campaign
    c = Campaign.active()
    for s, e in ((last_start, last_end), (this_start, this_end)):
        if c is not None and e < c.start_date:  # the heads report only months of the campaign
            continue
        code = f"{s:%Y-%m}"
        if not ReportingPeriod.select().where(ReportingPeriod.code == code).exists():
            ReportingPeriod.create(code=code, name=f"{s.year}年{s.month}月", start_date=s, end_date=e,
                                   due_date=e + dt.timedelta(days=5), created_by=office,
                                   created_at=clock.now())
