"""Outcome pages: recording one on a problem, the list (scoped: the office and the chief all, anyone else
their own), voiding, typical cases, and the sections on a clue's and a problem's page."""
from flask import render_template, request, url_for
from flask_login import current_user, login_required

from .. import errors
from ..errors import Invalid
from ..htmx import redirect_to, render
from ..models import Problem
from ..models.outcome import Outcome
from ..models.tip import SUBSTANTIATED, ClueProblem
from ..nav import clue_panel, home_panel, problem_panel, register_nav
from ..paging import paginate
from ..params import to_id
from ..permissions import can, found_or_404, require
from . import bp, service, typical
from .forms import OutcomeForm, ReasonForm, TypicalForm

register_nav("典型问题", "outcomes.typical_cases", lambda u: can(u, "typical.view"), order=58)
register_nav("问责处理", "outcomes.index", lambda u: can(u, "outcomes.view_all"), order=59)


def _me():
    return current_user._get_current_object()


def _safe_next(default):
    nxt = request.values.get("next") or ""
    return nxt if nxt.startswith("/") and not nxt.startswith("//") else default


@bp.route("/")
@login_required
def index():
    q = service.visible(current_user).order_by(Outcome.decided_on.desc(), Outcome.id.desc())
    pg = paginate(q, request.args.get("page"), size=30)
    return render("outcomes/index.html", rows=service._labelled(list(pg.rows)), page_no=pg.page, pages=pg.pages,
                  total=pg.total, page_url=lambda p: url_for("outcomes.index", page=p))


@bp.route("/problem/<int:problem_id>/new", methods=["GET", "POST"])
@require("outcomes.record")
def new(problem_id):
    problem = found_or_404(Problem.get_or_none((Problem.id == problem_id) & (Problem.withdrawn == False)),  # noqa: E712
                           Problem, problem_id, "problem")
    back = _safe_next(url_for("ledger.detail", problem_id=problem.id))
    form = OutcomeForm().fill(problem)
    ctx = dict(problem=problem, form=form, back=back, clue=service.founded_clue_of(problem),
               leniency=service.leniency_for(problem),
               partner=Problem.get_or_none(Problem.id == problem.partner_id) if problem.partner_id else None)
    if request.method == "POST" and form.validate():
        errors.shown_in("outcomes/new.html", context=lambda e: ctx)
        try:
            service.record(problem.id, _me(), form.values())
            return redirect_to(back)
        except Invalid as e:
            for name, msgs in (e.fields or {}).items():
                getattr(form, name).errors = list(getattr(form, name).errors or []) + [msgs]
            ctx["error"] = e.message
    return render("outcomes/new.html", None, 422 if request.method == "POST" else 200, **ctx)


@bp.route("/<int:outcome_id>/void", methods=["POST"])
@require("outcomes.record")
def void(outcome_id):
    o = found_or_404(Outcome.get_or_none(Outcome.id == outcome_id), Outcome, outcome_id, "outcome")
    form = ReasonForm()
    errors.shown_in(None)
    form.validate()
    service.void(o.id, _me(), form.reason.data)
    return redirect_to(_safe_next(url_for("outcomes.index")))


# ---------------------------------------------------------------- typical cases
@bp.route("/typical")
@require("typical.view")
def typical_cases():
    return render("outcomes/typical.html", cases=typical.cases(current_user))


@bp.route("/typical/mark", methods=["POST"])
@require("typical.mark")
def typical_mark():
    form = TypicalForm()
    form.validate()
    errors.shown_in(None)
    typical.mark(_me(), form.summary.data, problem_id=to_id(request.form.get("problem_id")),
                 clue_id=to_id(request.form.get("clue_id")))
    return redirect_to(_safe_next(url_for("outcomes.typical_cases")))


@bp.route("/typical/<int:typical_id>/unmark", methods=["POST"])
@require("typical.mark")
def typical_unmark(typical_id):
    errors.shown_in(None)
    typical.unmark(_me(), typical_id)
    return redirect_to(_safe_next(url_for("outcomes.typical_cases")))


# ---------------------------------------------------------------- sections on other pages
def _founded(clue) -> bool:
    return clue.status == "concluded" and clue.conclusion in SUBSTANTIATED


@clue_panel(order=20)
def outcomes_on_clue(clue, user):
    rows = service.for_clue(user, clue)
    recorder = can(user, "outcomes.record") and _founded(clue)
    if not rows and not recorder and not can(user, "typical.mark"):
        return None
    links = list(ClueProblem.select(ClueProblem, Problem).join(Problem)
                 .where(ClueProblem.clue == clue.id).order_by(ClueProblem.role != "person", ClueProblem.id)) \
        if recorder else []
    return render_template("outcomes/_case_panel.html", clue=clue, rows=rows, links=links, recorder=recorder,
                           typical_case=typical.of_clue(clue.id), typical_form=TypicalForm(formdata=None),
                           void_form=ReasonForm(formdata=None), here=url_for("clues.detail", clue_id=clue.id))


@problem_panel(order=55)
def outcomes_on_problem(problem, user):
    rows = service.for_problem(user, problem)
    recorder = can(user, "outcomes.record") and bool(problem.person_id) and not problem.withdrawn
    if not rows and not recorder:
        return None
    return render_template("outcomes/_problem_panel.html", problem=problem, rows=rows, recorder=recorder,
                           typical_case=typical.of_problem(problem.id), typical_form=TypicalForm(formdata=None),
                           void_form=ReasonForm(formdata=None),
                           here=url_for("ledger.detail", problem_id=problem.id))




@home_panel(order=60)
def my_outcomes_panel(user):
    """A person's own outcomes (the office and the chief use the 问责处理 page instead)."""
    if can(user, "outcomes.view_all"):
        return None
    rows = service._labelled(list(service.visible(user).where(Outcome.void == False)  # noqa: E712
                                  .order_by(Outcome.decided_on.desc()).limit(5)))
    if not rows:
        return None
    return render_template("outcomes/_home_panel.html", rows=rows)
