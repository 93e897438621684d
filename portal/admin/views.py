"""System administration (sysadmin): users and the department tree, with htmx partial updates."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import clock, htmx
from ..models import Department, User
from ..paging import paginate
from ..params import to_id
from ..permissions import ADMIN_ROLES, ROLES, RoleConflict, require, scope_users
from . import bp, service
from .forms import DepartmentForm, EmptyForm, UserFilterForm, UserForm

MANAGE = "admin.manage"


def _user_or_404(user_id) -> User:
    user = (User.select(User, Department).join(Department)
            .where((User.id == user_id) & scope_users(current_user)).first())
    if user is None:
        abort(404)
    service.attach_roles([user])
    return user


def _dept_or_404(dept_id) -> Department:
    d = Department.get_or_none(Department.id == dept_id)
    if d is None:
        abort(404)
    return d


def _ctx_common():
    return {"ROLES": ROLES, "ADMIN_ROLES": ADMIN_ROLES}


@bp.context_processor
def _admin_globals():
    return {"now": clock.now}


# --- users -------------------------------------------------------------------------------------

@bp.route("/")
@require(MANAGE)
def index():
    form = UserFilterForm(request.args)
    form.fill(service.departments_for_select(active_only=False))
    query = service.user_query(current_user, q=form.q.data, department=_int(form.department.data),
                               role=form.role.data or "", active=form.active.data or "")
    p = paginate(query, request.args.get("page"))
    users, page, pages, total = p.rows, p.page, p.pages, p.total
    service.attach_roles(users)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return htmx.render("admin/users.html", "admin/_user_results.html", form=form, users=users, pg=page,
                       pages=pages, total=total, page_url=lambda p: url_for("admin.index", page=p, **args),
                       action_form=EmptyForm(), **_ctx_common())


def _int(v):
    return to_id(v)


def _user_form(user=None, formdata=None):
    form = UserForm(formdata=formdata, obj=None)
    all_depts = service.departments_for_select(active_only=False)
    form.fill(all_depts)
    form.charges.choices = service.chargeable_departments()
    if user is not None and formdata is None:
        form.username.data, form.real_name.data = user.username, user.real_name
        form.employee_no.data, form.department.data = user.employee_no or "", user.department_id
        form.title.data, form.phone.data, form.is_active.data = user.title, user.phone, user.is_active
        form.email.data = user.email
        form.roles.data = sorted(user.roles)
        form.charges.data = sorted(user.departments_in_charge)
    return form


def _validate_user_form(form, user=None) -> bool:
    ok = form.validate()
    if form.department.data == 0:
        form.department.errors = list(form.department.errors) + ["请选择部门"]
        ok = False
    elif form.department.data:
        d = Department.get_or_none(Department.id == form.department.data)
        if d is None or (not d.is_active and (user is None or d.id != user.department_id)):
            form.department.errors = list(form.department.errors) + ["该部门已停用，请选择在用部门"]
            ok = False
    if user is not None and user.id == current_user.id and not form.is_active.data:
        form.is_active.errors = list(form.is_active.errors) + ["不能停用自己的账号"]
        ok = False
    clashes = service.check_unique(form.username.data, form.employee_no.data or None,
                                   exclude_id=user.id if user else None)
    for name, msg in clashes.items():
        getattr(form, name).errors = list(getattr(form, name).errors) + [msg]
        ok = False
    return ok


def _fields(form):
    return {"username": form.username.data, "real_name": form.real_name.data,
            "employee_no": form.employee_no.data or None,
            "department": Department.get_by_id(form.department.data),
            "title": form.title.data or "", "phone": form.phone.data or "", "email": form.email.data or ""}


@bp.route("/users/new", methods=["GET", "POST"])
@require(MANAGE)
def user_new():
    form = _user_form(formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.is_active.data = True
        form.roles.data = ["staff"]
    status, conflict = 200, None
    if request.method == "POST":
        if _validate_user_form(form):
            try:
                fields = _fields(form)
                user, password = service.create_account(
                    current_user, fields.pop("username"), fields.pop("real_name"), fields.pop("department"),
                    form.roles.data, charges=form.charges.data, **fields)
            except RoleConflict as e:
                conflict = str(e)
            else:
                if not form.is_active.data:
                    user = service.set_user_active(current_user, user, False)
                service.attach_roles([user])
                resp = htmx.render("admin/password_once.html", "admin/_user_created.html", person=user,
                                   password=password, created=True)
                return htmx.toast(htmx.trigger(resp, "users-changed"), f"已创建用户 {user.real_name}")
        status = 422
    return htmx.render("admin/user_form.html", "admin/_user_create.html", status=status, form=form,
                       conflict=conflict, **_ctx_common())


@bp.route("/users/<int:user_id>/row")
@require(MANAGE)
def user_row(user_id):
    return render_template("admin/_user_row.html", u=_user_or_404(user_id), action_form=EmptyForm())


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@require(MANAGE)
def user_edit(user_id):
    user = _user_or_404(user_id)
    form = _user_form(user, formdata=request.form if request.method == "POST" else None)
    status, conflict = 200, None
    if request.method == "POST":
        if _validate_user_form(form, user):
            try:
                updated = service.update_account(current_user, user, form.roles.data, form.charges.data,
                                                 **_fields(form))
                if bool(form.is_active.data) != bool(updated.is_active_flag):
                    updated = service.set_user_active(current_user, updated, bool(form.is_active.data))
            except (RoleConflict, service.AdminError) as e:
                conflict = str(e)
            else:
                service.attach_roles([updated])
                if not htmx.is_htmx():
                    flash(f"已保存 {updated.real_name} 的信息。", "success")
                    return redirect(url_for("admin.index"))
                resp = htmx.render("admin/_user_row.html", u=updated, action_form=EmptyForm())
                return htmx.toast(resp, f"已保存 {updated.real_name} 的信息")
        status = 422
    return htmx.render("admin/user_form.html", "admin/_user_edit.html", status=status, form=form, u=user,
                       conflict=conflict, held_admin_roles=sorted(user.roles & ADMIN_ROLES), **_ctx_common())


def _row_or_page(user, message, kind="success", status=200):
    if not htmx.is_htmx():
        flash(message, "success" if status < 400 else "error")
        return redirect(url_for("admin.index"))
    resp = htmx.render("admin/_user_row.html", status=status, u=user, action_form=EmptyForm(),
                       row_error=message if status >= 400 else None)
    return htmx.toast(resp, message, kind) if status < 400 else resp


@bp.route("/users/<int:user_id>/disable", methods=["POST"])
@require(MANAGE)
def user_disable(user_id):
    user = _user_or_404(user_id)
    try:
        user = service.set_user_active(current_user, user, False)
    except service.AdminError as e:
        return _row_or_page(user, str(e), status=409)
    service.attach_roles([user])
    return _row_or_page(user, f"已停用 {user.real_name} 的账号")


@bp.route("/users/<int:user_id>/enable", methods=["POST"])
@require(MANAGE)
def user_enable(user_id):
    user = service.set_user_active(current_user, _user_or_404(user_id), True)
    service.attach_roles([user])
    return _row_or_page(user, f"已启用 {user.real_name} 的账号")


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@require(MANAGE)
def user_reset_password(user_id):
    EmptyForm()  # CSRF is checked globally; nothing else to read
    user = _user_or_404(user_id)
    try:
        password = service.reset_password(current_user, user)
    except service.AdminError as e:
        service.attach_roles([user])
        return _row_or_page(user, str(e), status=409)
    user = _user_or_404(user_id)
    resp = htmx.render("admin/password_once.html", "admin/_user_reset.html", person=user, u=user,
                       password=password, created=False, action_form=EmptyForm())
    return htmx.toast(resp, f"已重置 {user.real_name} 的密码")


# --- departments -------------------------------------------------------------------------------

def _dept_panel(form=None, message=None, status=200, page="admin/departments.html"):
    if form is None:
        form = DepartmentForm(formdata=None)
        form.fill(service.departments_for_select(True))
    return htmx.render(page, "admin/_dept_panel.html", status=status, form=form,
                       tree=service.department_tree(), message=message, action_form=EmptyForm())


@bp.route("/departments")
@require(MANAGE)
def departments():
    return _dept_panel()


@bp.route("/departments/new", methods=["POST"])
@require(MANAGE)
def department_new():
    form = DepartmentForm()
    form.fill(service.departments_for_select(True))
    if form.validate():
        try:
            d = service.create_department(form.name.data, form.kind.data, form.parent.data,
                                          form.sort_order.data, actor=current_user)
        except service.AdminError as e:
            form.name.errors = list(form.name.errors) + [str(e)]
        else:
            if not htmx.is_htmx():
                flash(f"已新建部门：{d.name}", "success")
                return redirect(url_for("admin.departments"))
            return htmx.toast(_dept_panel(), f"已新建部门：{d.name}")
    return _dept_panel(form=form, status=422)


@bp.route("/departments/<int:dept_id>/row")
@require(MANAGE)
def department_row(dept_id):
    d = _dept_or_404(dept_id)
    row = next(r for r in service.department_tree() if r[0].id == d.id)
    return render_template("admin/_dept_row.html", row=row, action_form=EmptyForm())


@bp.route("/departments/<int:dept_id>/edit", methods=["GET", "POST"])
@require(MANAGE)
def department_edit(dept_id):
    d = _dept_or_404(dept_id)
    form = DepartmentForm(formdata=request.form if request.method == "POST" else None, obj=d)
    blocked = service.descendants(d.id) | {d.id}
    choices = [(i, n) for i, n in service.departments_for_select(True) if i not in blocked]
    if d.parent_id and d.parent_id not in {i for i, _n in choices}:  # keep an inactive parent selectable
        choices.append((d.parent_id, Department.get_by_id(d.parent_id).name + "（已停用）"))
    form.fill(choices)
    if request.method == "GET":
        form.parent.data = d.parent_id
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                d = service.update_department(d, form.name.data, form.kind.data, form.parent.data,
                                              form.sort_order.data, actor=current_user)
            except service.AdminError as e:
                form.name.errors = list(form.name.errors) + [str(e)]
            else:
                if not htmx.is_htmx():
                    flash(f"已保存部门：{d.name}", "success")
                    return redirect(url_for("admin.departments"))
                resp = htmx.retarget(_dept_panel(), "#dept-area", "outerHTML")
                return htmx.toast(resp, f"已保存部门：{d.name}")
        status = 422
    depth = next((r[1] for r in service.department_tree() if r[0].id == d.id), 0)
    return htmx.render("admin/department_edit.html", "admin/_dept_edit.html", status=status, form=form, d=d,
                       depth=depth)


def _dept_active(dept_id, active):
    d = _dept_or_404(dept_id)
    try:
        d = service.set_department_active(d, active, actor=current_user)
    except service.AdminError as e:
        if not htmx.is_htmx():
            flash(str(e), "error")
            return redirect(url_for("admin.departments"))
        return _dept_panel(message=str(e), status=409)
    text = f"已{'启用' if active else '停用'}部门：{d.name}"
    if not htmx.is_htmx():
        flash(text, "success")
        return redirect(url_for("admin.departments"))
    return htmx.toast(_dept_panel(), text)


@bp.route("/departments/<int:dept_id>/deactivate", methods=["POST"])
@require(MANAGE)
def department_deactivate(dept_id):
    return _dept_active(dept_id, False)


@bp.route("/departments/<int:dept_id>/activate", methods=["POST"])
@require(MANAGE)
def department_activate(dept_id):
    return _dept_active(dept_id, True)
