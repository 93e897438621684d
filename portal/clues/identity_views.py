"""Pages of the identity access procedure (identity.py): asking on a clue, seeing the identity once
approved, the custodian's queue, and the auditor's list."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import audit
from ..htmx import is_htmx, render
from ..models.tip import Clue, IdentityRequest, Tip
from ..permissions import can, found_or_404
from . import bp, identity
from ..errors import PortalError as ClueError
from .access import scope_clues, scope_escalated
from .forms import IdentityDecisionForm, IdentityRequestForm


def _me():
    return current_user._get_current_object()


def _clue(clue_id) -> Clue:
    """A clue the user may open, in the local ledger or among those reserved for the higher body."""
    scope = scope_clues(current_user) | scope_escalated(current_user)
    clue = Clue.select(Clue, Tip).join(Tip).where((Clue.id == clue_id) & scope).first()
    return found_or_404(clue, Clue, clue_id, "clue")


def _back(clue):
    return redirect(url_for("clues.escalated_detail" if clue.escalated else "clues.detail", clue_id=clue.id), 303)


def box_context(clue, user) -> dict:
    """What the identity box on a clue page shows to `user`."""
    return {"id_can": can(user, "clues.identity_request", clue), "id_open": identity.open_request(clue, user),
            "id_latest": identity.latest(clue, user), "identity_form": IdentityRequestForm(formdata=None)}


@bp.route("/<int:clue_id>/identity")
@login_required
def identity_view(clue_id):
    """The reporter's identity (htmx fragment or page): an approved request of this person, audited."""
    clue = _clue(clue_id)
    try:
        reporter, req = identity.reveal(clue, _me())
    except identity.Refused as e:
        abort(403, e.message)
    html = render_template("clues/_identity.html", clue=clue, reporter=reporter, named=clue.tip.named, req=req)
    if is_htmx():
        return html
    resp = render("clues/identity_page.html", clue=clue, identity_html=html)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.route("/<int:clue_id>/identity/request", methods=["POST"])
@login_required
def identity_request(clue_id):
    clue = _clue(clue_id)
    form = IdentityRequestForm()
    if not form.validate_on_submit():
        flash("；".join(e for errs in form.errors.values() for e in errs) or "提交的内容有误", "error")
        return _back(clue)
    try:
        identity.request_access(clue, _me(), form.reason.data)
    except ClueError as e:
        if e.status_code == 403:
            abort(403, e.message)
        flash(e.message, "error")
        return _back(clue)
    flash("申请已提交，等待身份保管人审批。审批结果会通知您。", "success")
    return _back(clue)


def _queue(error=None, forms=None, status=200):
    pending = list(identity.pending())
    decided = list(IdentityRequest.select(IdentityRequest, Clue).join(Clue)
                   .where(IdentityRequest.status != "pending").order_by(IdentityRequest.decided_at.desc()).limit(30))
    forms = forms or {}
    return render("clues/identity_requests.html", pending=pending, decided=decided, error=error, status=status,
                  forms={r.id: forms.get(r.id) or IdentityDecisionForm(formdata=None) for r in pending},
                  can_decide=lambda r: can(current_user, "clues.identity_decide", r))


def _require(action):
    if not can(current_user, action):
        audit.record("access_denied", "identity_request", action, outcome="denied")
        abort(403)


@bp.route("/identity-requests")
@login_required
def identity_requests():
    _require("clues.identity_decide")
    return _queue()


@bp.route("/identity-requests/<int:req_id>", methods=["POST"])
@login_required
def identity_decide(req_id):
    _require("clues.identity_decide")
    req = IdentityRequest.get_or_none(IdentityRequest.id == req_id)
    if req is None:
        abort(404)
    form = IdentityDecisionForm()
    if not form.validate_on_submit():
        return _queue("；".join(e for errs in form.errors.values() for e in errs), {req.id: form}, 422)
    try:
        identity.decide(req, _me(), form.decision.data == "approve", form.note.data)
    except ClueError as e:
        return _queue(e.message, {req.id: form}, e.status_code if e.status_code != 409 else 409)
    flash(f"已{'同意' if form.decision.data == 'approve' else '不同意'}线索 {req.clue.number} 的身份查看申请。", "success")
    return redirect(url_for("clues.identity_requests"), 303)


@bp.route("/identity-log")
@login_required
def identity_log():
    _require("clues.identity_log")
    rows, denied = identity.log_rows()
    return render("clues/identity_log.html", rows=rows, denied=denied)
