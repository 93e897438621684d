"""The security administrator's operations: roles (grant/revoke), two-factor resets, forced sign-out.
Every change and every refusal is audited here."""

from .. import accounts
from ..auth import presence, totp
from ..models import Department, User
from ..models.security import TotpCredential
from ..permissions import ADMIN_ROLES, RoleConflict
from .service import AdminError, filter_users, guard_other_admin, refuse

ADMIN_2FA_MESSAGE = ("三员分立：不能重置管理员（系统管理员、安全管理员、审计管理员）的双因素认证，"
                     "请由单位授权人员在服务器上执行 flask --app app auth reset-2fa。")


def role_query(q="", role="", department=None):
    """People for the role page."""
    query = User.select(User, Department).join(Department)
    query = filter_users(query, q, department, role)
    return query.order_by(Department.sort_order, Department.name, User.sort_name, User.username)


def attach_totp(users):
    """u.totp_on (enabled), u.totp_started (a secret exists, maybe unconfirmed), with one query."""
    ids = [u.id for u in users]
    state = dict(TotpCredential.select(TotpCredential.user, TotpCredential.enabled_at)
                 .where(TotpCredential.user.in_(ids)).tuples()) if ids else {}
    for u in users:
        u.totp_started = u.id in state
        u.totp_on = state.get(u.id) is not None
    return users


def locked_reason(actor, user) -> str | None:
    """Why the secadmin may not change this account here (None = they may)."""
    if user.id == actor.id:
        return "本人账号"
    if user.roles & ADMIN_ROLES:
        return "管理员账号"
    return None


def set_roles(actor, user, roles):
    """Grant and revoke so that `user` has exactly `roles`. RoleConflict is audited (accounts.set_roles)."""
    roles = set(roles)
    accounts.set_roles(user, roles, actor=actor)
    if "leader" not in roles and user.departments_in_charge:
        accounts.set_charges(user, [], actor=actor)
    return User.get_by_id(user.id)


def reset_2fa(actor, user):
    if user.id == actor.id:
        refuse(actor, user, "重置双因素认证", "不能重置自己的双因素认证，请在“双因素认证”中使用恢复码或重新生成。")
    guard_other_admin(actor, user, "重置双因素认证", ADMIN_2FA_MESSAGE)
    if totp.credential(user) is None:
        raise AdminError(f"{user.real_name} 尚未绑定身份验证器，无需重置")
    totp.remove(user, actor)
    # whoever holds the old phone or codes must not stay signed in
    presence.force_sign_out(actor, user)


def force_sign_out(actor, user):
    if user.id == actor.id:
        refuse(actor, user, "强制下线", "不能强制自己下线，请使用“退出”。")
    presence.force_sign_out(actor, user)


__all__ = ["AdminError", "RoleConflict", "role_query", "locked_reason", "set_roles", "reset_2fa",
           "force_sign_out"]
