"""The person's side: 我的自查, the wizard (steps, autosave, review, submit), own versions."""
from flask import abort, redirect, render_template, request, url_for
from peewee import OperationalError
from flask_login import current_user, login_required

from .. import audit, clock
from ..errors import PortalError
from ..htmx import is_htmx, push_url, redirect_to, render
from ..models import Campaign
from ..params import to_int
from ..permissions import can, deny, found_or_404
from . import bp, service
from .forms import Tampered, new_key, parse_step
from .service import NotEditable, StaleDraft


@bp.app_template_test("iso_date")
def _is_iso_date(text) -> bool:
    """A deadline kept as typed is shown in a date field only when it is a date (a browser blanks
    anything else); otherwise in a text field, exactly as typed."""
    import datetime as dt
    try:
        return len(text) == 10 and bool(dt.date.fromisoformat(text))
    except (TypeError, ValueError):
        return False


def active_campaign() -> Campaign:
    c = Campaign.active()
    if c is None:
        abort(404, "当前没有进行中的整顿活动。")
    return c


def _mine(create=True):
    sc = service.find_active(current_user)  # permission, self-check and campaign in one query
    if sc is not None:
        return sc.campaign, sc, service.checklist(sc.campaign)
    if not can(current_user, "selfcheck.fill"):
        deny("selfcheck", need="selfcheck.fill")
    campaign = active_campaign()
    sc = service.get_or_create(current_user, campaign) if create else service.find(current_user, campaign)
    return campaign, sc, service.checklist(campaign)


def _int(value, default=None):
    return to_int(value, default)


def _refuse_tamper(sc, what):
    audit.record("selfcheck_tamper", "selfcheck", sc.id if sc else "", outcome="denied", detail=str(what)[:200])
    abort(400, "提交的内容与本页不符（条目不属于当前步骤或活动），已拒绝并记录。")


@bp.get("/")
@login_required
def index():
    if not can(current_user, "selfcheck.fill"):
        if can(current_user, "selfcheck.oversee"):
            return redirect(url_for("selfcheck.department"))
        deny("selfcheck", need="selfcheck.fill")
    campaign = Campaign.active()
    if campaign is None:
        return render_template("selfcheck/no_campaign.html")
    cl = service.checklist(campaign)
    sc = service.find(current_user, campaign)
    prog = service.progress(sc, cl) if sc else service.progress_empty(cl)
    versions = service.versions(sc) if sc else []
    return render_template("selfcheck/index.html", campaign=campaign, sc=sc, prog=prog, versions=versions,
                           block=service.edit_block(sc, campaign) if sc else service.deadline_block(campaign),
                           days_left=(campaign.selfcheck_deadline - clock.today()).days)


@bp.get("/wizard")
@login_required
def wizard():
    campaign, sc, cl = _mine()
    step = min(max(sc.current_step or 1, 1), cl.review_step)
    return redirect(url_for("selfcheck.step", n=step))


def _step_of(cl, n):
    if n < 1 or n > cl.review_step:
        abort(404)
    return cl.steps[n - 1] if n <= len(cl.steps) else None


def wizard_page(sc, campaign, cl, n, values=None, errors=None, banner=None, status=200, review_errors=None,
                extra_rows=None, push=False, unsaved=False):
    step = _step_of(cl, n)
    all_values = service.load_values(sc)
    block = service.edit_block(sc, campaign)
    if errors is None and step is not None:  # values kept as typed come back with their messages
        errors = service.kept_errors(step, all_values, campaign)
    ctx = {"sc": sc, "campaign": campaign, "cl": cl, "n": n, "step": step, "errors": errors or {},
           "banner": banner, "readonly": bool(block), "block": block,
           "prog": service.progress(sc, cl, all_values), "aspects": cl.aspects, "new_key": new_key,
           "date_min": campaign.start_date.isoformat(), "date_max": campaign.end_date.isoformat(),
           "saved_at": sc.updated_at if sc.status != "not_started" else None, "http_status": status, "unsaved": unsaved,
           "latest": service.latest_version(sc) if sc.status == "returned" else None}
    if step is not None:
        vals = values if values is not None else {it.id: all_values.get(it.id) for it in step.items}
        ctx["values"] = {it.id: vals.get(it.id) or {"answer": "", "problems": []} for it in step.items}
        ctx["extra_rows"] = extra_rows or {}
    else:
        ctx["all_values"] = all_values
        ctx["review_errors"] = (review_errors if review_errors is not None
                                else service.all_errors(sc, cl, campaign, all_values))
    resp = render("selfcheck/wizard.html", "selfcheck/_wizard.html", status=status, **ctx)
    if push and is_htmx():
        push_url(resp, url_for("selfcheck.step", n=n))
    return resp


@bp.get("/step/<int:n>")
@login_required
def step(n):
    campaign, sc, cl = _mine()
    _step_of(cl, n)
    service.set_step(sc, n)
    return wizard_page(sc, campaign, cl, n)


@bp.post("/step/<int:n>")
@login_required
def step_post(n):
    campaign, sc, cl = _mine()
    st = _step_of(cl, n)
    if st is None:
        abort(405)
    action = request.form.get("action", "save")
    try:
        inp = parse_step(request.form, st.items, cl.aspects, service.period(campaign))
    except Tampered as e:
        _refuse_tamper(sc, e)
    target = n
    extra_rows = {}
    if action == "next":
        target = n + 1
    elif action == "prev":
        target = max(1, n - 1)
    elif action.startswith("goto-"):
        target = _int(action[5:], 0)
        if not 1 <= target <= cl.review_step:
            abort(400, "无效的步骤。")
    elif action.startswith("add-"):
        item_id = _int(action[4:], 0)
        if item_id not in inp.values:
            _refuse_tamper(sc, action)
        extra_rows[item_id] = 1
        inp.values[item_id]["answer"] = "problem"
    elif action.startswith("remove-"):
        key = action[7:]
        for v in inp.values.values():
            v["problems"] = [p for p in v["problems"] if p["key"] != key]
    elif action != "save":
        abort(400, "未知的操作。")
    expected = _int(request.form.get("draft_version"), -1)
    step_errors = {}
    if action == "next" and inp.soft:
        target, step_errors = n, inp.soft
    if inp.messages and not action.startswith(("add-", "remove-")):
        target, step_errors = n, {**step_errors, **inp.messages}  # saved; stay and show what to change
    try:
        sc = service.save_step(sc, st, inp.values, expected, current_user, campaign,
                               next_step=target)
    except StaleDraft as e:
        return wizard_page(e.current, campaign, cl, n, values=inp.values, errors=inp.messages, status=409,
                           banner=e.message)
    except NotEditable as e:
        return wizard_page(sc, campaign, cl, n, status=409, banner=e.message)
    except PortalError as e:  # a key clash: a crafted or replayed request
        _refuse_tamper(sc, e.message)
    if inp.messages and not action.startswith(("add-", "remove-")):
        return wizard_page(sc, campaign, cl, n, values=inp.values, errors=step_errors, status=422,
                           banner="已保存草稿（填写的内容均已保留）。有内容不符合要求，请按标红提示修改，提交前须改正。")
    if step_errors:
        return wizard_page(sc, campaign, cl, n, values=inp.values, errors=step_errors, status=422,
                           banner="本步骤还有未完成的内容（已为您保存草稿），请按标红提示补充后再继续。")
    if not is_htmx() and target != n:
        return redirect(url_for("selfcheck.step", n=target), 303)
    return wizard_page(sc, campaign, cl, target, extra_rows=extra_rows, push=target != n)


@bp.post("/step/<int:n>/autosave")
@login_required
def autosave(n):
    campaign, sc, cl = _mine()
    st = _step_of(cl, n)
    if st is None:
        abort(405)
    try:
        inp = parse_step(request.form, st.items, cl.aspects, service.period(campaign))
    except Tampered as e:
        _refuse_tamper(sc, e)
    ctx = {"sc": sc, "n": n}
    try:
        sc = service.save_step(sc, st, inp.values, _int(request.form.get("draft_version"), -1),
                               current_user, campaign)
    except OperationalError:  # the database stayed busy beyond its timeout: nothing was written
        return render_template("selfcheck/_save_state.html", busy=True, **ctx), 503
    except StaleDraft as e:
        return render_template("selfcheck/_save_state.html", conflict=e.message, **ctx), 409
    except PortalError as e:
        if e.status == 400:
            _refuse_tamper(sc, e.message)
        return render_template("selfcheck/_save_state.html", conflict=e.message, **ctx), 409
    prog = service.progress(sc, cl, sc.values_after)
    # saved either way; values kept as typed but not acceptable yet are named (422: shown, not an error)
    return render_template("selfcheck/_save_state.html", saved=clock.now(), prog=prog, cl=cl,
                           errors=inp.messages, oob=True, **dict(ctx, sc=sc)), 422 if inp.messages else 200


@bp.post("/submit")
@login_required
def submit():
    campaign, sc, cl = _mine()
    try:
        version = service.submit(sc, current_user, campaign, _int(request.form.get("draft_version"), -1))
    except service.Incomplete as e:
        return wizard_page(sc, campaign, cl, cl.review_step, status=422, review_errors=e.errors,
                           banner=e.message + "请先补充标出的条目。")
    except StaleDraft as e:
        return wizard_page(e.current, campaign, cl, cl.review_step, status=409, banner=e.message)
    except PortalError as e:
        return wizard_page(sc, campaign, cl, cl.review_step, status=409, banner=e.message)
    return redirect_to(url_for("selfcheck.index", submitted=version.number))


# --- versions, diff, print (own or in scope) -------------------------------------------------------
def selfcheck_for(sc_id):
    from ..models.selfcheck import SelfCheck
    return found_or_404(service.get_for(current_user, sc_id), SelfCheck, sc_id, "selfcheck")


def version_for(sc, number):
    from ..models.selfcheck import SelfCheckVersion
    v = SelfCheckVersion.get_or_none((SelfCheckVersion.selfcheck == sc.id) & (SelfCheckVersion.number == number))
    if v is None:
        abort(404)
    return v


@bp.get("/<int:sc_id>/v/<int:number>")
@login_required
def version(sc_id, number):
    sc = selfcheck_for(sc_id)
    v = version_for(sc, number)
    return render_template("selfcheck/version.html", sc=sc, v=v, content=service.frozen_content(v),
                           versions=service.versions(sc))


@bp.get("/<int:sc_id>/v/<int:number>/print")
@login_required
def print_version(sc_id, number):
    sc = selfcheck_for(sc_id)
    v = version_for(sc, number)
    return render_template("selfcheck/print.html", sc=sc, v=v, content=service.frozen_content(v))


@bp.get("/<int:sc_id>/diff")
@login_required
def diff(sc_id):
    sc = selfcheck_for(sc_id)
    vs = service.versions(sc)
    if len(vs) < 2:
        abort(404, "只有一个版本，没有可比较的内容。")
    a = _int(request.args.get("a"), vs[-2].number)
    b = _int(request.args.get("b"), vs[-1].number)
    va, vb = version_for(sc, a), version_for(sc, b)
    changes = service.diff(service.frozen_content(va), service.frozen_content(vb))
    return render_template("selfcheck/diff.html", sc=sc, va=va, vb=vb, changes=changes, versions=vs)

