"""督办 pages and actions: 催办 (rows, a department, self-checks), 领导批示, 我的批示, the 分管领导's clue status,
the red-amber-green page."""
from urllib.parse import urlparse

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..errors import PortalError
from ..htmx import hx_redirect, is_htmx
from ..models import Campaign, Department, Problem
from ..params import int_list, to_id
from ..permissions import can, deny, found_or_404, require, scope_problems
from . import bp, clues as leader_clues, jobs, panels, rag, service


def _back(default="ledger.index"):
    """Where the form came from (same site only), else `default`."""
    ref = request.form.get("next") or request.referrer or ""
    parsed = urlparse(ref)
    if ref and (not parsed.netloc or parsed.netloc == request.host):
        path = parsed.path + ("?" + parsed.query if parsed.query else "")
        if path.startswith("/"):
            return path
    return url_for(default)


def _finish(message, kind="success", to=None):
    to = to or _back()
    flash(message, kind)
    if is_htmx():
        return hx_redirect(to)
    return redirect(to, 303)


def _summary(label, done, failed):
    text = f"{label}：成功 {done} 条" + (f"，未处理 {len(failed)} 条（{'；'.join(failed[:5])}）" if failed else "") + "。"
    return text, ("success" if done and not failed else ("warning" if done else "error"))


@bp.post("/urge")
@require("ledger.view")
def urge():
    ids = int_list(request.form.getlist("ids"))
    if not ids:
        return _finish("请先勾选要催办的问题。", "error")
    done, failed = service.urge_problems(current_user, ids, request.form.get("note", ""))
    _mail_soon(done)
    return _finish(*_summary("催办", done, failed))


def _mail_soon(done):
    """Mail the urge notices now (in the worker) where mail is configured, not at the next quarter hour."""
    from .. import mail
    if done and mail.enabled():
        from ..jobs import enqueue
        enqueue("supervision_mail")


@bp.post("/urge/department/<int:dept_id>")
@require("ledger.view")
def urge_department(dept_id):
    """催办 every overdue problem of one department (the 分管领导's panel)."""
    ids = [p.id for p in Problem.select(Problem.id).where(
        (Problem.department == dept_id) & Problem.overdue_expr() & scope_problems(current_user))]
    if not ids:
        return _finish("该部门没有逾期问题。", "warning", url_for("main.home"))
    done, failed = service.urge_problems(current_user, ids)
    return _finish(*_summary("催办逾期问题", done, failed), to=_back("main.home"))


@bp.post("/selfcheck/urge")
@require("selfcheck.oversee")
def urge_selfcheck():
    campaign = Campaign.active()
    if campaign is None:
        return _finish("尚未载入活动。", "error", url_for("main.home"))
    ids = int_list(request.form.getlist("user_ids"))
    dept_id = to_id(request.form.get("dept"))
    if not ids and dept_id:
        ids = _unsubmitted_ids(dept_id, campaign)
    if not ids:
        return _finish("没有需要催办的人员。", "warning", _back("main.home"))
    done, failed = service.urge_selfchecks(current_user, ids, campaign)
    return _finish(*_summary("催办自查", done, failed), to=_back("main.home"))


def _unsubmitted_ids(dept_id, campaign):
    from ..models import User
    from ..models.selfcheck import SelfCheck
    done = SelfCheck.select(SelfCheck.user).where((SelfCheck.campaign == campaign.id)
                                                  & SelfCheck.status.in_(("submitted", "approved")))
    return [u.id for u in User.select(User.id).where((User.department == dept_id) & (User.is_active_flag == True)  # noqa: E712
                                                     & User.id.not_in(done))
            if can(current_user, "selfcheck.urge", User.get_by_id(u.id))]


@bp.post("/problem/<int:problem_id>/instruct")
@require("ledger.view")
def instruct_problem(problem_id):
    p = found_or_404(Problem.select().where((Problem.id == problem_id) & scope_problems(current_user)).first(),
                     Problem, problem_id, "problem")
    if not can(current_user, "problem.instruct", p):
        deny("problem", p.id, need="problem.instruct")
    try:
        service.instruct_problem(current_user, p, request.form.get("text", ""))
    except PortalError as e:
        return _finish(e.message, "error", url_for("ledger.detail", problem_id=p.id))
    return _finish("批示已送达责任人和领导小组办公室。", to=url_for("ledger.detail", problem_id=p.id))


@bp.post("/clue/<int:clue_id>/instruct")
@require("clue.instruct")
def instruct_clue(clue_id):
    clue = leader_clues.get_for(current_user, clue_id)
    try:
        service.instruct_clue(current_user, clue, request.form.get("text", ""))
    except PortalError as e:
        return _finish(e.message, "error", url_for("supervision.clues"))
    return _finish(f"已对线索 {clue.number} 作出批示。", to=_back("supervision.clues"))


@bp.get("/instructions")
@require("problem.instruct")
def instructions():
    return render_template("supervision/instructions.html", rows=service.my_instructions(current_user))


@bp.get("/clues")
@require("clue.instruct")
def clues():
    return render_template("supervision/clues.html", rows=leader_clues.listing(current_user))


@bp.get("/rag")
@require("supervision.view")
def rag_page():
    depts = rag.by_department(current_user)
    trend = {r["id"]: jobs.trend("department", r["id"]) for r in depts}
    return render_template("supervision/rag.html", depts=depts, people=rag.by_person(current_user),
                           leaders=rag.by_leader(current_user), legend=rag.legend(), trend=trend,
                           ledger_link=panels.ledger_link, Department=Department)
