"""The clue ledger pages: the list with bookmarkable filters, recording an offline tip, the clue page,
and clues reserved for the higher body. State-changing actions live in actions.py."""
from urllib.parse import urlencode

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from .. import audit, clock, uploads, workdays
from ..errors import PortalError
from ..htmx import render
from ..nav import clue_panels
from ..models.tip import CHANNELS, CLUE_STATUSES, Clue, ClueEvent, Tip
from ..permissions import can, require, scope_escalated_clues
from ..tips import service as tips
from ..tips.views import fill_choices, reporter_from, subject_from
from . import bp, queries, service
from .forms import (AssignForm, ConcludeForm, FilterForm, ForwardForm, LinkForm, MessageForm, NoteForm,
                    RecordForm, SubjectForm, VersionForm)


@bp.route("/")
@require("clues.view")
def index():
    form = FilterForm(request.args)
    form.category.choices = queries.category_choices()
    form.handler.choices = queries.handler_filter_choices(current_user)
    f = {k: v for k, v in form.data.items() if v not in (None, "", 0)} if form.validate() else {}
    counted = queries.counts(current_user)
    rows, total, page, pages = queries.page_of(current_user, f, counted)
    same = queries.same_person_counts(current_user, rows)
    base = {k: v for k, v in f.items() if k != "page"}

    def url_for_page(n):
        return url_for("clues.index", **(base | {"page": n}))
    ctx = dict(form=form, rows=rows, total=total, page_no=page, pages=pages, same=same, url_for_page=url_for_page,
               counts=counted, statuses=CLUE_STATUSES, filters=f,
               can_manage=can(current_user, "clues.manage"),
               escalated_count=Clue.select().where(scope_escalated_clues(current_user)).count())
    return render("clues/index.html", "clues/_table.html", **ctx)


@bp.route("/new", methods=["GET", "POST"])
@require("clues.manage")
def new():
    form = RecordForm()
    fill_choices(form)
    form.subject_department.choices[0] = (0, "请选择")
    status = 200
    if form.validate_on_submit():
        if form.received_on.data > clock.today():
            form.received_on.errors = ["收到日期不能晚于今天"]
        files = None
        if not form.received_on.errors:
            try:
                files = uploads.check_files(request.files.getlist(form.files.name))
            except uploads.UploadError as e:
                form.files.errors = [str(e) + "。请重新选择文件，其余内容已保留。"]
        if files is not None:
            reporter = reporter_from(form)
            if reporter is not None:
                reporter["address"] = form.reporter_address.data
            tip, clue, code, password = tips.create_tip(
                subject=subject_from(form), body=form.body.data, item_id=form.item.data or None,
                reporter=reporter, files=files, channel=form.channel.data, received_on=form.received_on.data,
                recorded_by=current_user._get_current_object(), issue_code=form.issue_code.data)
            if code:
                resp = render("clues/recorded.html", clue=clue, code=tips.format_code(code), password=password)
                resp.headers["Cache-Control"] = "no-store"
                return resp
            flash(f"已登记线索 {clue.number}。", "success")
            return redirect(url_for("clues.detail", clue_id=clue.id), 303)
        status = 422
    elif request.method == "POST":
        status = 422
    if not form.received_on.data and request.method == "GET":
        form.received_on.data = clock.today()
    return render("clues/new.html", form=form, status=status)


def problem_url(problem_id):
    return url_for("ledger.detail", problem_id=problem_id)


def detail_context(clue, **overrides):
    user = current_user
    manage = can(user, "clues.manage", clue)
    content = tips.read(clue.tip)
    assign = AssignForm(formdata=None, version=clue.version)
    assign.handler_id.choices = [(0, "（不指定个人）")] + [
        (u.id, f"{u.real_name}（{u.department.name}）") for u in service.handler_candidates() if u.id != clue.subject_user_id]
    assign.handler_department_id.choices = queries.department_choices()
    conclude = ConcludeForm(formdata=None, version=clue.version)
    conclude.person_id.choices = queries.people_choices()
    conclude.person_id.data = clue.subject_user_id or 0
    leaders = service.leader_candidates(clue.subject_department_id) if clue.subject_department_id else []
    conclude.leader_id.choices = [(0, "请选择")] + [(u.id, f"{u.real_name}（{u.title or '局领导'}）") for u in leaders] \
        if leaders else queries.people_choices()
    if leaders:
        conclude.leader_id.data = leaders[0].id
    subject = SubjectForm(formdata=None, version=clue.version)
    subject.user_id.choices = queries.people_choices("请选择被反映人")
    subject.user_id.data = clue.subject_user_id or 0
    ctx = dict(
        clue=clue, content=content, manage=manage, handler=can(user, "clues.handle", clue),
        files=tips.files_of(clue.tip),
        messages=tips.messages(clue.tip) if manage else [],
        events=list(ClueEvent.select().where(ClueEvent.clue == clue).order_by(ClueEvent.id)),
        links=service.linked_problems(clue), related=service.related(clue, user), panels=clue_panels(clue, user),
        finding=service.finding(clue), reply=service.reply(clue),
        accept_form=VersionForm(formdata=None, version=clue.version),
        start_form=VersionForm(formdata=None, version=clue.version),
        assign_form=assign, conclude_form=conclude, subject_form=subject,
        message_form=MessageForm(formdata=None), note_form=NoteForm(formdata=None), link_form=LinkForm(formdata=None),
        workdays_left=(workdays.workdays_between(clock.today(), clue.due) if clue.due else None),
        provisional=bool(clue.due and not workdays.covered(clue.due.year)),
        channels=CHANNELS, error=None, problem_url=problem_url,
        statuses_label=lambda s: CLUE_STATUSES.get(s, s),
        **identity_box(clue, user),
    )
    for key, form in overrides.items():  # a re-shown form keeps the input, gets choices and the version
        default = ctx.get(key)
        if default is None or not hasattr(form, "_fields"):
            continue
        for name, fld in form._fields.items():
            if hasattr(fld, "choices") and not fld.choices and name in default._fields:
                fld.choices = default[name].choices
        if "version" in form._fields:
            form.version.data = clue.version
    ctx.update(overrides)
    return ctx


@bp.route("/<int:clue_id>")
@login_required
def detail(clue_id):
    clue = service.get_clue_for(current_user, clue_id)
    audit.record("clue_view", "clue", clue.id)
    return render("clues/detail.html", **detail_context(clue))


@bp.route("/escalated")
@require("clues.manage")
def escalated():
    rows = list(Clue.select(Clue, Tip).join(Tip).where(scope_escalated_clues(current_user))
                .order_by(Clue.id.desc()))
    return render("clues/escalated.html", rows=rows)


@bp.route("/escalated/<int:clue_id>", methods=["GET", "POST"])
@require("clues.manage")
def escalated_detail(clue_id):
    clue = service.get_clue_for(current_user, clue_id, escalated=True)
    form = ForwardForm()
    status = 200
    error = None
    if form.validate_on_submit():
        try:
            service.forward(clue, current_user._get_current_object(), form.note.data)
            flash(f"已登记线索 {clue.number} 的移送情况。", "success")
            return redirect(url_for("clues.escalated_detail", clue_id=clue.id), 303)
        except PortalError as e:
            error, status = e.message, e.status
    elif request.method == "POST":
        status = 422
    show = request.args.get("materials") == "1"
    content = None
    if show:  # the hand-over materials for the higher body: content only, audited
        audit.record("clue_handover_view", "clue", clue.id)
        content = tips.read(clue.tip)
    return render("clues/escalated_detail.html", clue=clue, form=form, content=content, error=error,
                  files=tips.files_of(clue.tip) if show else [], status=status,
                  **identity_box(clue, current_user._get_current_object()))


def identity_box(clue, user):
    from .identity_views import box_context
    return box_context(clue, user)


from . import actions, identity_views, panels  # noqa: E402,F401
