"""明察暗访 / 随机抽查: plans, the draw, the public verify page, findings."""
import json

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import audit, clock, errors, uploads
from ..errors import PortalError
from ..models import Campaign, Department, RoleAssignment, User
from ..models.inspection import (EXCLUSION_REASONS, Draw, Finding, FindingFile, InspectionPlan,
                                 InspectionTarget, PlanInspector)
from ..nav import home_panel, problem_panel, register_nav
from ..notices.triggers import problem_url
from ..params import to_int
from ..permissions import can, deny, found_or_404, require, scope_plans
from . import bp, service
from . import draw as drawlib
from .forms import AssignForm, FindingForm, PlanForm, TargetForm

register_nav("明察暗访", "inspections.index", lambda u: can(u, "inspections.view"), order=55)


def get_plan_for(user, plan_id) -> InspectionPlan:
    """Load a plan within the user's scope, or 404 (and audit the attempt)."""
    plan = InspectionPlan.select().where((InspectionPlan.id == plan_id) & scope_plans(user)).first()
    return found_or_404(plan, InspectionPlan, plan_id, "inspection_plan")


@bp.route("/")
@require("inspections.view")
def index():
    plans = list(service.plans_for(current_user))
    ids = [p.id for p in plans]
    stats = {pid: {"targets": 0, "checked": 0, "problems": 0} for pid in ids}
    if ids:
        for t in InspectionTarget.select(InspectionTarget.plan, InspectionTarget.outcome).where(
                InspectionTarget.plan.in_(ids)):
            s = stats[t.plan_id]
            s["targets"] += 1
            s["checked"] += 1 if t.outcome else 0
            s["problems"] += 1 if t.outcome == "problem" else 0
    return render_template("inspections/index.html", plans=plans, stats=stats)


@bp.route("/new", methods=["GET", "POST"])
@require("inspections.run")
def new():
    campaign = Campaign.active()
    form = PlanForm()
    form.checks.choices = service.check_choices(campaign)
    form.pool_departments.choices = [(d.id, d.name) for d in Department.select().where(
        Department.is_active & Department.kind.in_(service.TARGET_DEPT_KINDS + ("leadership",)))
        .order_by(Department.sort_order, Department.id)]
    if request.method == "GET":
        form.planned_date.data = clock.today()
        form.cycle.data = clock.today().strftime("%Y-%m")
    if form.validate_on_submit():
        checks = service.build_checks(campaign, form.checks.data or [], form.extra_checks.data)
        if not checks:
            form.checks.errors = list(form.checks.errors) + ["请至少选择或填写一项检查内容"]
        else:
            plan = service.create_plan(
                current_user._get_current_object(), campaign=campaign, title=form.title.data.strip(),
                checks=json.dumps(checks, ensure_ascii=False), planned_date=form.planned_date.data,
                planned_end=form.planned_end.data, cycle=(form.cycle.data or "").strip(),
                target_kind=form.target_kind.data, target_count=form.target_count.data,
                inspector_count=form.inspector_count.data, pool_kind=form.pool_kind.data,
                pool_departments=json.dumps(form.pool_departments.data if form.pool_kind.data == "departments" else []),
                note=form.note.data or "")
            flash("检查计划已建立。下一步：指派或抽取检查人员，再抽取检查对象。", "success")
            return redirect(url_for("inspections.plan", plan_id=plan.id))
    status = 422 if request.method == "POST" else 200
    return render_template("inspections/new.html", form=form), status


def _plan_context(plan):
    targets = list(InspectionTarget.select(InspectionTarget, Department).join(Department)
                   .where(InspectionTarget.plan == plan.id)
                   .order_by(InspectionTarget.is_random.desc(), InspectionTarget.rank, InspectionTarget.id))
    users = {u.id: u for u in User.select().where(User.id.in_([t.user_id for t in targets if t.user_id] or [0]))}
    for t in targets:
        if t.user_id:
            t.user = users[t.user_id]
    inspectors = list(PlanInspector.select(PlanInspector, User, Department).join(User).join(Department)
                      .where(PlanInspector.plan == plan.id).order_by(PlanInspector.id))
    draws = list(Draw.select().where(Draw.plan == plan.id).order_by(Draw.id))
    current = {p: service.current_draw(plan, p) for p in ("targets", "inspectors")}
    findings = list(Finding.select().where(Finding.plan == plan.id).order_by(Finding.found_at))
    by_target = {}
    for f in findings:
        by_target.setdefault(f.target_id, []).append(f)
    ctx = {"plan": plan, "targets": targets, "inspectors": inspectors, "draws": draws, "current": current,
           "by_target": by_target, "can_record": can(current_user, "inspections.record", plan),
           "runs": can(current_user, "inspections.run"), "problem_url": problem_url}
    if ctx["runs"]:
        ctx["assign_form"] = AssignForm()
        taken = {pi.user_id for pi in inspectors}
        ctx["assign_form"].user.choices = [
            (u.id, f"{u.real_name}（{u.department.name}）") for u in
            User.select(User, Department).join(Department).where(
                User.is_active_flag & User.id.in_(RoleAssignment.select(RoleAssignment.user)
                                                  .where(RoleAssignment.role == "inspector")))
            if u.id not in taken]
        ctx["target_form"] = TargetForm()
        ctx["target_form"].department.choices = [(d.id, d.name) for d in Department.select().where(
            Department.is_active & Department.kind.in_(service.TARGET_DEPT_KINDS)).order_by(Department.sort_order)]
        ctx["flagged"] = service.flagged_departments()
        ctx["taken_depts"] = {t.department_id for t in targets if t.kind == "department"}
        ctx["inspector_depts"] = {pi.user.department_id for pi in inspectors}
    return ctx


def _refusals_on_plan_page(p):
    """A refused assignment or addition is answered with the plan page, the reason flashed on it."""
    def context(e):
        flash(e.message, "error")
        return _plan_context(p)
    errors.shown_in("inspections/plan.html", context=context)


@bp.route("/<int:plan_id>")
@login_required
def plan(plan_id):
    p = get_plan_for(current_user, plan_id)
    return render_template("inspections/plan.html", **_plan_context(p))


@bp.route("/<int:plan_id>/inspectors", methods=["POST"])
@require("inspections.run")
def assign(plan_id):
    p = get_plan_for(current_user, plan_id)
    form = AssignForm()
    form.user.choices = None
    form.user.validate_choice = False
    if not form.validate_on_submit():
        flash("请选择检查人员", "error")
        return redirect(url_for("inspections.plan", plan_id=p.id))
    user = User.get_or_none(User.id == form.user.data)
    if user is None:
        abort(404)
    _refusals_on_plan_page(p)
    service.assign_inspector(p, user, current_user._get_current_object())
    flash(f"已指派{user.real_name}为检查人员，并已通知本人。", "success")
    return redirect(url_for("inspections.plan", plan_id=p.id))


@bp.route("/<int:plan_id>/targets", methods=["POST"])
@require("inspections.run")
def add_target(plan_id):
    p = get_plan_for(current_user, plan_id)
    form = TargetForm()
    form.department.choices = None
    form.department.validate_choice = False
    if not form.validate_on_submit():
        flash("请选择科室并说明列入依据", "error")
        return render_template("inspections/plan.html", **_plan_context(p)), 422
    dept = Department.get_or_none(Department.id == form.department.data)
    if dept is None:
        abort(404)
    _refusals_on_plan_page(p)
    service.add_target(p, dept, current_user._get_current_object(), form.reason.data)
    flash(f"已将{dept.name}列为检查对象（非随机）。", "success")
    return redirect(url_for("inspections.plan", plan_id=p.id))


@bp.route("/<int:plan_id>/draw/<purpose>", methods=["GET", "POST"])
@require("inspections.run")
def draw(plan_id, purpose):
    p = get_plan_for(current_user, plan_id)
    if purpose not in ("targets", "inspectors"):
        abort(404)
    current = service.current_draw(p, purpose)
    redraw = request.values.get("redraw") == "1" and current is not None
    if current is not None and not redraw and request.method == "GET":
        return redirect(url_for("inspections.draw_record", public_id=current.public_id))
    prep = service.prepare(p, purpose, replacing=current if redraw else None)
    values = request.form if request.method == "POST" else {}
    ctx = dict(plan=p, purpose=purpose, prep=prep, redraw=redraw, current=current, values=values,
               reasons=EXCLUSION_REASONS,
               count=to_int(values.get("count"), None, lo=0, hi=10_000) or service.default_count(p, purpose))
    if request.method == "GET":
        return render_template("inspections/draw.html", **ctx)
    manual = {}
    for key in request.form.getlist("exclude"):
        manual[key] = (request.form.get(f"reason-{key}", ""), request.form.get(f"note-{key}", ""))
    errors.shown_in("inspections/draw.html", **ctx)  # a refused draw: the form again, input and reason
    d = service.do_draw(p, purpose, current_user._get_current_object(),
                        witness_number=request.form.get("witness_number", ""),
                        witnesses=request.form.get("witnesses", ""), manual=manual, count=ctx["count"],
                        expected_roster_hash=request.form.get("roster_hash", ""),
                        supersedes=current if redraw else None, reason=request.form.get("reason", ""))
    flash("抽取完成，结果已固定。可将核验链接交见证人复核。", "success")
    return redirect(url_for("inspections.draw_record", public_id=d.public_id))


def _labels(d):
    return {row[0]: row[1] for row in d.roster_rows()}


@bp.route("/draws/<public_id>")
@login_required
def draw_record(public_id):
    d = Draw.get_or_none(Draw.public_id == public_id)
    if d is None:
        abort(404)
    p = get_plan_for(current_user, d.plan_id)
    later = Draw.select().where(Draw.supersedes == d.id).first()
    return render_template("inspections/draw_record.html", d=d, plan=p, labels=_labels(d), later=later,
                           check=drawlib.verify(d), current=service.current_draw(p, d.purpose))


@bp.route("/draws/<public_id>/verify")
def verify(public_id):
    """Public: recompute a draw from its stored inputs. Shows codes, never names."""
    d = Draw.get_or_none(Draw.public_id == public_id)
    if d is None:
        abort(404)
    later = Draw.select(Draw.public_id).where(Draw.supersedes == d.id).first()
    return render_template("inspections/verify.html", d=d, check=drawlib.verify(d), later=later,
                           reasons=EXCLUSION_REASONS)


@bp.route("/draws/<public_id>/verify.json")
def verify_data(public_id):
    """Public: the inputs anyone needs to recompute the seed and the ranking (codes only, no names)."""
    d = Draw.get_or_none(Draw.public_id == public_id)
    if d is None:
        abort(404)
    return jsonify({
        "public_id": d.public_id, "algorithm": d.algorithm, "witness_number": d.witness_number,
        "drawn_at": d.drawn_at_text, "roster_hash": d.roster_hash, "seed": d.seed, "count": d.requested,
        "candidates": [row[0] for row in d.roster_rows()],
        "excluded": [row[0] for row in d.exclusion_rows()],
        "result": d.result_keys(),
        "recipe": "seed = sha256(algorithm + '\\n' + witness_number + '\\n' + drawn_at + '\\n' + roster_hash); "
                  "rank(code) = sha256(bytes.fromhex(seed) + code.encode('utf-8')); "
                  "result = the `count` candidates not excluded with the smallest rank",
    })


@bp.route("/targets/<int:target_id>/finding", methods=["GET", "POST"])
@login_required
def finding(target_id):
    t = InspectionTarget.get_or_none(InspectionTarget.id == target_id)
    if t is None:
        abort(404)
    p = get_plan_for(current_user, t.plan_id)
    if not can(current_user, "inspections.record", p):
        deny("inspection_target", t.id)
    checks = p.check_list
    form = FindingForm()
    form.check.choices = [(str(i), c["label"]) for i, c in enumerate(checks)] + [("", "其他")]
    if request.method == "GET":
        form.found_at.data = clock.now().replace(second=0)
    status = 200
    if form.validate_on_submit():
        check = None
        if form.check.data and form.check.data.isdigit() and int(form.check.data) < len(checks):
            check = checks[int(form.check.data)]
        try:
            files = uploads.check_files(request.files.getlist("files"))
            service.record_finding(t, current_user._get_current_object(), form.outcome.data, check,
                                   form.description.data, form.found_at.data, form.place.data,
                                   form.severity.data, form.deadline.data, files)
        except uploads.UploadError as e:
            flash(str(e), "error")
            status = 422
        except PortalError as e:
            flash(e.message, "error")
            status = e.status
        else:
            flash("检查结果已登记" + ("，问题已列入整改台账。" if form.outcome.data == "problem" else "。"), "success")
            return redirect(url_for("inspections.plan", plan_id=p.id) + f"#target-{t.id}")
    elif request.method == "POST":
        status = 422
    return render_template("inspections/finding.html", form=form, plan=p, target=t,
                           findings=list(Finding.select().where(Finding.target == t.id))), status


@bp.route("/files/<int:file_id>")
@login_required
def file(file_id):
    ff = FindingFile.get_or_none(FindingFile.id == file_id)
    if ff is None:
        abort(404)
    f = Finding.get_by_id(ff.finding_id)
    in_scope = InspectionPlan.select().where((InspectionPlan.id == f.plan_id)
                                             & scope_plans(current_user)).exists()
    if not in_scope and not (f.problem_id and can(current_user, "problem.view", f.problem)):
        deny("finding_file", ff.id, status=404)
    return uploads.download(uploads.load(ff.key), ff.name, ff.kind)


@home_panel(order=40)
def my_inspections(user):
    if not can(user, "inspections.record"):
        return None
    todo = list(service.my_open_targets(user).limit(20))
    plans = list(service.plans_for(user).where(
        InspectionPlan.id.in_(PlanInspector.select(PlanInspector.plan).where(PlanInspector.user == user.id)))
        .limit(5))
    if not plans and not can(user, "inspections.inspect"):
        return None
    return render_template("inspections/_home_panel.html", todo=todo, plans=plans)


@problem_panel(order=30)
def finding_panel(problem, user):
    f = service.finding_for_problem(problem)
    if f is None:
        return None
    files = list(FindingFile.select().where(FindingFile.finding == f.id))
    inspector = User.get_or_none(User.id == f.inspector_id) if f.inspector_id else None
    sees_plan = InspectionPlan.select().where((InspectionPlan.id == f.plan_id)
                                              & scope_plans(user)).exists()
    return render_template("inspections/_problem_panel.html", f=f, files=files, inspector=inspector,
                           sees_plan=sees_plan)

