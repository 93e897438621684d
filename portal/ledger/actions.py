"""Row actions (htmx): each answers the row (`_row.html`) plus out-of-band counters, or — when refused —
a 409/422 with the reason in the row and the person's input kept. Without htmx the same endpoints
redirect back to the detail page with a message."""
from urllib.parse import urlparse

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from .. import clock, uploads
from ..errors import Invalid, PortalError, Refused, VersionConflict
from ..htmx import current_url, is_htmx, oob, render, toast as toast_
from ..models import SEVERITIES, STATUSES, Problem
from ..models.ledger import ACTION_KINDS, DeadlineExtension
from ..permissions import can, require
from . import bp, queries, rows, service, table, workflow
from .forms import parse_action, parse_edit, parse_extension, parse_filters, read_version
from .views import list_context

MODES = ("edit", "start", "rectify", "close", "return", "action", "extend", "decide", "confirm")


def _current_filters():
    """The ledger filter of the page the request came from (HX-Current-URL), for the counters."""
    parsed = urlparse(current_url())
    if not parsed.path.rstrip("/").endswith("/ledger"):
        return None
    from urllib.parse import parse_qs
    return parse_filters({k: v[0] for k, v in parse_qs(parsed.query).items()})


def _seq():
    try:
        return int(request.values.get("seq", 0))
    except ValueError:
        return 0


def _row(p, status=200, error=None, toast=None):
    table.decorate([p])
    rows.attach_ops([p], current_user)
    resp = make_response(render_template(
        "ledger/_row.html", p=p, seq=_seq(), error=error, STATUSES=STATUSES, today=clock.today(),
        office=can(current_user, "ledger.office"), actor=can(current_user, "ledger.operate")),
        status)
    f = _current_filters()
    if f is not None and status == 200:
        oob(resp, "ledger/_counters.html", f=f, counts=queries.status_counts(current_user, f), STATUSES=STATUSES)
    return toast_(resp, toast) if toast else resp


def _editor(p, mode, status=200, errors=None, values=None, message=None, conflict=None):
    table.decorate([p])
    ext = None
    if mode == "decide":
        ext = DeadlineExtension.select().where((DeadlineExtension.problem == p.id)
                                               & (DeadlineExtension.status == "pending")).first()
    html = render_template("ledger/_row_edit.html", p=p, mode=mode, seq=_seq(), errors=errors or {},
                           values=values or {}, message=message, conflict=conflict, ext=ext,
                           SEVERITIES=SEVERITIES, ACTION_KINDS=ACTION_KINDS, STATUSES=STATUSES,
                           today=clock.today(), version=(conflict or p).version)
    return make_response(html, status)


def _done(p, toast):
    if is_htmx():
        return _row(p, toast=toast)
    flash(toast, "success")
    return redirect(url_for("ledger.detail", problem_id=p.id))


def _failed(p, mode, e, values):
    """A refused or conflicting save (409): a refusal in the row, anything else in the row's editor with
    the input kept; a version conflict shows the current state beside it."""
    if isinstance(e, VersionConflict):
        current = e.current
        table.decorate([current])
        if is_htmx():
            return _editor(current, mode, e.status, values=values, message=e.message, conflict=current)
        flash(e.message, "error")
        return redirect(url_for("ledger.detail", problem_id=p.id))
    if is_htmx():
        if isinstance(e, Refused):
            return _row(Problem.get_by_id(p.id), e.status, error=e.message)
        return _editor(p, mode, e.status, values=values, message=e.message)
    flash(e.message, "error")
    return redirect(url_for("ledger.detail", problem_id=p.id))


@bp.route("/<int:problem_id>/row")
@require("ledger.view")
def row(problem_id):
    return _row(service.get_problem_for(current_user, problem_id))


@bp.route("/<int:problem_id>/row/<mode>")
@require("ledger.view")
def row_form(problem_id, mode):
    p = service.get_problem_for(current_user, problem_id)
    if mode not in MODES:
        return _row(p, 409, error="未知的操作。")
    return _editor(p, mode)


@bp.route("/<int:problem_id>/status", methods=["POST"])
@require("ledger.view")
def status(problem_id):
    p = service.get_problem_for(current_user, problem_id)
    to = request.form.get("to", "")
    note = (request.form.get("note") or "").strip()[:2000]
    mode = request.form.get("mode") or "start"
    version = read_version(request.form)
    if version is None:
        return _editor(p, mode, 422, values=request.form, message="缺少版本信息，请刷新后重试。")
    try:
        new = service.change_status(p, to, current_user, version, note,
                                    request.files.getlist("evidence"))
    except uploads.UploadError as e:
        if not is_htmx():
            flash(e.message, "error")
            return redirect(url_for("ledger.detail", problem_id=p.id))
        return _editor(p, mode, e.status, values=request.form, message=e.message, errors={"evidence": e.message})
    except PortalError as e:
        return _failed(p, mode, e, request.form)
    return _done(new, f"#{new.id} 已变更为“{new.status_label}”")


@bp.route("/<int:problem_id>/edit", methods=["POST"])
@require("ledger.view")
def edit(problem_id):
    p = service.get_problem_for(current_user, problem_id)
    office = can(current_user, "problem.act", p)
    values, errors = parse_edit(request.form, office)
    version = read_version(request.form)
    if errors or version is None:
        return _editor(p, "edit", 422, errors=errors, values=request.form,
                       message="请按提示修改标出的内容。" if errors else "缺少版本信息，请刷新后重试。")
    try:
        new = service.edit(p, current_user, version, values)
    except PortalError as e:
        return _failed(p, "edit", e, request.form)
    return _done(new, f"#{new.id} 已保存")


@bp.route("/<int:problem_id>/action", methods=["POST"])
@require("ledger.view")
def action(problem_id):
    p = service.get_problem_for(current_user, problem_id)
    (kind, date, note), errors = parse_action(request.form)
    if errors:
        return _editor(p, "action", 422, errors=errors, values=request.form, message="请按提示修改标出的内容。")
    try:
        service.record_action(p, current_user, kind, date, note)
    except PortalError as e:
        return _failed(p, "action", e, request.form)
    return _done(Problem.get_by_id(p.id), f"已为 #{p.id} 记录{ACTION_KINDS[kind]}")


@bp.route("/<int:problem_id>/extension", methods=["POST"])
@require("ledger.view")
def extension(problem_id):
    p = service.get_problem_for(current_user, problem_id)
    (new_deadline, reason), errors = parse_extension(request.form, clock.today(), p.deadline)
    if errors:
        return _editor(p, "extend", 422, errors=errors, values=request.form, message="请按提示修改标出的内容。")
    try:
        service.request_extension(p, current_user, new_deadline, reason)
    except PortalError as e:
        return _failed(p, "extend", e, request.form)
    return _done(Problem.get_by_id(p.id), f"#{p.id} 的延期申请已提交，待领导小组办公室审批")


@bp.route("/<int:problem_id>/extension/decide", methods=["POST"])
@require("ledger.view")
def extension_decide(problem_id):
    p = service.get_problem_for(current_user, problem_id)
    version = read_version(request.form)
    approve = request.form.get("decision") == "approve"
    note = (request.form.get("note") or "").strip()[:1000]
    if version is None or request.form.get("decision") not in ("approve", "reject"):
        return _editor(p, "decide", 422, values=request.form, message="请选择批准或不批准。")
    try:
        new = service.decide_extension(p, current_user, version, approve, note)
    except PortalError as e:
        return _failed(p, "decide", e, request.form)
    return _done(new, f"#{p.id} 的延期申请{'已批准' if approve else '未获批准'}")


@bp.route("/<int:problem_id>/evidence", methods=["POST"])
@require("ledger.view")
def upload_evidence(problem_id):
    p = service.get_problem_for(current_user, problem_id)
    try:
        service.add_evidence(p, current_user, request.files.getlist("evidence"))
    except PortalError as e:
        flash(e.message, "error")
    else:
        flash("整改佐证材料已上传。", "success")
    return redirect(url_for("ledger.detail", problem_id=p.id))


@bp.route("/<int:problem_id>/progress", methods=["POST"])
@require("ledger.view")
def progress(problem_id):
    """整改进展: a dated note, optionally with evidence files, by whoever works the item."""
    p = service.get_problem_for(current_user, problem_id)
    note = (request.form.get("note") or "").strip()
    version = read_version(request.form)
    try:
        if not can(current_user, "problem.rectify", p):
            service.refuse(p, current_user, "只有责任人、责任科室负责人或领导小组办公室可以填写整改进展。")
        if p.status not in ("pending", "in_progress"):
            service.refuse(p, current_user, f"“{p.status_label}”的事项不再填写整改进展。")
        if not 4 <= len(note) <= 2000:
            raise Invalid("请填写整改进展（4–2000 字）。", status=422)
        if version is None:
            raise Invalid("缺少版本信息，请刷新后重试。", status=422)
        files = request.files.getlist("evidence")
        if any(f and f.filename for f in files):
            service.add_evidence(p, current_user, files)
        workflow.add_progress(p, current_user, version, note)
    except PortalError as e:  # the page again, the note kept
        from .views import render_detail
        return render_detail(Problem.get_by_id(p.id), e.status if 400 <= e.status < 500 else 422,
                             progress_note=note[:2000], progress_error=e.message)
    flash("整改进展已记录。", "success")
    return redirect(url_for("ledger.detail", problem_id=p.id), 303)


@bp.route("/<int:problem_id>/confirm", methods=["POST"])
@require("ledger.view")
def confirm(problem_id):
    """The head confirms the person's 已整改 report and passes it to the office."""
    p = service.get_problem_for(current_user, problem_id)
    version = read_version(request.form)
    note = (request.form.get("note") or "").strip()[:2000]
    try:
        if not can(current_user, "problem.confirm", p):
            service.refuse(p, current_user, "该操作应由责任科室负责人办理，您无权执行。")
        if p.status != "rectified" or p.review_stage != "head":
            service.refuse(p, current_user, "该事项不在待科室负责人确认环节。")
        if version is None:
            raise Invalid("缺少版本信息，请刷新后重试。", status=422)
        new = workflow.confirm(p, current_user, version, note)
    except PortalError as e:
        return _failed(p, "confirm", e, request.form)
    return _done(new, f"#{new.id} 已确认整改，转机关纪委验收")


@bp.route("/bulk", methods=["POST"])
@require("ledger.view")
def bulk():
    op = request.form.get("op", "")
    ids = []
    for raw in request.form.getlist("ids"):
        try:
            ids.append(int(raw))
        except ValueError:
            pass
    f = parse_filters(request.form)  # the filter travels with the bulk form (hidden fields)
    if not ids:
        message, kind, done, failed = "请先勾选要处理的条目。", "error", 0, []
    elif op not in service.BULK_OPS:
        message, kind, done, failed = "请选择批量操作。", "error", 0, []
    else:
        done, failed = service.bulk(current_user, op, ids, request.form)
        label = service.BULK_OPS[op]
        message = f"{label}：成功 {done} 条" + (f"，未处理 {len(failed)} 条" if failed else "") + "。"
        kind = "success" if done and not failed else ("warning" if done else "error")
    if not is_htmx():
        flash(message + ("；".join(failed[:10]) if failed else ""), kind)
        return redirect(url_for("ledger.index", **f.args()))
    ctx = list_context(current_user, f)
    ctx.update(bulk_message=message, bulk_failed=failed, bulk_kind=kind)
    return render("ledger/_results.html", **ctx)
