"""The 局长's view of department reports: the coming deadlines and who has not reported (the same rule as
the reports area: active 科室 and 事业单位 without a submitted report of the period)."""
import datetime as dt

from .. import clock
from ..models import Campaign, Department
from ..models.report import ReportingPeriod
from ..models.selfcheck import DepartmentReport


def coming_reports(today=None, limit=3) -> list[dict]:
    today = today or clock.today()
    campaign = Campaign.active()
    depts = list(Department.select().where((Department.is_active == True)  # noqa: E712
                                           & Department.kind.in_(("office", "unit")))
                 .order_by(Department.sort_order, Department.id))
    out = []
    for period in (ReportingPeriod.select().where(ReportingPeriod.due_date >= today - dt.timedelta(days=7))
                   .order_by(ReportingPeriod.due_date).limit(limit)):
        q = DepartmentReport.select(DepartmentReport.department).where(
            (DepartmentReport.period == period.code) & (DepartmentReport.status == "submitted"))
        if campaign is not None:
            q = q.where(DepartmentReport.campaign == campaign.id)
        done = {r.department_id for r in q}
        out.append(dict(period=period, missing=[d for d in depts if d.id not in done], total=len(depts)))
    return out
