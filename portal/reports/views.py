"""定期报送 /reports/: generate and keep the periodic reports upward; the departments' own periodic
self-check status reports — who has not reported."""
import datetime as dt
import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import audit, clock, uploads
from ..errors import Invalid
from ..htmx import render
from ..models.report import (FILE_KINDS, RECIPIENTS, REPORT_KINDS, Report, ReportDispatch, ReportFile,
                             ReportingPeriod, ReportStep)
from ..nav import home_panel, register_nav
from ..permissions import can, deny, require
from . import bp, service, signoff
from .forms import PeriodForm, ReportForm



def period_from_form(form):
    kind = form.kind.data
    if kind == "weekly":
        return service.week_of(form.ref_date.data)
    if kind == "monthly":
        return service.month_of(form.ref_date.data)
    return form.start.data, form.end.data


@bp.route("/")
@require("reports.view")
def index():
    reports = list(Report.select().order_by(Report.created_at.desc(), Report.id.desc()).limit(200))
    files = {}
    for f in ReportFile.select().where(ReportFile.report.in_([r.id for r in reports] or [0])).order_by(ReportFile.id):
        files.setdefault(f.report_id, []).append(f)
    return render_template("reports/index.html", reports=reports, files=files, RECIPIENTS=RECIPIENTS,
                           user_name=service.user_name)


@bp.route("/new", methods=["GET", "POST"])
@require("reports.generate")
def new():
    """拟稿: the office drafts a report; it is archived only once signed and numbered."""
    form = ReportForm()
    form.set_people(signoff.reviewers(), signoff.signers())
    today = clock.today()
    if request.method == "GET":
        form.ref_date.data = service.month_of(today)[0] - dt.timedelta(days=1)  # last month: it has ended
    error = None
    if form.validate_on_submit():
        start, end = period_from_form(form)
        try:
            draft = signoff.save_draft(current_user, None, form.kind.data, start, end, form.title.data,
                                       form.narrative.data, form.typical_cases.data, form.next_plan.data,
                                       form.reviewer.data, form.signer.data)
        except Invalid as e:
            error = e.message
        else:
            flash(f"已保存报告草稿：{signoff.display_title(draft)}。核对后请送审核。", "success")
            return redirect(url_for("reports.draft", draft_id=draft.id), 303)
    status = 422 if request.method == "POST" else 200
    preview = None
    if not any(form.errors.get(k) for k in ("kind", "ref_date", "start", "end")):
        start, end = period_from_form(form)
        if start and end and start <= end:
            preview = _preview(form.kind.data, start, end)
    return render("reports/new.html", None, status=status, form=form, error=error, preview=preview)


def _preview(kind, start, end):
    stats = service.period_stats(start, end)
    label = service.period_label(kind, start, end)
    return {"label": label, "start": start, "end": end, "stats": stats, "tables": service.all_tables(stats),
            "summary": service.summary_text(stats, label)}


@bp.route("/preview")
@require("reports.generate")
def preview():
    """htmx: the generated numbers for the period chosen in the form."""
    form = ReportForm(request.args, meta={"csrf": False})
    form.set_people([], [])  # only the period's fields matter here
    form.validate()
    errs = {k: v for k, v in form.errors.items() if k in ("kind", "ref_date", "start", "end")}
    if errs:
        msg = "；".join(e for v in errs.values() for e in v)
        return render_template("reports/_preview.html", preview=None, message=msg), 422
    start, end = period_from_form(form)
    return render_template("reports/_preview.html", preview=_preview(form.kind.data, start, end))


def get_report(report_id) -> Report:
    r = Report.get_or_none(Report.id == report_id)
    if r is None:
        abort(404)
    return r


def _may_read(report):
    """The office and the chief; the named reviewer and signer of the report's draft."""
    if can(current_user, "reports.view"):
        return
    draft = signoff.draft_for_report(report)
    if draft is None or not can(current_user, "report.read", draft):
        deny("report", report.id, action="report.read")


@bp.route("/<int:report_id>")
@login_required
def detail(report_id):
    report = get_report(report_id)
    _may_read(report)
    stats = json.loads(report.stats or "{}")
    files = list(ReportFile.select().where(ReportFile.report == report).order_by(ReportFile.id))
    draft = signoff.draft_for_report(report)
    steps = list(draft.steps.order_by(ReportStep.id)) if draft else []
    dispatches = list(ReportDispatch.select().where(ReportDispatch.report == report).order_by(ReportDispatch.id))
    dform = None
    if can(current_user, "reports.generate"):
        from .signoff_views import dispatch_form
        dform = dispatch_form(report)
    return render_template("reports/detail.html", report=report, stats=stats, steps=steps,
                           dispatches=dispatches, dform=dform, draft=draft,
                           tables=service.all_tables(stats) if stats else [], files=files,
                           RECIPIENTS=RECIPIENTS, user_name=service.user_name, author=service.user_name(report.created_by_id),
                           FILE_KINDS=FILE_KINDS)


@bp.route("/<int:report_id>/files/<int:file_id>")
@login_required
def download(report_id, file_id):
    _may_read(get_report(report_id))
    rf = ReportFile.get_or_none((ReportFile.id == file_id) & (ReportFile.report == report_id))
    if rf is None:
        abort(404)
    try:
        data = service.read_file(rf)
    except service.Tampered as e:
        audit.record("report_tampered", "report_file", rf.id, outcome="failed", detail={"reason": str(e)})
        abort(409, f"{e}，已拒绝下载并记入审计日志。请联系系统管理员核查。")
    audit.record("report_download", "report_file", rf.id,
                 detail={"report": report_id, "file": rf.filename, "sha256": rf.sha256})
    return uploads.download(data, rf.filename, rf.kind if rf.kind in uploads.SERVED else "zip")


# ---------------------------------------------------------------- departments' reports
@bp.route("/departments", methods=["GET", "POST"])
@require("reports.view")
def departments():
    form = PeriodForm()
    error = None
    status = 200
    if request.method == "POST":
        if not can(current_user, "reports.generate"):
            deny("report", "", action="reports.generate")
        if form.validate_on_submit():
            try:
                p = service.create_period(current_user, form.code.data.strip(), form.name.data.strip(),
                                          form.start.data, form.end.data, form.due.data)
            except Invalid as e:
                error, status = e.message, 422
            else:
                flash(f"已设定报送周期：{p.name}，报送截止 {p.due_date:%Y-%m-%d}。", "success")
                return redirect(url_for("reports.departments", period=p.code), 303)
        else:
            status = 422
    periods = service.periods()
    choices = service.period_choices()
    code = request.args.get("period") or (periods[0].code if periods else "全程")
    if code not in {c for c, _l in choices}:
        code = "全程"
    current = next((p for p in periods if p.code == code), None)
    rows = service.reporting_status(code, current.due_date if current else None)
    if request.method == "GET" and not form.start.data:
        s, e = service.month_of(clock.today())
        form.code.data, form.name.data = f"{s:%Y-%m}", f"{s.year}年{s.month}月"
        form.start.data, form.end.data, form.due.data = s, e, e + dt.timedelta(days=5)
    missing = [r for r in rows or [] if r["status"] != "submitted"]
    return render("reports/departments.html", "reports/_dept_status.html", status=status, form=form,
                  error=error, choices=choices, code=code, current=current, rows=rows, missing=missing)


register_nav("定期报送", "reports.index", lambda u: can(u, "reports.view"), order=85)


@home_panel(order=25)
def reports_panel(user):
    if not can(user, "reports.generate"):
        return None
    last = Report.select().order_by(Report.created_at.desc(), Report.id.desc()).first()
    today = clock.today()
    due = (ReportingPeriod.select().where(ReportingPeriod.due_date >= today - dt.timedelta(days=31))
           .order_by(ReportingPeriod.due_date).first())
    missing = None
    if due is not None:
        rows = service.reporting_status(due.code, due.due_date)
        missing = sum(1 for r in rows if r["status"] != "submitted")
    return render_template("reports/_home_panel.html", last=last, due=due, missing=missing, today=today,
                           REPORT_KINDS=REPORT_KINDS)
