"""Navigation entries and home-page panels of the three administrators (三员分立)."""
import datetime as dt

from flask import render_template
from peewee import fn

from .. import audit, clock
from ..models import AuditRecord, RoleAssignment, User
from ..nav import home_panel, register_nav
from ..permissions import can
from . import service

register_nav("系统管理", "admin.index", lambda u: can(u, "admin.manage"), order=90)
register_nav("安全管理", "admin.security", lambda u: can(u, "admin.security"), order=91)
register_nav("审计日志", "admin.audit_log", lambda u: can(u, "audit.read"), order=92)
register_nav("登录日志", "admin.login_log", lambda u: can(u, "audit.read"), order=93)


@home_panel(order=5)
def sysadmin_panel(user):
    if not can(user, "admin.manage"):
        return None
    items = [
        (service.users_without_roles_count(), "个在用账号尚未分配角色", "admin.index", {"role": "none", "active": "1"}),
        (service.leaders_without_charges_count(), "名分管局领导尚未设置分管部门", "admin.index", {"role": "leader"}),
        (service.departments_without_head_count(), "个科室（单位）没有负责人", "admin.departments", {}),
    ]
    disabled = User.select().where(User.is_active_flag == False).count()  # noqa: E712
    return render_template("admin/_home_panel.html", title="系统管理待办",
                           items=[i for i in items if i[0]], done="账号、角色和部门设置齐全，暂无待办。",
                           links=[("用户管理", "admin.index"), ("部门管理", "admin.departments"),
                                  ("花名册导入导出", "admin.roster")],
                           note=f"在用账号 {User.select().where(User.is_active_flag == True).count()} 个"  # noqa: E712
                                + (f"，已停用 {disabled} 个" if disabled else "") + "。")


@home_panel(order=5)
def secadmin_panel(user):
    if not can(user, "admin.security"):
        return None
    now = clock.now()
    locked = User.select().where(User.locked_until > now).count()
    failed = (AuditRecord.select().where((AuditRecord.action == "login_failed")
                                         & (AuditRecord.at >= now - dt.timedelta(hours=24))).count())
    pending = User.select().where((User.must_change_password == True)  # noqa: E712
                                  & (User.is_active_flag == True)).count()  # noqa: E712
    items = []
    if locked:
        items.append((locked, "个账号因连续输错密码被锁定，核实后可解除", "admin.security", {}))
    if failed:
        items.append((failed, "次登录失败（近 24 小时）", "admin.security", {}))
    return render_template("admin/_home_panel.html", title="安全管理待办", items=items,
                           done="当前没有被锁定的账号，近 24 小时无登录失败。",
                           links=[("安全管理", "admin.security"), ("角色管理", "admin.roles"),
                                  ("在线用户", "admin.sessions"), ("安全设置", "admin.security_settings_edit")],
                           note=f"{pending} 个账号尚待修改初始密码。" if pending else None)


@home_panel(order=5)
def auditor_panel(user):
    if not can(user, "audit.read"):
        return None
    ok, message = audit.verify()
    since = clock.now() - dt.timedelta(days=7)
    flagged = dict(AuditRecord.select(AuditRecord.outcome, fn.COUNT(AuditRecord.id))
                   .where((AuditRecord.at >= since) & (AuditRecord.outcome != "ok"))
                   .group_by(AuditRecord.outcome).tuples())
    items = []
    if flagged.get("denied"):
        items.append((flagged["denied"], "次越权访问尝试（近 7 天）", "admin.audit_log", {"outcome": "denied"}))
    if flagged.get("refused"):
        items.append((flagged["refused"], "次被拒绝的操作（近 7 天）", "admin.audit_log", {"outcome": "refused"}))
    admin_changes = _admin_account_changes(since)
    if admin_changes:
        items.append((admin_changes, "次管理员账号被重置密码、撤销角色或停用/启用（近 7 天），请核查",
                      "admin.audit_log", {"object": "user", "start": since.date().isoformat()}))
    if flagged.get("locked"):
        items.append((flagged["locked"], "次账号锁定（近 7 天）", "admin.audit_log", {"outcome": "locked"}))
    return render_template("admin/_home_panel.html", title="审计待办", items=items,
                           chain=(ok, message, audit.count()),
                           done="近 7 天没有越权访问或被拒绝的操作。",
                           links=[("审计日志", "admin.audit_log"), ("登录日志", "admin.login_log")])


ADMIN_ACCOUNT_ACTIONS = ("password_reset", "role_revoke", "user_disable", "user_enable", "user_unlock",
                         "totp_reset")


def _admin_account_changes(since) -> int:
    """Changes to the accounts of the three administrators: the sysadmin could otherwise take over the
    auditor's account unnoticed (reset its password, then sign in)."""
    admin_ids = [str(i) for (i,) in RoleAssignment.select(RoleAssignment.user)
                 .where(RoleAssignment.role.in_(["sysadmin", "secadmin", "auditor"])).tuples()]
    if not admin_ids:
        return 0
    return (AuditRecord.select().where((AuditRecord.at >= since) & (AuditRecord.object_type == "user")
                                       & AuditRecord.object_id.in_(admin_ids)
                                       & AuditRecord.action.in_(ADMIN_ACCOUNT_ACTIONS)
                                       & (AuditRecord.outcome == "ok")).count())
