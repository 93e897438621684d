"""Entering a problem by hand (巡察, 上级交办, 领导点评, 群众反映, 明察暗访, 自查, 其他): the discipline office for
every department, a head for their own. The department and person lists, and every value posted back,
are read through scope_entry_departments in SQL; a department or person outside it is a 403, audited."""
import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import campaign_settings, clock, problems, uploads, workdays
from ..errors import PortalError
from ..extensions import db
from ..htmx import render
from ..models import SEVERITIES, SOURCES, Campaign, Department, Item, Problem, User
from ..models.problem import MANUAL_SOURCES
from ..notify import notify
from ..params import to_id
from ..permissions import deny, require, scope_entry_departments
from . import bp, choices, service, workflow


def entry_departments(user):
    return list(Department.select(Department.id, Department.name)
                .where(scope_entry_departments(user) & (Department.is_active == True))  # noqa: E712
                .order_by(Department.sort_order, Department.id).tuples())


def department_for(user, raw):
    """The department posted, within the user's entry scope; outside it (existing) → 403 audited."""
    did = to_id(raw)
    if did is None:
        return None
    d = Department.select().where((Department.id == did) & scope_entry_departments(user)
                                  & (Department.is_active == True)).first()  # noqa: E712
    if d is None and Department.select().where(Department.id == did).exists():
        deny("department", did, need="problem.create")
    return d


def people_of(dept_id):
    return list(User.select(User.id, User.real_name, User.title)
                .where((User.department == dept_id) & (User.is_active_flag == True))  # noqa: E712
                .order_by(User.sort_name, User.id).tuples())


def person_for(dept, raw):
    pid = to_id(raw)
    if pid is None:
        return None
    u = User.select().where((User.id == pid) & (User.department == dept.id)
                            & (User.is_active_flag == True)).first()  # noqa: E712
    if u is None and User.select().where(User.id == pid).exists():
        deny("user", pid, need="problem.create", department=dept.id)
    return u


def default_deadline(today=None) -> dt.date:
    return workdays.add_workdays(today or clock.today(), int(campaign_settings.get("rectify_workdays")))


def parse(form, user):
    """(fields for problems.create, errors {field: Chinese message})."""
    errors, values = {}, {}
    source = form.get("source", "")
    if source not in MANUAL_SOURCES:
        errors["source"] = "请选择问题来源。"
    dept = department_for(user, form.get("department"))
    if dept is None:
        errors["department"] = "请选择责任单位。"
    person = person_for(dept, form.get("person")) if dept is not None else None
    if dept is not None and form.get("person") and person is None:
        errors["person"] = "请从所选单位的人员中选择责任人。"
    c = Campaign.active()
    item = None
    iid = to_id(form.get("item"))
    if iid and c is not None:
        item = Item.get_or_none((Item.id == iid) & (Item.campaign == c.id))
    if item is None:
        errors["item"] = "请选择问题类别和具体问题项。"
    severity = form.get("severity", "general")
    if severity not in SEVERITIES:
        errors["severity"] = "请选择严重程度。"
    try:
        deadline = dt.date.fromisoformat((form.get("deadline") or "").strip())
    except ValueError:
        deadline = None
        errors["deadline"] = "请填写有效的整改时限。"
    if deadline is not None and deadline < clock.today():
        errors["deadline"] = "整改时限不能早于今天。"
    elif deadline is not None and deadline > clock.today() + dt.timedelta(days=366):
        errors["deadline"] = "整改时限不宜超过一年。"
    desc = (form.get("description") or "").strip()
    if not 4 <= len(desc) <= 4000:
        errors["description"] = "问题描述 4–4000 字。"
    measures = (form.get("measures") or "").strip()
    if len(measures) > 4000:
        errors["measures"] = "整改措施不超过 4000 字。"
    if not errors:
        values = dict(campaign=c.id, item=item.id, aspect=None, person=person.id if person else None,
                      department=dept.id, source=source, self_reported=source == "selfcheck",
                      severity=severity, deadline=deadline, description=desc, measures=measures)
    return values, errors


def create(user, values, files) -> Problem:
    """Write the problem and its attachments in one transaction; tell whoever works it."""
    checked = uploads.check_files(files) if files else []
    with db.atomic():
        p = problems.create(actor=user, note=f"手工登记（{SOURCES[values['source']]}）", **values)
        service._store_evidence(p, checked, user, purpose="attachment")
    url = url_for("ledger.detail", problem_id=p.id)
    text = f"新的整改事项 #{p.id}（{p.source_label}）：{p.description[:30]}，整改时限 {p.deadline.isoformat()}"
    for uid in ([p.person_id] if p.person_id else workflow.heads_of(p.department_id)):
        if uid != user.id:
            notify(uid, "rectify", text, url, key=f"ledger-new:{p.id}:{uid}")
    return p


def _form_context(user, form, errors):
    depts = entry_departments(user)
    dept_id = to_id(form.get("department")) or (depts[0][0] if len(depts) == 1 else None)
    cat_id = to_id(form.get("category"))
    cats = choices.category_choices()
    items = next((its for cat, its in cats if cat.id == cat_id), [])
    return dict(form=form, errors=errors, departments=depts, dept_id=dept_id,
                people=people_of(dept_id) if dept_id and dept_id in {d[0] for d in depts} else [],
                categories=cats, cat_id=cat_id, items=items, SOURCES=SOURCES, MANUAL_SOURCES=MANUAL_SOURCES,
                SEVERITIES=SEVERITIES, default_deadline=default_deadline(), today=clock.today(),
                workdays_n=campaign_settings.get("rectify_workdays"))


@bp.route("/new", methods=["GET", "POST"])
@require("problem.create")
def new():
    user = current_user._get_current_object()
    if request.method == "GET":
        return render("ledger/new.html", None, **_form_context(user, request.args, {}))
    values, errors = parse(request.form, user)
    if not errors:
        try:
            p = create(user, values, request.files.getlist("attachments"))
        except PortalError as e:
            errors["attachments"] = e.message
        else:
            flash(f"已登记整改事项 #{p.id}。", "success")
            return redirect(url_for("ledger.detail", problem_id=p.id), 303)
    return render("ledger/new.html", None, 422, **_form_context(user, request.form, errors))


@bp.route("/new/items")
@require("problem.create")
def new_items():
    """The item select of one category (htmx, on category change)."""
    cat_id = to_id(request.args.get("category"))
    items = next((its for cat, its in choices.category_choices() if cat.id == cat_id), [])
    return render_template("ledger/_entry_items.html", items=items, selected=None)


@bp.route("/new/people")
@require("problem.create")
def new_people():
    """The person select of one department in the user's entry scope (htmx, on department change)."""
    dept = department_for(current_user, request.args.get("department"))
    return render_template("ledger/_entry_people.html", people=people_of(dept.id) if dept else [],
                           selected=None)
