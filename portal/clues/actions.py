"""State-changing actions on a clue. Success: 303 back to the clue page with a message. Refused or
invalid: the clue page again with the message, status 409 (refused) or 422 (invalid input)."""
from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from .. import audit, problems, uploads
from ..errors import PortalError
from ..htmx import is_htmx, render
from ..models.tip import CLUE_STATUSES, TipFile
from ..permissions import can, deny
from ..tips import service as tips
from . import bp, service
from .forms import AssignForm, ConcludeForm, LinkForm, MessageForm, NoteForm, SubjectForm, VersionForm
from .views import detail_context

DONE = {
    "accepted": "已受理", "assigned": "已交办", "verifying": "已开始核查", "concluded": "已办结",
}


def _me():
    return current_user._get_current_object()


def _back(clue, message):
    flash(message, "success")
    return redirect(url_for("clues.detail", clue_id=clue.id), 303)


def _refused(clue, message, status, **forms):
    ctx = detail_context(service.get_clue_for(current_user, clue.id), error=message, **forms)
    return render("clues/detail.html", status=status, **ctx)


def _form_errors(form) -> str:
    return "；".join(e for errs in form.errors.values() for e in errs) or "提交的内容有误"


@bp.route("/<int:clue_id>/to/<status>", methods=["POST"])
@login_required
def move(clue_id, status):
    clue = service.get_clue_for(current_user, clue_id)
    if status not in CLUE_STATUSES:
        abort(404)
    form_cls = {"assigned": AssignForm, "concluded": ConcludeForm}.get(status, VersionForm)
    form = form_cls()
    if hasattr(form, "handler_id"):
        form.handler_id.choices = form.handler_department_id.choices = []
    if hasattr(form, "person_id"):
        form.person_id.choices = form.leader_id.choices = []
    overrides = {{"assigned": "assign_form", "concluded": "conclude_form"}.get(status, "accept_form"): form}
    if not form.validate_on_submit():
        return _refused(clue, _form_errors(form), 422, **overrides)
    data = {k: v for k, v in form.data.items() if k not in ("csrf_token", "version", "note")}
    try:
        service.transition(clue, status, _me(), expected_version=form.version.data or None,
                           note=form.note.data or "", **data)
    except PortalError as e:
        return _refused(clue, e.message, e.status, **overrides)
    return _back(clue, f"线索 {clue.number} {DONE[status]}。")


@bp.route("/<int:clue_id>/reassign", methods=["POST"])
@login_required
def reassign(clue_id):
    clue = service.get_clue_for(current_user, clue_id)
    form = AssignForm()
    form.handler_id.choices = form.handler_department_id.choices = []
    if not form.validate_on_submit():
        return _refused(clue, _form_errors(form), 422, assign_form=form)
    try:
        service.reassign(clue, _me(), form.version.data, note=form.note.data or "",
                         handler_id=form.handler_id.data, handler_department_id=form.handler_department_id.data,
                         workdays=form.workdays.data, disposal=form.disposal.data or clue.disposal)
    except PortalError as e:
        return _refused(clue, e.message, e.status, assign_form=form)
    return _back(clue, f"线索 {clue.number} 已改派。")


@bp.route("/<int:clue_id>/subject", methods=["POST"])
@login_required
def subject(clue_id):
    clue = service.get_clue_for(current_user, clue_id)
    form = SubjectForm()
    form.user_id.choices = []
    if not form.validate_on_submit() or not form.user_id.data:
        return _refused(clue, "请选择被反映人", 422)
    try:
        new = service.set_subject(clue, _me(), form.version.data, form.user_id.data)
    except PortalError as e:
        return _refused(clue, e.message, e.status)
    if new.escalated:
        flash(f"线索 {clue.number} 反映对象须报上级机关处置，已从本单位线索台账中移出。", "warning")
        return redirect(url_for("clues.escalated"), 303)
    if new.subject_user_id == current_user.id:  # pragma: no cover - guarded by the page
        return redirect(url_for("clues.index"), 303)
    return _back(clue, "已认定被反映人。")


@bp.route("/<int:clue_id>/message", methods=["POST"])
@login_required
def message(clue_id):
    clue = service.get_clue_for(current_user, clue_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return _refused(clue, _form_errors(form), 422, message_form=form)
    try:
        files = uploads.check_files(request.files.getlist(form.files.name))
    except uploads.UploadError as e:
        form.files.errors = [str(e) + "。请重新选择文件，答复内容已保留。"]
        return _refused(clue, form.files.errors[0], 422, message_form=form)
    try:
        service.message_reporter(clue, _me(), form.text.data, files)
    except PortalError as e:
        return _refused(clue, e.message, e.status, message_form=form)
    return _back(clue, "答复已发送，举报人凭查询码可以看到。")


@bp.route("/<int:clue_id>/note", methods=["POST"])
@login_required
def note(clue_id):
    clue = service.get_clue_for(current_user, clue_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _refused(clue, _form_errors(form), 422, note_form=form)
    try:
        service.add_note(clue, _me(), form.note.data)
    except PortalError as e:
        return _refused(clue, e.message, e.status, note_form=form)
    return _back(clue, "办理情况已记录。")


@bp.route("/<int:clue_id>/link", methods=["POST"])
@login_required
def link(clue_id):
    clue = service.get_clue_for(current_user, clue_id)
    form = LinkForm()
    if not form.validate_on_submit():
        return _refused(clue, _form_errors(form), 422, link_form=form)
    try:
        service.link_existing(clue, _me(), form.problem_id.data, form.role.data)
    except PortalError as e:
        return _refused(clue, e.message, e.status, link_form=form)
    return _back(clue, "已关联台账问题。")


@bp.route("/<int:clue_id>/retention", methods=["POST"])
@login_required
def retention_change(clue_id):
    """The office sets how long this tip's content is kept (default TIPS_RETENTION_DAYS after closing)."""
    from ..tips import retention
    from .forms import RetentionForm
    clue = service.get_clue_for(current_user, clue_id)
    if not service.can_manage(current_user, clue) or clue.tip.purge_on is None:
        audit.record("access_denied", "clue", clue.id, outcome="denied")
        abort(403)
    form = RetentionForm()
    if not form.validate_on_submit():
        return _refused(clue, _form_errors(form), 422)
    try:
        day = retention.change(clue.tip, form.purge_on.data, _me(), clue.id)
    except ValueError as e:
        return _refused(clue, str(e), 422)
    return _back(clue, f"保存期限已调整为 {day.isoformat()}。")


@bp.route("/<int:clue_id>/files/<ref>")
@login_required
def file(clue_id, ref):
    clue = service.get_clue_for(current_user, clue_id)
    if not can(current_user, "clues.files", clue):
        deny("clue_file", ref, status=404)
    tf = TipFile.get_or_none((TipFile.ref == ref) & (TipFile.tip == clue.tip_id))
    if tf is None:
        abort(404)
    data = tips.file_bytes(tf)
    audit.record("clue_file_download", "clue", clue.id, detail={"file": tf.id})
    return tips_download(data, tips.file_name(tf), tf.kind)


def tips_download(data, name, kind):
    from ..uploads import download
    resp = download(data, name, kind)
    resp.headers["Cache-Control"] = "no-store"
    return resp
