"""督办通知单, the patterns page (多发频发 and 普遍性共性) with their one-click actions, a mechanism's effect,
and the 督办 records as .xlsx."""
from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from .. import audit
from ..errors import PortalError
from ..htmx import hx_redirect, is_htmx
from ..models import Problem
from ..models.ledger import Mechanism
from ..params import int_list, to_id
from ..permissions import can, found_or_404, require, scope_problems
from . import bp, drafting, export, notice, patterns
from .views import _finish


def _go(url):
    return hx_redirect(url) if is_htmx() else redirect(url, 303)


def _visible_ids(ids):
    return [p.id for p in Problem.select(Problem.id).where(Problem.id.in_(ids or [0]) & scope_problems(current_user))]


@bp.post("/notice")
@require("supervision.notice")
def make_notice():
    ids = _visible_ids(int_list(request.form.getlist("ids")))
    try:
        doc = notice.create(current_user, ids)
    except PortalError as e:
        return _finish(e.message, "error")
    flash("督办通知单草稿已生成，请核对后印发。", "success")
    return _go(url_for("documents.edit", doc_id=doc.id))


@bp.get("/patterns")
@require("supervision.view")
def patterns_page():
    return render_template("supervision/patterns.html", frequent=patterns.frequent(current_user),
                           common=patterns.common(current_user), ANSWERS=patterns.ANSWERS,
                           may_draft=can(current_user, "documents.write"),
                           may_mechanism=can(current_user, "ledger.mechanism"))


@bp.post("/patterns/draft")
@require("documents.write")
def pattern_draft():
    ids = _visible_ids(int_list(request.form.getlist("ids")))
    try:
        doc = drafting.draft(current_user, request.form.get("answer", ""), ids)
    except PortalError as e:
        return _finish(e.message, "error", url_for("supervision.patterns_page"))
    flash(f"已起草{doc.kind_label}，请核对后印发。", "success")
    return _go(url_for("documents.edit", doc_id=doc.id))


@bp.post("/patterns/mechanism")
@require("ledger.mechanism")
def pattern_mechanism():
    try:
        m = patterns.start_mechanism(current_user, to_id(request.form.get("item")) or 0, request.form.get("title", ""))
    except PortalError as e:
        return _finish(e.message, "error", url_for("supervision.patterns_page"))
    return _finish(f"已建立长效机制并关联该项问题 {len(list(m.problems))} 个。",
                   to=url_for("supervision.mechanism", mechanism_id=m.id))


@bp.get("/mechanisms/<int:mechanism_id>")
@require("supervision.view")
def mechanism(mechanism_id):
    m = found_or_404(Mechanism.get_or_none(Mechanism.id == mechanism_id), Mechanism, mechanism_id, "mechanism")
    return render_template("supervision/mechanism.html", m=m, effect=patterns.effect(m),
                           linked=Problem.select().join(patterns.MechanismProblem)
                           .where((patterns.MechanismProblem.mechanism == m.id) & scope_problems(current_user)).count())


@bp.get("/export.xlsx")
@require("supervision.view")
def export_xlsx():
    data = export.workbook(current_user)
    audit.record("supervision_export", "page", "supervision", actor=current_user)
    resp = make_response(data)
    resp.headers["Content-Type"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    resp.headers["Content-Disposition"] = "attachment; filename*=UTF-8''%E7%9D%A3%E5%8A%9E%E8%AE%B0%E5%BD%95.xlsx"
    return resp
