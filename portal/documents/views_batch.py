"""Batch printing of self-check reports (background jobs), a single person's report, the seal image."""
import json

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import audit, uploads
from ..errors import PortalError
from ..htmx import is_htmx, redirect_to, render
from ..models import Department, PrintJob, SealImage, User
from ..nav import home_panel, register_nav
from ..permissions import can, found_or_404, print_departments, require, scope_expr, scope_print_jobs
from . import batch, bp, service
from .forms import BatchForm, SealForm

register_nav("印章管理", "documents.seal", lambda u: can(u, "documents.seal"), order=95)


def _batch_form(user):
    form = BatchForm()
    allowed = print_departments(user)
    depts = Department.select().where(Department.is_active == True)  # noqa: E712
    if allowed is not None:
        depts = depts.where(Department.id.in_(sorted(allowed) or [0]))
    choices = [] if allowed is not None else [("", "全局（所有部门）")]
    choices += [(str(d.id), d.name) for d in depts.order_by(Department.sort_order, Department.id)]
    form.department.choices = choices
    return form


def _get_job(job_id) -> PrintJob:
    job = PrintJob.select().where((PrintJob.id == job_id) & scope_print_jobs(current_user)).first()
    return batch.refresh(found_or_404(job, PrintJob, job_id, "print_job"))


@bp.route("/batch", methods=["GET", "POST"])
@require("documents.batch")
def batch_index():
    form = _batch_form(current_user)
    message = None
    status = 200
    if form.validate_on_submit():
        dept = int(form.department.data) if (form.department.data or "").isdigit() else None
        try:
            job = batch.start(current_user._get_current_object(), dept)
        except PortalError as e:
            if e.status in (403, 404):
                abort(e.status)
            message, status = e.message, e.status
        else:
            return redirect_to(url_for("documents.batch_job", job_id=job.id), 302)
    elif request.method == "POST":
        message, status = "请选择范围", 422
    batch.expire_jobs()
    jobs = list(PrintJob.select().where(scope_print_jobs(current_user))
                .order_by(PrintJob.id.desc()).limit(20))
    return render("documents/ui/batch.html", None, status, form=form, jobs=jobs, message=message,
                  scope_label=batch.scope_label)


@bp.route("/batch/<int:job_id>")
@login_required
def batch_job(job_id):
    job = _get_job(job_id)
    return render("documents/ui/batch_job.html", "documents/ui/_job.html", job=job,
                  scope_label=batch.scope_label, note=batch.waiting_note(job))


@bp.route("/batch/<int:job_id>/progress")
@login_required
def batch_progress(job_id):
    job = _get_job(job_id)
    return render_template("documents/ui/_job.html", job=job, scope_label=batch.scope_label, note=batch.waiting_note(job))


@bp.route("/batch/<int:job_id>/cancel", methods=["POST"])
@login_required
def batch_cancel(job_id):
    job = _get_job(job_id)
    try:
        job = batch.cancel(current_user._get_current_object(), job)
    except PortalError as e:
        return render_template("documents/ui/_job.html", job=job, scope_label=batch.scope_label, note=batch.waiting_note(job),
                               message=e.message), e.status
    if is_htmx():
        return render_template("documents/ui/_job.html", job=job, scope_label=batch.scope_label, note=batch.waiting_note(job))
    return redirect(url_for("documents.batch_job", job_id=job.id))


@bp.route("/batch/<int:job_id>/download")
@login_required
def batch_download(job_id):
    job = _get_job(job_id)
    data = batch.result_bytes(job)  # expired, unfinished or altered: the error handler answers
    audit.record("print_batch_download", "print_job", job.id, detail={"sha256": job.result_sha256})
    return uploads.download(data, f"个人对照检查材料-{batch.scope_label(job)}-{job.id}.pdf", "pdf")


@bp.route("/selfcheck/<int:version_id>.pdf")
@login_required
def selfcheck_pdf(version_id):
    """One person's submitted self-check as 个人对照检查材料: the person, whoever oversees their department."""
    from ..models.selfcheck import SelfCheck, SelfCheckVersion
    from ..gongwen.render import MissingGlyph
    from ..pdfs import render_pdf
    v = (SelfCheckVersion.select(SelfCheckVersion).join(SelfCheck).join(User, on=(SelfCheck.user == User.id))
         .where((SelfCheckVersion.id == version_id) & scope_expr(current_user, User.department, User.id))
         .first())
    found_or_404(v, SelfCheckVersion, version_id, "selfcheck_version")
    from . import adapters
    doc = adapters.selfcheck_to_doc(json.loads(v.content))
    try:
        data = render_pdf("self-check-report", doc, adapters.fonts_dir())
    except MissingGlyph as e:
        abort(422, str(e))
    audit.record("selfcheck_print", "selfcheck_version", v.id)
    return uploads.download(data, f"个人对照检查材料-{doc.get('person') or v.id}.pdf", "pdf")


# ---------------------------------------------------------------- seal (security administrator)
@bp.route("/seal", methods=["GET", "POST"])
@require("documents.seal")
def seal():
    form = SealForm()
    message, status = None, 200
    if form.validate_on_submit():
        f = request.files.get("image")
        if not f or not f.filename:
            message, status = "请选择印章图片文件", 422
        else:
            try:
                _name, _kind, data = uploads.check_file(f, kinds=("png",), max_bytes=service.SEAL_MAX_BYTES,
                                                        strip=False)
                service.save_seal(data, current_user._get_current_object())
            except uploads.UploadError as e:
                audit.record("seal_upload", "seal", "", outcome="refused", detail=str(e))
                message, status = str(e), 422
            except PortalError as e:
                audit.record("seal_upload", "seal", "", outcome="refused", detail=e.message)
                message, status = e.message, 422
            else:
                return redirect(url_for("documents.seal"))
    elif request.method == "POST":
        message, status = "页面已过期，请刷新后重试。", 400
    seals = list(SealImage.select().order_by(SealImage.id.desc()).limit(10))
    return render("documents/ui/seal.html", None, status, form=form, seals=seals, message=message,
                  active=service.active_seal())


@bp.route("/seal/<int:seal_id>.png")
@require("documents.seal_image")
def seal_image(seal_id):
    s = SealImage.get_or_none(SealImage.id == seal_id)
    if s is None:
        abort(404)
    try:
        data = uploads.load(s.key)
    except (OSError, uploads.UploadError):
        abort(404, "印章图片文件缺失，请重新上传。")
    return uploads.download(data, f"seal-{s.id}.png", "png")


@bp.route("/department-report/<int:report_id>.pdf")
@login_required
def department_report_pdf(report_id):
    """A department's 单位自查自纠情况报告 as a PDF: its head, its leader, the discipline office."""
    from ..models.selfcheck import DepartmentReport
    from . import adapters
    from ..gongwen.render import MissingGlyph
    from ..pdfs import render_pdf
    rep = (DepartmentReport.select().where((DepartmentReport.id == report_id)
                                           & scope_expr(current_user, DepartmentReport.department)).first())
    found_or_404(rep, DepartmentReport, report_id, "department_report")
    doc = adapters.department_report_row_to_doc(rep)
    try:
        data = render_pdf("department-report", doc, adapters.fonts_dir())
    except MissingGlyph as e:
        abort(422, str(e))
    audit.record("department_report_print", "department_report", rep.id)
    return uploads.download(data, f"{rep.department.name}自查自纠情况报告.pdf", "pdf")


@home_panel(order=45)
def batch_panel(user):
    """Heads (and the discipline office) print their scope's self-check reports from the home page."""
    if not can(user, "documents.batch"):
        return None
    dept = None if print_departments(user) is None else user.department_id
    count = batch.versions_query(dept, user).count()
    running = (PrintJob.select().where((PrintJob.requested_by == user.id)
                                       & PrintJob.status.in_(("queued", "running"))).count())
    return render_template("documents/ui/_batch_panel.html", count=count, running=running,
                           scope="全局" if dept is None else user.department.name)
