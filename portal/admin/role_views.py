"""角色管理 (security administrator): grant and revoke roles, reset a person's second factor. Never on the
secadmin's own account or another administrator's; every change and refusal is audited."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import htmx
from ..auth import policy
from ..models import User
from ..permissions import ADMIN_ROLES, ROLES, RoleConflict
from . import bp, service
from . import security_service as secsvc
from ..paging import paginate
from ..params import to_id
from ..htmx import toast
from ..permissions import require
from .forms import EmptyForm, RoleFilterForm, RoleForm

SECURITY = "admin.security"


def _person(user_id):
    row = secsvc.role_query().where(User.id == user_id).first()
    if row is None:
        abort(404)
    service.attach_roles([row])
    secsvc.attach_totp([row])
    return row


def _row_ctx(u, **extra):
    return dict(u=u, action_form=EmptyForm(), locked=secsvc.locked_reason(current_user, u),
                required=bool(u.roles & policy.totp_required_roles()), ROLES=ROLES, ADMIN_ROLES=ADMIN_ROLES,
                **extra)


def _row(u, status=200, **extra):
    """The person's row (htmx); a plain request goes back to the list with the message."""
    if not htmx.is_htmx():
        flash(extra.get("row_error") or extra.get("text", ""), "error" if status >= 400 else "success")
        return redirect(url_for("admin.roles"))
    return htmx.render("admin/_role_row.html", status=status, **_row_ctx(u, **extra))


@bp.route("/roles")
@require(SECURITY)
def roles():
    form = RoleFilterForm(request.args)
    form.fill(service.departments_for_select(active_only=False))
    dept = request.args.get("department")
    query = secsvc.role_query(q=form.q.data, role=form.role.data or "",
                              department=to_id(dept))
    _p = paginate(query, request.args.get("page"))
    people, page, pages, total = _p.rows, _p.page, _p.pages, _p.total
    service.attach_roles(people)
    secsvc.attach_totp(people)
    required = policy.totp_required_roles()
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return htmx.render("admin/roles.html", "admin/_role_results.html", form=form, people=people, pg=page,
                       pages=pages, total=total, page_url=lambda p: url_for("admin.roles", page=p, **args),
                       action_form=EmptyForm(), me=current_user, locked_reason=secsvc.locked_reason,
                       required_roles=required, ROLES=ROLES, ADMIN_ROLES=ADMIN_ROLES)


@bp.route("/roles/<int:user_id>/row")
@require(SECURITY)
def role_row(user_id):
    return render_template("admin/_role_row.html", **_row_ctx(_person(user_id)))


@bp.route("/roles/<int:user_id>/edit", methods=["GET", "POST"])
@require(SECURITY)
def role_edit(user_id):
    u = _person(user_id)
    reason = secsvc.locked_reason(current_user, u)
    form = RoleForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        if reason:
            return _row(u, status=409, row_error=_locked_text(reason))
        form.roles.data = sorted(u.roles)
        return htmx.render("admin/role_edit.html", "admin/_role_edit.html", form=form, u=u)
    if form.validate():
        try:
            fresh = secsvc.set_roles(current_user, u, form.roles.data or [])
        except RoleConflict as e:
            return htmx.render("admin/role_edit.html", "admin/_role_edit.html", status=422, form=form, u=u,
                               conflict=str(e))
        fresh = _person(fresh.id)
        text = f"已调整 {fresh.real_name} 的角色"
        if not htmx.is_htmx():
            flash(text, "success")
            return redirect(url_for("admin.roles"))
        return toast(_row(fresh), text)
    return htmx.render("admin/role_edit.html", "admin/_role_edit.html", status=422, form=form, u=u)


def _locked_text(reason):
    if reason == "本人账号":
        return "三员分立：不能授予或撤销自己账号的角色。"
    return "三员分立：不能更改其他管理员账号，须由单位授权人员在服务器上办理。"


@bp.route("/roles/<int:user_id>/reset-2fa", methods=["POST"])
@require(SECURITY)
def role_reset_2fa(user_id):
    u = _person(user_id)
    try:
        secsvc.reset_2fa(current_user, u)
    except service.AdminError as e:
        return _row(u, status=409, row_error=str(e))
    text = f"已重置 {u.real_name} 的双因素认证，其下次登录时须重新绑定"
    if not htmx.is_htmx():
        flash(text, "success")
        return redirect(url_for("admin.roles"))
    return toast(_row(_person(u.id)), text)

