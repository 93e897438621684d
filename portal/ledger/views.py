"""整改台账: the list (filters, counters, sort, pages), the detail page, the export, evidence downloads,
长效机制, the home panel and the navigation item. Row actions live in actions.py."""
import datetime as dt
import json

from peewee import JOIN
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from .. import audit, cache, clock, search, uploads
from ..htmx import push_url, render, triggered_by, wants_partial
from ..models import SEVERITIES, SOURCES, STATUSES, Department, Problem, ProblemEvent, User
from ..models.problem import REVIEW_STAGES
from ..models.ledger import (ACTION_KINDS, DeadlineExtension, Mechanism, MechanismProblem,
                             ProblemAction, ProblemEvidence)
from ..nav import home_panel, problem_panels, register_nav
from ..quoting import quoted
from ..params import to_id
from ..permissions import can, deny, require, scope_signature
from . import bp, choices, queries, service, table
from .rows import rendered_rows
from .export import build_xlsx, default_title
from .forms import parse_filters

bp.add_app_template_filter(search.highlight, "hl")  # the search's words marked in the rows' texts
register_nav("整改台账", "ledger.index", lambda u: can(u, "ledger.view"), order=30)

EVENT_LABELS = {"created": "登记", "status": "状态变更", "edit": "修改", "action": "处理方式",
                "withdrawn": "撤回", "deadline": "整改时限", "link": "关联", "evidence": "整改佐证",
                "extension": "延期申请", "progress": "整改进展", "review": "销号审核", "attachment": "登记附件"}
TIMELINE = ("created", "progress", "status", "evidence", "review", "extension", "deadline")
FIELD_LABELS = {"description": "问题描述", "measures": "整改措施", "deadline": "整改时限",
                "severity": "严重程度", "remark": "备注", "person": "责任人", "department": "责任单位",
                "item": "问题类别", "partner": "一案双查关联", "withdrawn": "撤回"}


def results_key(user, f, kind):
    """The cache key of a rendered ledger list: the data version, the day (逾期/即将到期 change at
    midnight), the viewer's scope, the normalized filter, the kind of answer and the settings it shows."""
    cfg = current_app.config
    return cache.key(clock.today(), scope_signature(user), f.query_string(), tuple(f.errors), kind,
                     cfg.get("DUE_SOON_DAYS", 7), cfg.get("PAGE_SIZE", 50), on=("ledger", "reference"))


def form_choices(user, office, reference_version):
    """The filter and action forms' choices, kept while the reference data (migration 0029) is unchanged:
    a write to a Problem makes the page cold but does not read these again."""
    def load():
        return dict(heads=choices.heads_choices(user) if office else [],
                    mechanisms=choices.mechanism_choices(), departments=choices.department_choices(user),
                    categories=choices.category_choices(), aspects=choices.aspect_choices())
    return cache.memo("ledger_choices", cache.content_key(reference_version, scope_signature(user), office), load)


def list_context(user, f, reference_version=None):
    page = queries.page_of(user, f)
    office = can(user, "ledger.office")
    forms = form_choices(user, office, reference_version) if reference_version is not None else None
    return dict(
        f=f, pg=page, counts=page.counts, STATUSES=STATUSES, SOURCES=SOURCES, SEVERITIES=SEVERITIES,
        REVIEW_STAGES=REVIEW_STAGES,
        ACTION_KINDS=ACTION_KINDS, office=office, today=clock.today(), forms=forms,
        heads=(forms["heads"] if forms else choices.heads_choices(user)) if office else [],
        mechanisms=(forms["mechanisms"] if forms else choices.mechanism_choices()) if office else [],
    )


@bp.route("/")
@require("ledger.view")
def index():
    user = current_user._get_current_object()  # one proxy lookup, not one per permission check
    f = parse_filters(request.args)
    partial = wants_partial()
    with_filters = triggered_by() != "ledger-filters"
    # the table, the counters and the filter form come from portal/cache.py while the ledger data version
    # is unchanged; a miss renders them once
    key = results_key(user, f, ("fragment" if partial else "page", with_filters))
    hit = cache.get("ledger", key)
    if hit is None:
        ctx = list_context(user, f, key[1][1])  # key[1]: the (ledger, reference) versions
        ctx["rows_html"] = rendered_rows(ctx["pg"], ctx["office"], can(user, "ledger.operate"), ctx["today"],
                                          url_for("ledger.index"), f.q.split())
        table = render_template("ledger/_table.html", **ctx)
        counters = render_template("ledger/_counters.html", oob=partial, **ctx)
        filters = ""
        if with_filters:
            forms = ctx["forms"]
            ctx.update(departments=forms["departments"], categories=forms["categories"],
                       all_mechanisms=forms["mechanisms"], aspects=forms["aspects"])
            filters = render_template("ledger/_filters.html", oob=partial, **ctx)
        hit = cache.put("ledger", key, (Markup(table), Markup(counters), Markup(filters), f.page))
    table, counters, filters, f.page = hit
    ctx = dict(f=f, table_html=table, counters_html=counters, filters_html=filters)
    resp = render("ledger/page.html", "ledger/_results.html", **ctx)
    if partial:  # a clean, bookmarkable address without the form's empty fields
        qs = f.query_string()
        push_url(resp, url_for("ledger.index") + (f"?{qs}" if qs else ""))
    return resp


@bp.route("/counters")
@require("ledger.view")
def counters():
    f = parse_filters(request.args)
    return render_template("ledger/_counters.html", f=f, counts=queries.status_counts(current_user, f),
                           STATUSES=STATUSES)


@bp.route("/export.xlsx")
@require("ledger.view")
def export():
    f = parse_filters(request.args)
    rows = queries.filtered(current_user, f)
    data = build_xlsx(rows.iterator(), default_title())
    n = rows.count()
    audit.record("ledger_export", "problem", "", detail={"filters": f.args(page=""), "rows": n})
    name = f"整改台账-{clock.today().isoformat()}.xlsx"
    resp = uploads.download(data, name, "xlsx")
    resp.headers["X-Ledger-Rows"] = str(n)
    return resp


@bp.route("/<int:problem_id>")
@require("ledger.view")
def detail(problem_id):
    return render_detail(service.get_problem_for(current_user, problem_id))


def render_detail(p, status=200, progress_note="", progress_error=None):
    """The detail page; a refused 整改进展 comes back here with its text kept (422)."""
    table.decorate([p])
    events = list(ProblemEvent.select(ProblemEvent, User).join(User, on=(ProblemEvent.actor == User.id),
                                                               join_type=JOIN.LEFT_OUTER)
                  .where(ProblemEvent.problem == p.id).order_by(ProblemEvent.at, ProblemEvent.id))
    for e in events:
        try:
            e.change_list = [(FIELD_LABELS.get(k, k), v[0], v[1]) for k, v in json.loads(e.changes).items()
                             if isinstance(v, list) and len(v) == 2] if e.changes and e.kind in (
                "edit", "deadline") else []
        except ValueError:
            e.change_list = []
    partner = None
    if p.partner_id:
        partner = queries.scoped_problems(current_user).where(Problem.id == p.partner_id).first()
    # a pair linked both ways (A.partner = B and B.partner = A) is listed once
    partner_of = list(queries.scoped_problems(current_user).where(
        (Problem.partner == p.id) & (Problem.id != (p.partner_id or 0))))
    return render_template(
        "ledger/detail.html", p=p, events=events, timeline=[e for e in events if e.kind in TIMELINE],
        progress_note=progress_note, progress_error=progress_error, EVENT_LABELS=EVENT_LABELS, STATUSES=STATUSES,
        evidence=list(ProblemEvidence.select().where(ProblemEvidence.problem == p.id)
                      .order_by(ProblemEvidence.id)),
        actions=list(ProblemAction.select().where(ProblemAction.problem == p.id).order_by(ProblemAction.date)),
        extensions=list(DeadlineExtension.select().where(DeadlineExtension.problem == p.id)
                        .order_by(DeadlineExtension.id.desc())),
        partner=partner, partner_of=partner_of, panels=problem_panels(p, current_user),
        ACTION_KINDS=ACTION_KINDS, today=clock.today(), office=can(current_user, "ledger.office")), status


@bp.route("/evidence/<int:evidence_id>")
@require("ledger.view")
def evidence(evidence_id):
    ev = ProblemEvidence.get_or_none(ProblemEvidence.id == evidence_id)
    if ev is None:
        abort(404)
    service.get_problem_for(current_user, ev.problem_id)  # scope check (404 + audit)
    audit.record("evidence_download", "problem", ev.problem_id, detail={"evidence": ev.id})
    return uploads.download(uploads.load(ev.key), ev.filename, ev.kind)


# -- 长效机制 ----------------------------------------------------------------------------------------

@bp.route("/mechanisms", methods=["GET", "POST"])
@require("ledger.view")
def mechanisms():
    errors, form = {}, {}
    if request.method == "POST":
        if not can(current_user, "ledger.mechanism"):
            deny("mechanism", need="ledger.mechanism")
        form = request.form
        title = (form.get("title") or "").strip()
        content = (form.get("content") or "").strip()
        try:
            date = dt.date.fromisoformat(form.get("date") or "")
        except ValueError:
            date = None
            errors["date"] = "请填写有效的建立日期。"
        if not 2 <= len(title) <= 128:
            errors["title"] = "请填写制度或机制名称（2–128 字）。"
        if len(content) > 4000:
            errors["content"] = "内容不超过 4000 字。"
        owner = None
        if form.get("owner"):
            raw = form.get("owner", "")
            owner = User.get_or_none(User.id == to_id(raw)) if to_id(raw) else None
            if owner is None:
                errors["owner"] = "请选择牵头责任人。"
        if not errors:
            m = Mechanism.create(title=title, content=content, owner=owner,
                                 department=owner.department_id if owner else None, date=date,
                                 created_by=current_user.id, created_at=clock.now())
            audit.record("mechanism_create", "mechanism", m.id, detail={"title": title})
            flash(f"已建立长效机制{quoted(title)}。可在台账中勾选普遍性问题，批量纳入该机制。", "success")
            return redirect(url_for("ledger.mechanisms"))
    counts = dict(MechanismProblem.select(MechanismProblem.mechanism, queries.fn.COUNT(MechanismProblem.id))
                  .join(Problem).where(queries.scope_problems(current_user))
                  .group_by(MechanismProblem.mechanism).tuples())
    mechs = list(Mechanism.select(Mechanism, User).join(User, join_type=JOIN.LEFT_OUTER,
                                                        on=(Mechanism.owner == User.id))
                 .order_by(Mechanism.date.desc(), Mechanism.id.desc()))
    uncovered = queries.scoped_problems(current_user).where(
        (Problem.severity == "common") & Problem.id.not_in(MechanismProblem.select(MechanismProblem.problem))).count()
    owners = []
    if can(current_user, "ledger.mechanism"):
        owners = list(User.select(User.id, User.real_name, Department.name).join(Department)
                      .where(User.is_active_flag == True)  # noqa: E712
                      .order_by(Department.sort_order, User.sort_name, User.id).tuples())
    return render("ledger/mechanisms.html", None, 422 if errors else 200, mechs=mechs, counts=counts,
                  uncovered=uncovered, errors=errors, form=form, owners=owners, today=clock.today())


# -- home panel: what the responsible person must do now -------------------------------------------

@home_panel(order=20)
def ledger_panel(user):
    if not can(user, "ledger.view"):
        return None
    base = queries.scoped_problems(user)
    scope = {}  # the ledger's filter that lists exactly what the panel counts
    if can(user, "ledger.mine_only"):
        base, scope = base.where(Problem.person == user.id), {"mine": 1}
    elif queries.visible_departments(user) is not None:  # the departments overseen: the dashboard's numbers
        base, scope = base.where(queries.charge_expr(user)), {"scope": "depts"}
    days = current_app.config.get("DUE_SOON_DAYS", 7)
    overdue = base.where(Problem.overdue_expr()).count()
    soon = list(base.where(Problem.due_soon_expr()).order_by(Problem.deadline, Problem.id).limit(5))
    soon_total = base.where(Problem.due_soon_expr()).count()
    verify = ext = confirm = 0
    if can(user, "problem.verify"):
        verify = base.where((Problem.status == "rectified") & (Problem.review_stage != "head")).count()
        ext = DeadlineExtension.select().where(DeadlineExtension.status == "pending").count()
    if "dept_head" in user.roles:
        confirm = base.where((Problem.status == "rectified") & (Problem.review_stage == "head")
                             & (Problem.department == user.department_id)).count()
    returned = queries.scoped_problems(user).where((Problem.person == user.id) & (Problem.review_stage == "returned")
                          & Problem.open_expr()).count()
    if not (overdue or soon_total or verify or ext or confirm or returned):
        return None
    return Markup(render_template("ledger/_home_panel.html", overdue=overdue, soon=soon,
                                  soon_total=soon_total, verify=verify, ext=ext, days=days, scope=scope,
                                  confirm=confirm, returned=returned,
                                  today=clock.today()))


from . import actions, demo, entry, import_views  # noqa: E402,F401
