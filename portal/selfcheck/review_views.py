"""The reviewers' side: department overview, one person's self-check with the review form, reopen,
the department's report; home panels, navigation, the Problem panel."""
import json

from flask import abort, render_template, request, url_for
from flask_login import current_user, login_required

from .. import audit, clock
from ..errors import PortalError
from ..htmx import redirect_to, render
from ..models import Department, User
from ..models.selfcheck import PERFUNCTORY_LABEL, SELFCHECK_STATUSES, SelfCheck
from ..nav import home_panel, problem_panel, register_nav
from ..notify import notify
from ..permissions import can, deny, require, visible_departments
from . import bp, service
from .forms import EmptyForm, ReportForm, ReportSubmitForm, ReviewForm
from .views import _int, active_campaign, selfcheck_for

SC_STATES = [(k, SELFCHECK_STATUSES[k]) for k in ("not_started", "draft", "submitted", "returned", "approved")]

register_nav("自查自纠", "selfcheck.index",
             lambda u: can(u, "selfcheck.fill") or can(u, "selfcheck.oversee"), order=20)


SC_BADGE = {"not_started": "", "draft": "in_progress", "submitted": "rectified", "returned": "pending",
            "approved": "closed"}


@bp.app_template_filter("sc_badge")
def sc_badge(status):
    """A self-check status as one of the portal-wide badge classes (usable on any page)."""
    return SC_BADGE.get(status or "not_started", "")


@bp.get("/department")
@require("selfcheck.oversee")  # heads, leaders, the discipline office review; the chief reads
def department():
    from ..models import Campaign
    campaign = Campaign.active()
    if campaign is None:
        return render_template("selfcheck/no_campaign.html")
    cl = service.checklist(campaign)
    summary = service.department_summary(current_user, campaign)
    visible = visible_departments(current_user)
    leaders_only = request.args.get("leaders") == "1" and can(current_user, "selfcheck.leaders")
    dept_id = _int(request.args.get("dept"))
    if dept_id is None and not leaders_only and len(summary) == 1:
        dept_id = summary[0][0].id
    dept = None
    rows = []
    if dept_id is not None or leaders_only:
        if dept_id is not None:
            if visible is not None and dept_id not in visible:
                deny("department", dept_id, status=404)
            dept = Department.get_or_none(Department.id == dept_id) or abort(404)
        people = list(service.people(current_user, campaign, dept_id, leaders_only))
        counts = service.problem_counts_by_person([p.id for p in people], campaign)
        late = service.past_deadline(campaign)
        for p in people:
            sc = getattr(p, "sc", None)
            sc = sc if sc is not None and sc.id else None
            status = sc.status if sc else "not_started"
            rows.append({"user": p, "sc": sc, "status": status,
                         "label": sc.status_label if sc else "未开始",
                         "late": late and status in service.UNSUBMITTED,
                         "counts": counts.get(p.id, {}), "can_review": can(current_user, "selfcheck.review_person", p)})
    rows.sort(key=lambda r: (r["user"].department_id if leaders_only else 0, r["user"].sort_name))  # 拼音 order
    return render("selfcheck/department.html", "selfcheck/_people.html", campaign=campaign, cl=cl,
                  summary=summary, dept=dept, rows=rows, leaders_only=leaders_only,
                  is_discipline=can(current_user, "selfcheck.leaders"),
                  deadline_passed=service.past_deadline(campaign), SC_STATES=SC_STATES,
                  PERFUNCTORY_LABEL=PERFUNCTORY_LABEL)


@bp.get("/<int:sc_id>/")
@login_required
def record(sc_id):
    sc = selfcheck_for(sc_id)
    owner = User.get_by_id(sc.user_id)
    latest = service.latest_version(sc)
    form = ReviewForm(expected_version=str(sc.versions_count))
    return _record_page(sc, owner, latest, form)


def _record_page(sc, owner, latest, form, status=200, message=None):
    campaign = active_campaign()
    return render("selfcheck/record.html", "selfcheck/_review_form.html", status=status, sc=sc, owner=owner,
                  latest=latest, content=service.frozen_content(latest) if latest else None,
                  versions=service.versions(sc), form=form, message=message,
                  can_review=can(current_user, "selfcheck.review_person", owner) and sc.status == "submitted",
                  can_reopen=(can(current_user, "selfcheck.reopen") and sc.status in service.EDITABLE_STATUSES
                              and service.past_deadline(campaign) and not sc.reopened_by_discipline),
                  reopen_form=EmptyForm())


@bp.post("/<int:sc_id>/review")
@login_required
def review(sc_id):
    sc = selfcheck_for(sc_id)
    owner = User.get_by_id(sc.user_id)
    if not can(current_user, "selfcheck.review_person", owner):
        deny("selfcheck", sc_id, action="review")
    latest = service.latest_version(sc)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _record_page(sc, owner, latest, form, status=422)
    expected = _int(form.expected_version.data, -1)
    try:
        service.review(sc, current_user, form.outcome.data, (form.comment.data or "").strip(),
                       form.perfunctory.data, expected)
    except PortalError as e:
        sc = SelfCheck.get_by_id(sc.id)
        return _record_page(sc, owner, service.latest_version(sc), form, status=409, message=e.message)
    return redirect_to(url_for("selfcheck.department", dept=owner.department_id))


@bp.post("/<int:sc_id>/reopen")
@login_required
def reopen(sc_id):
    sc = selfcheck_for(sc_id)
    if not can(current_user, "selfcheck.reopen"):
        deny("selfcheck", sc.id, need="selfcheck.reopen")
    if not EmptyForm().validate_on_submit():
        abort(400)
    service.reopen(sc, current_user)  # a refusal (409) goes to the error handler
    return redirect_to(url_for("selfcheck.record", sc_id=sc.id))


# --- the department's report ------------------------------------------------------------------------
@bp.route("/report", methods=["GET", "POST"])
@require("selfcheck.oversee")
def report():
    campaign = active_campaign()
    visible = visible_departments(current_user)
    dept_id = _int(request.values.get("dept"), current_user.department_id)
    if visible is not None and dept_id not in visible:
        deny("department", dept_id, status=404, action="report")
    dept = Department.get_or_none(Department.id == dept_id) or abort(404)
    periods = service.report_periods(campaign)
    period_ = request.values.get("period") or "全程"
    if period_ not in periods:
        abort(400, "无效的报告期。")
    rep = service.get_report(dept.id, campaign, period_)
    may_write = can(current_user, "selfcheck.report", dept) and (rep is None or rep.status == "draft")
    status, message = 200, None
    submitting = request.form.get("action") == "submit"
    form = (ReportSubmitForm if submitting else ReportForm)(obj=rep)
    if request.method == "POST":
        if not may_write:
            deny("department_report", dept.id, need="selfcheck.report")
        if form.validate_on_submit():
            try:
                rep = service.save_report(dept, campaign, period_, form.narrative.data.strip(), current_user,
                                          submit_now=submitting)
                message = "已报送机关党委（纪委）。" if submitting else "草稿已保存。"
                may_write = rep.status == "draft"
            except PortalError as e:
                status, message = 409, e.message
        else:
            status = 422
    numbers = (json.loads(rep.numbers) if rep and rep.status == "submitted"
               else service.department_numbers(dept, campaign))
    return render("selfcheck/report.html", "selfcheck/_report_form.html", status=status, campaign=campaign,
                  dept=dept, periods=periods, period=period_, rep=rep, form=form, numbers=numbers,
                  may_write=may_write, message=message,
                  departments=service.visible_department_rows(current_user))


# --- home panels, problem panel --------------------------------------------------------------------
@home_panel(order=20)
def my_selfcheck_panel(user):
    if not can(user, "selfcheck.fill"):
        return None
    from ..models import Campaign
    campaign = Campaign.active()
    if campaign is None:
        return None
    sc = service.find(user, campaign)
    cl = service.checklist(campaign)
    prog = service.progress(sc, cl) if sc else service.progress_empty(cl)
    status = sc.status if sc else "not_started"
    days_left = (campaign.selfcheck_deadline - clock.today()).days
    remind = status in service.UNSUBMITTED and days_left <= service.remind_days()
    if remind:
        text = ("个人自查已逾期未提交，请尽快联系机关党委（纪委）。" if days_left < 0 else
                f"距个人自查截止还有 {days_left} 天，请尽快完成并提交。")
        notify(user, "selfcheck_due", text, url_for("selfcheck.index"), key=f"selfcheck_due:{campaign.id}")
    return render_template("selfcheck/_home_mine.html", campaign=campaign, sc=sc, prog=prog, status=status,
                           days_left=days_left, remind=remind,
                           label=sc.status_label if sc else "未开始")


@home_panel(order=21)
def review_panel(user):
    if not can(user, "selfcheck.oversee"):
        return None
    from ..models import Campaign
    campaign = Campaign.active()
    if campaign is None:
        return None
    summary = service.department_summary(user, campaign)
    pending = sum(r["pending_review"] for _d, r in summary)
    days_left = (campaign.selfcheck_deadline - clock.today()).days
    unsubmitted = []
    if days_left <= service.remind_days():
        unsubmitted = [p for p in service.people(user, campaign)
                       .where(SelfCheck.status.is_null() | SelfCheck.status.in_(list(service.UNSUBMITTED)))
                       .limit(30)]
    return render_template("selfcheck/_home_review.html", user=user, summary=summary, pending=pending,
                           SC_STATES=SC_STATES,
                           days_left=days_left, unsubmitted=unsubmitted, campaign=campaign)


@problem_panel(order=20)
def selfcheck_problem_panel(problem, user):
    if problem.source != "selfcheck" or not (problem.origin or "").startswith("selfcheck:"):
        return None
    try:
        _, sc_id, key = problem.origin.split(":", 2)
        sc_id = int(sc_id)
    except ValueError:
        return None
    sc = service.get_for(user, sc_id)
    if sc is None:
        return None
    from ..models.selfcheck import SelfCheckVersion
    found = None
    for v in SelfCheckVersion.select().where(SelfCheckVersion.selfcheck == sc.id).order_by(
            SelfCheckVersion.number.desc()):
        if any(p["key"] == key for it in service.frozen_content(v)["items"] for p in it["problems"]):
            found = v
            break
    return render_template("selfcheck/_problem_panel.html", sc=sc, v=found, problem=problem)
