"""Department numbers, the per-department summary and the department report (情况报告)."""

import datetime as dt
import json

from peewee import JOIN, Case, fn

from .. import audit, clock
from ..errors import Conflict
from ..extensions import db
from ..models import Campaign, Category, Department, Item, Problem, RoleAssignment, User
from ..models.selfcheck import SELFCHECK_STATUSES, DepartmentReport, SelfCheck
from ..notify import notify
from .checklist import UNSUBMITTED, checklist, past_deadline
from .review import _has_business_role


def visible_department_rows(viewer: User):
    from ..permissions import visible_departments
    depts = visible_departments(viewer)
    q = Department.select().where(Department.is_active == True)  # noqa: E712
    if depts is not None:
        q = q.where(Department.id.in_(sorted(depts) or [0]))
    return list(q.order_by(Department.sort_order, Department.id))


def status_tally(depts, campaign: Campaign) -> dict:
    """The one count of self-check states: {department id: {people, not_started, draft, submitted,
    returned, approved, perfunctory}} of the active people with a business role in `depts` (None = all
    departments). perfunctory = people returned as 敷衍应付 at least once. The dashboard and the
    department overview both read it."""
    status = fn.COALESCE(SelfCheck.status, "not_started")
    cols = [fn.SUM(Case(None, [(status == k, 1)], 0)).alias(k) for k in SELFCHECK_STATUSES]
    q = (User.select(User.department.alias("dept_id"), fn.COUNT(User.id).alias("people"), *cols,
                     fn.SUM(Case(None, [(SelfCheck.perfunctory_count > 0, 1)], 0)).alias("perfunctory"))
         .join(SelfCheck, JOIN.LEFT_OUTER, on=((SelfCheck.user == User.id) & (SelfCheck.campaign == campaign.id)))
         .where((User.is_active_flag == True) & _has_business_role())  # noqa: E712
         .group_by(User.department))
    if depts is not None:
        q = q.where(User.department.in_(sorted(depts) or [0]))
    return {r["dept_id"]: {k: int(v or 0) for k, v in r.items() if k != "dept_id"} for r in q.dicts()}


def department_summary(viewer: User, campaign: Campaign):
    """Per visible department: people by state (status_tally), plus derived numbers: handed_in
    (待审核 + 已通过), pending_review, unsubmitted (must still act: 未开始, 草稿, 已退回) and late."""
    from ..permissions import visible_departments
    late = past_deadline(campaign)
    rows = status_tally(visible_departments(viewer), campaign)
    out = []
    for d in visible_department_rows(viewer):
        r = rows.get(d.id)
        if not r:
            continue
        r = dict(r, handed_in=r["submitted"] + r["approved"], pending_review=r["submitted"],
                 unsubmitted=sum(r[k] for k in UNSUBMITTED))
        r["late"] = r["unsubmitted"] if late else 0
        out.append((d, r))
    return out


def problem_counts_by_person(user_ids, campaign: Campaign) -> dict:
    """{user_id: {category_seq: n}} of live self-reported problems in the ledger."""
    if not user_ids:
        return {}
    q = (Problem.select(Problem.person, Category.seq, fn.COUNT(Problem.id).alias("n"))
         .join(Item, on=(Problem.item == Item.id)).join(Category, on=(Item.category == Category.id))
         .where((Problem.source == "selfcheck") & (Problem.withdrawn == False)  # noqa: E712
                & (Problem.campaign == campaign.id) & Problem.person.in_(list(user_ids)))
         .group_by(Problem.person, Category.seq).tuples())
    out = {}
    for person, seq, n in q:
        out.setdefault(person, {})[seq] = n
    return out


def department_numbers(department, campaign: Campaign) -> dict:
    """Aggregated numbers for the department's report: people, submitted, approved, returned,
    not submitted, perfunctory returns, problems by category and aspect, 立行立改 count."""
    dept_id = getattr(department, "id", department)
    cl = checklist(campaign)
    status = fn.COALESCE(SelfCheck.status, "not_started")
    row = (User.select(fn.COUNT(User.id).alias("people"),
                       fn.SUM(Case(None, [(status.in_(["submitted", "approved"]), 1)], 0)).alias("submitted"),
                       fn.SUM(Case(None, [(status == "approved", 1)], 0)).alias("approved"),
                       fn.SUM(Case(None, [(status == "returned", 1)], 0)).alias("returned"),
                       fn.SUM(fn.COALESCE(SelfCheck.perfunctory_count, 0)).alias("perfunctory"))
           .join(SelfCheck, JOIN.LEFT_OUTER, on=((SelfCheck.user == User.id) & (SelfCheck.campaign == campaign.id)))
           .where((User.department == dept_id) & (User.is_active_flag == True) & _has_business_role())  # noqa: E712
           .dicts().get())
    row = {k: int(v or 0) for k, v in row.items()}
    live = ((Problem.source == "selfcheck") & (Problem.withdrawn == False)  # noqa: E712
            & (Problem.campaign == campaign.id) & (Problem.department == dept_id))
    by_cat = {st.category.name: 0 for st in cl.steps}
    for seq, n in (Problem.select(Category.seq, fn.COUNT(Problem.id)).join(Item, on=(Problem.item == Item.id))
                   .join(Category, on=(Item.category == Category.id)).where(live).group_by(Category.seq).tuples()):
        by_cat[cl.steps[seq - 1].category.name] = n
    by_aspect = {name: 0 for name in cl.aspects.values()}
    for aid, n in Problem.select(Problem.aspect, fn.COUNT(Problem.id)).where(live).group_by(Problem.aspect).tuples():
        if aid in cl.aspects:
            by_aspect[cl.aspects[aid]] = n
    total = Problem.select(fn.COUNT(Problem.id)).where(live).scalar() or 0
    fixed = Problem.select(fn.COUNT(Problem.id)).where(live & (Problem.fixed_at_once == True)).scalar() or 0  # noqa: E712
    return {
        "people": row["people"], "submitted": row["submitted"], "approved": row["approved"],
        "returned": row["returned"], "not_submitted": row["people"] - row["submitted"],
        "perfunctory": row["perfunctory"], "problems": total, "fixed_at_once": fixed,
        "by_category": by_cat, "by_aspect": by_aspect,
    }


def report_periods(campaign: Campaign) -> list[str]:
    out = ["全程"]
    d = campaign.start_date.replace(day=1)
    while d <= campaign.end_date:
        out.append(f"{d.year}-{d.month:02d}")
        d = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def get_report(department_id, campaign, period_) -> DepartmentReport | None:
    return DepartmentReport.get_or_none((DepartmentReport.department == department_id)
                                        & (DepartmentReport.campaign == campaign.id)
                                        & (DepartmentReport.period == period_))


def save_report(department, campaign, period_, narrative, actor, submit_now: bool) -> DepartmentReport:
    now = clock.now()
    numbers = json.dumps(department_numbers(department, campaign), ensure_ascii=False)
    with db.atomic():
        rep = get_report(department.id, campaign, period_)
        if rep is not None and rep.status == "submitted":
            raise Conflict("该期情况报告已报送，不能再修改。")
        fields = {"numbers": numbers, "narrative": narrative, "updated_at": now}
        if submit_now:
            fields.update(status="submitted", submitted_by=actor.id, submitted_at=now)
        if rep is None:
            rep = DepartmentReport.create(department=department.id, campaign=campaign.id, period=period_,
                                          created_at=now, **fields)
        else:
            n = (DepartmentReport.update(**fields).where((DepartmentReport.id == rep.id)
                                                         & (DepartmentReport.status == "draft")).execute())
            if n != 1:
                raise Conflict("该期情况报告已报送，不能再修改。")
            rep = DepartmentReport.get_by_id(rep.id)
        audit.record("selfcheck_report_submit" if submit_now else "selfcheck_report_save",
                     "department_report", rep.id, actor=actor,
                     detail={"department": department.id, "period": period_})
    if submit_now:  # tell the discipline office
        office = (User.select(User.id).join(RoleAssignment, on=(RoleAssignment.user == User.id))
                  .where((RoleAssignment.role == "discipline") & (User.is_active_flag == True)))  # noqa: E712
        url = _report_url(department.id, period_)
        for u in office:
            notify(u.id, "info", f"{department.name}已报送自查自纠情况（{period_}）。", url,
                   key=f"selfcheck_report:{rep.id}")
    return rep


def _report_url(dept_id, period_) -> str:
    from flask import has_request_context, url_for
    if has_request_context():
        return url_for("selfcheck.report", dept=dept_id, period=period_)
    return f"/selfcheck/report?dept={dept_id}"
