"""Departments' own reports (单位自查自纠情况): reporting periods and who has not reported."""

import datetime as dt

from .. import audit, clock
from ..errors import Invalid
from ..models import Campaign, Department, User
from ..models.report import ReportingPeriod
from ..models.selfcheck import DepartmentReport


# ---------------------------------------------------------------- departments' own reports
def reporting_departments():
    """The departments that report: active 科室 and 事业单位 (not the bureau root nor the leadership)."""
    return list(Department.select().where((Department.is_active == True)  # noqa: E712
                                          & Department.kind.in_(("office", "unit")))
                .order_by(Department.sort_order, Department.id))


def reporting_status(period_code, due_date=None, today=None):
    """[{department, status: submitted/draft/missing, submitted_at, late}] for one period."""
    DR = DepartmentReport
    today = today or clock.today()
    c = Campaign.active()
    q = DR.select().where(DR.period == period_code)
    if c is not None:
        q = q.where(DR.campaign == c.id)
    by_dept = {r.department_id: r for r in q}
    out = []
    for d in reporting_departments():
        r = by_dept.get(d.id)
        status = "missing" if r is None else ("submitted" if r.status == "submitted" else "draft")
        submitted_at = r.submitted_at if r is not None and status == "submitted" else None
        late = bool(due_date) and (
            (submitted_at is not None and submitted_at.date() > due_date)
            or (submitted_at is None and today > due_date))
        out.append({"department": d, "status": status, "submitted_at": submitted_at, "late": late,
                    "report": r})
    return out


def missing_departments(period_code):
    """Departments without a submitted report for the period (for reminders)."""
    rows = reporting_status(period_code)
    return [r["department"] for r in rows if r["status"] != "submitted"]


def periods():
    return list(ReportingPeriod.select().order_by(ReportingPeriod.start_date.desc(), ReportingPeriod.id.desc()))


def period_choices():
    """[(code, label)]: "全程", the campaign's months up to now (what the heads can report for), and
    any period the office set; newest first after "全程"."""
    set_by_office = {p.code: p for p in periods()}
    codes = set(set_by_office)
    c = Campaign.active()
    if c is not None:
        d = c.start_date.replace(day=1)
        last = min(c.end_date, clock.today())
        while d <= last:
            codes.add(f"{d.year}-{d.month:02d}")
            d = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    codes.discard("全程")
    out = [("全程", "全程（整顿工作全过程）")]
    for code in sorted(codes, reverse=True):
        p = set_by_office.get(code)
        if p is not None:
            out.append((code, f"{p.name}（报送截止 {p.due_date:%Y-%m-%d}）"))
        else:
            y, m = code.split("-")
            out.append((code, f"{y}年{int(m)}月（未设截止日期）"))
    return out


def create_period(actor, code, name, start, end, due):
    if start > end:
        raise Invalid("起始日期不能晚于截止日期。")
    if due < start:
        raise Invalid("报送截止日期不能早于周期起始日期。")
    if ReportingPeriod.select().where(ReportingPeriod.code == code).exists():
        raise Invalid(f"报送周期“{code}”已存在。")
    c = Campaign.active()
    p = ReportingPeriod.create(campaign=c, code=code, name=name, start_date=start, end_date=end,
                               due_date=due, created_by=actor, created_at=clock.now())
    audit.record("reporting_period_create", "reporting_period", p.id, actor=actor,
                 detail={"code": code, "due": due.isoformat()})
    return p


def user_name(uid):
    u = User.get_or_none(User.id == uid)
    return u.real_name if u else ""
