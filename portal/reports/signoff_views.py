"""Sign-off pages: a draft (edit, send to review, approve / return, sign, number), the 待审核 / 待签发 queue on
the signer's home page, the preview PDF and the register of everything sent (报送登记)."""
import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import clock, uploads
from ..errors import Conflict, Invalid, Refused, shown_in
from ..models import JobRun
from ..models.report import DISPATCH_METHODS, Report, ReportDispatch, ReportDraft, ReportStep
from ..nav import home_panel
from ..paging import paginate
from ..permissions import can, deny, require
from . import bp, service, signoff
from .forms import DecideForm, DispatchForm, NumberForm, ReportForm
from .recipients import recipient_names


def _draft(draft_id) -> ReportDraft:
    d = ReportDraft.get_or_none(ReportDraft.id == draft_id)
    if d is None or not can(current_user, "report.read", d):
        deny("report_draft", draft_id, status=404 if d is None else 403, action="report.read")
    return d


def _edit_form(d, formdata=None):
    form = ReportForm(formdata=formdata) if formdata is not None else ReportForm(obj=None)
    form.set_people(signoff.reviewers(), signoff.signers())
    if formdata is None:
        form.kind.data = d.kind
        form.ref_date.data = d.period_start
        form.start.data, form.end.data = d.period_start, d.period_end
        form.title.data, form.narrative.data = d.title, d.narrative
        form.typical_cases.data, form.next_plan.data = d.typical_cases, d.next_plan
        form.reviewer.data, form.signer.data = str(d.reviewer_id or ""), str(d.signer_id or "")
    return form


def _context(d, **over):
    stats = service.period_stats(d.period_start, d.period_end)
    label = service.period_label(d.kind, d.period_start, d.period_end)
    run = JobRun.get_or_none(JobRun.id == int(d.job_id)) if d.job_id else None
    ctx = {"d": d, "steps": list(d.steps.order_by(ReportStep.id)), "stats": stats,
           "tables": service.all_tables(stats), "summary": service.summary_text(stats, label),
           "title": signoff.display_title(d), "run": run,
           "form": _edit_form(d) if d.status == "draft" and can(current_user, "reports.generate") else None,
           "decide": DecideForm() if can(current_user, "report.decide", d) else None,
           "numbering": None}
    if d.status == "signed" and can(current_user, "reports.generate"):
        nf = NumberForm(formdata=None)
        nf.number.data = service.next_number(clock.today().year)
        nf.signature.data = service.organ_name()
        ctx["numbering"] = nf
    ctx.update(over)
    return ctx


@bp.route("/drafts/<int:draft_id>", methods=["GET", "POST"])
@login_required
def draft(draft_id):
    d = _draft(draft_id)
    if request.method == "POST":  # the office edits its draft
        if not can(current_user, "reports.generate"):
            deny("report_draft", d.id, action="reports.generate")
        form = _edit_form(d, request.form)
        error = None
        if form.validate():
            from .views import period_from_form
            start, end = period_from_form(form)
            try:
                signoff.save_draft(current_user, d, form.kind.data, start, end, form.title.data,
                                   form.narrative.data, form.typical_cases.data, form.next_plan.data,
                                   form.reviewer.data, form.signer.data)
            except (Invalid, Conflict) as e:
                error = e.message
            else:
                flash("草稿已保存。", "success")
                return redirect(url_for("reports.draft", draft_id=d.id), 303)
        return render_template("reports/draft.html", **_context(d, form=form, error=error or "请按提示修改。")), 422
    return render_template("reports/draft.html", **_context(d))


@bp.route("/drafts/<int:draft_id>/submit", methods=["POST"])
@require("reports.generate")
def submit(draft_id):
    d = _draft(draft_id)
    shown_in("reports/draft.html", context=lambda e: _context(d))
    signoff.submit(current_user, d)
    flash(f"已送{d.reviewer.real_name}审核。", "success")
    return redirect(url_for("reports.draft", draft_id=d.id), 303)


@bp.route("/drafts/<int:draft_id>/decide", methods=["POST"])
@login_required
def decide(draft_id):
    d = _draft(draft_id)
    if not can(current_user, "report.decide", d):
        deny("report_draft", d.id, action="report.decide")
    form = DecideForm()
    approve = request.form.get("decision") == "approve"
    shown_in("reports/draft.html", context=lambda e: _context(d, decide=form))
    if not form.validate_on_submit():
        raise Invalid("；".join(m for v in form.errors.values() for m in v) or "请重新提交。")
    step = d.status
    signoff.decide(current_user, d, approve, form.comment.data)
    if not approve:
        flash("已退回拟稿人。", "success")
    else:
        flash("已签发。" if step == "signing" else "审核通过，已送局长签发。", "success")
    return redirect(url_for("main.home") if request.form.get("back") == "home"
                    else url_for("reports.draft", draft_id=d.id), 303)


@bp.route("/drafts/<int:draft_id>/number", methods=["POST"])
@require("reports.generate")
def number(draft_id):
    d = _draft(draft_id)
    form = NumberForm()
    shown_in("reports/draft.html", context=lambda e: _context(d, numbering=form))
    if not form.validate_on_submit():
        raise Invalid("；".join(m for v in form.errors.values() for m in v))
    signoff.number(current_user, d, form.number.data, form.signature.data)
    d = ReportDraft.get_by_id(d.id)
    if d.report_id:
        flash(f"已编号归档：{form.number.data.strip()}。", "success")
        return redirect(url_for("reports.detail", report_id=d.report_id), 303)
    flash("正在生成报告文件，请稍候刷新本页。", "info")
    return redirect(url_for("reports.draft", draft_id=d.id), 303)


@bp.route("/drafts/<int:draft_id>/preview.pdf")
@login_required
def draft_pdf(draft_id):
    """The draft as it will print (no number yet), for the reviewer and the signer."""
    from ..gongwen.render import MissingGlyph
    from ..pdfs import render_pdf
    from .numbers import doc_for
    d = _draft(draft_id)
    stats = service.period_stats(d.period_start, d.period_end)
    organ = service.organ_name()
    fields = {"label": service.period_label(d.kind, d.period_start, d.period_end), "organ": organ,
              "number": "", "signer": d.signer.real_name if d.signer_id else "", "title": signoff.display_title(d),
              "narrative": d.narrative, "signature": organ, "date": clock.today(),
              "typical_cases": d.typical_cases, "next_plan": d.next_plan}
    try:
        data = render_pdf("report", doc_for(fields, stats, recipient_names()[0]))
    except MissingGlyph as e:
        raise Invalid(str(e))
    return uploads.download(data, f"{fields['title']}（送审稿）.pdf", "pdf")


# ---------------------------------------------------------------- 报送登记
def dispatch_form(report, formdata=None):
    form = DispatchForm(formdata=formdata) if formdata is not None else DispatchForm(formdata=None)
    form.recipient.choices = [("", "请选择")] + [(n, n) for n in recipient_names()]
    form.method.choices = list(DISPATCH_METHODS.items())
    if formdata is None:
        form.sent_on.data = clock.today()
        form.number.data = report.number
        form.method.data = "system"
    return form


@bp.route("/<int:report_id>/dispatch", methods=["POST"])
@require("reports.generate")
def dispatch(report_id):
    report = Report.get_or_none(Report.id == report_id)
    if report is None:
        deny("report", report_id, status=404)
    form = dispatch_form(report, request.form)
    if not form.validate():
        raise Invalid("；".join(m for v in form.errors.values() for m in v))
    signoff.dispatch(current_user, report, form.recipient.data, form.sent_on.data, form.method.data,
                     form.number.data, form.note.data)
    flash(f"已登记报送{form.recipient.data}。", "success")
    return redirect(url_for("reports.detail", report_id=report.id), 303)


@bp.route("/register")
@require("reports.view")
def register():
    q = (ReportDispatch.select(ReportDispatch, Report).join(Report)
         .order_by(ReportDispatch.sent_on.desc(), ReportDispatch.id.desc()))
    page = paginate(q, request.args.get("page"))
    return render_template("reports/register.html", page=page, user_name=service.user_name)


@bp.route("/drafts")
@login_required
def drafts():
    q = ReportDraft.select().order_by(ReportDraft.updated_at.desc(), ReportDraft.id.desc())
    if not can(current_user, "report.read"):
        q = q.where((ReportDraft.reviewer == current_user.id) | (ReportDraft.signer == current_user.id))
    return render_template("reports/drafts.html", drafts=list(q.limit(200)), title_of=signoff.display_title)


@home_panel(order=5)
def signoff_queue(user):
    items = signoff.queue_for(user)
    if not items:
        return None
    return render_template("reports/_queue_panel.html", items=items, title_of=signoff.display_title,
                           form=DecideForm())


_ = (dt, Refused)
