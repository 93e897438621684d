"""The security administrator's pages: overview with locked accounts, the security settings (stored in
the database, applied at once), and who is signed in (在线用户, 强制下线)."""
import datetime as dt

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from .. import clock, htmx
from ..auth import policy, presence
from ..models import AuditRecord, User
from ..permissions import ROLES, scope_users
from . import bp, service
from . import security_service as secsvc
from ..htmx import toast
from ..permissions import require
from .forms import EmptyForm, SecuritySettingsForm

SECURITY = "admin.security"


def security_settings():
    c = current_app.config
    now = policy.current()
    need = now["PASSWORD_MIN_CLASSES"]
    return [
        ("口令策略", [
            ("最小长度", f"{now['PASSWORD_MIN_LENGTH']} 位"),
            ("复杂度", f"大写字母、小写字母、数字、符号中至少{ {2: '两', 3: '三', 4: '四'}.get(need, need)}类"),
            ("其他要求", "不得包含登录名；初始密码和重置后的密码首次登录须修改"),
            ("口令存储", f"Argon2id（时间成本 {c['ARGON2_TIME_COST']}，内存 {c['ARGON2_MEMORY_COST'] // 1024} MB，"
                      f"并行度 {c['ARGON2_PARALLELISM']}）"),
        ]),
        ("登录锁定", [
            ("锁定阈值", f"连续输错 {now['LOCKOUT_THRESHOLD']} 次"),
            ("锁定时长", f"{now['LOCKOUT_MINUTES']} 分钟（锁定期间即使密码正确也不能登录）"),
            ("同一地址", f"登录失败不超过 {c.get('LOGIN_ADDRESS_LIMIT') or '不限'}".replace(" per ", " 次 / ")
                      .replace("minutes", "分钟").replace("minute", "分钟").replace("hour", "小时")),
        ]),
        ("统一身份认证（LDAP）", [
            ("状态", f"已启用（{c['LDAP_URL']}）" if c.get("LDAP_URL") else "未启用（使用门户本地密码）"),
            ("适用范围", "除系统管理员、安全管理员、审计管理员外的所有账号（三员始终使用本地密码）"
             if c.get("LDAP_URL") else "—"),
        ]),
        ("双因素认证", [
            ("须使用的角色", "、".join(ROLES[r] for r in policy.totp_required_roles()) or "无（未强制）"),
            ("其他人员", "可自愿启用"),
        ]),
        ("会话", [
            ("空闲超时", f"{now['IDLE_TIMEOUT_MINUTES']} 分钟无操作自动退出"),
            ("退出登录", "注销令牌，已复制的会话 Cookie 一并失效"),
            ("Cookie HttpOnly", "是" if c.get("SESSION_COOKIE_HTTPONLY") else "否"),
            ("Cookie SameSite", c.get("SESSION_COOKIE_SAMESITE") or "未设置"),
            ("Cookie Secure（仅 HTTPS 发送）", "是" if c.get("SESSION_COOKIE_SECURE") else "否（未启用 HTTPS 时）"),
            ("CSRF 防护", "已启用" if c.get("WTF_CSRF_ENABLED", True) else "未启用"),
        ]),
        ("页面安全", [
            ("内容安全策略", "仅允许本站脚本、样式和图片（CSP）"),
            ("防嵌入", "X-Frame-Options: DENY"),
            ("运行环境", "生产" if c.get("PORTAL_ENV") == "production" else "开发 / 测试"),
        ]),
    ]


@bp.route("/security")
@require(SECURITY)
def security():
    now = clock.now()
    locked = service.locked_users(current_user)
    failing = list(User.select().where(scope_users(current_user) & (User.failed_logins > 0)
                                       & ((User.locked_until.is_null()) | (User.locked_until <= now)))
                   .order_by(User.failed_logins.desc()).limit(50))
    pending = User.select().where((User.must_change_password == True)  # noqa: E712
                                  & (User.is_active_flag == True)).count()  # noqa: E712
    since = now - dt.timedelta(hours=24)
    failed_24h = AuditRecord.select().where((AuditRecord.action == "login_failed") & (AuditRecord.at >= since)).count()
    return htmx.render("admin/security.html", None, settings=security_settings(), locked=locked, failing=failing,
                       pending=pending, failed_24h=failed_24h, now=now, online=presence.online_query().count(),
                       action_form=EmptyForm())


@bp.route("/security/unlock/<int:user_id>", methods=["POST"])
@require(SECURITY)
def unlock(user_id):
    user = User.select().where((User.id == user_id) & scope_users(current_user)).first()
    if user is None:
        abort(404)
    try:
        user = service.unlock(current_user, user)
    except service.AdminError as e:
        if not htmx.is_htmx():
            flash(str(e), "warning")
            return redirect(url_for("admin.security"))
        resp = htmx.render("admin/_locked_row.html", status=409, u=user, now=clock.now(), action_form=EmptyForm(),
                           row_error=str(e))
        return resp
    text = f"已解除 {user.real_name}（{user.username}）的锁定"
    if not htmx.is_htmx():
        flash(text, "success")
        return redirect(url_for("admin.security"))
    return toast(current_app.response_class(""), text)


@bp.route("/security/settings", methods=["GET", "POST"])
@require(SECURITY)
def security_settings_edit():
    form = SecuritySettingsForm(formdata=request.form if request.method == "POST" else None,
                                data=None if request.method == "POST" else policy.current())
    mandatory = sorted(policy.mandatory_totp_roles())
    status = 200
    if request.method == "POST":
        if form.validate():
            values = {k: getattr(form, k).data for k in policy.NUMBERS}
            values[policy.TOTP_ROLES] = list(form.TOTP_REQUIRED_ROLES.data or [])
            changes = policy.save(values, current_user)
            flash("安全设置已保存，立即生效。" if changes else "安全设置没有变化。", "success")
            return redirect(url_for("admin.security_settings_edit"))
        status = 422
    return htmx.render("admin/security_settings.html", None, status=status, form=form, mandatory=mandatory,
                       enforced=current_app.config["TOTP_ENFORCED"])


@bp.route("/sessions")
@require(SECURITY)
def sessions():
    rows = list(presence.online_query())
    return htmx.render("admin/sessions.html", "admin/_session_rows.html", rows=rows, me=current_user.id,
                       action_form=EmptyForm(), idle=policy.idle_timeout_minutes())


@bp.route("/sessions/<int:user_id>/end", methods=["POST"])
@require(SECURITY)
def session_end(user_id):
    user = User.get_or_none(User.id == user_id)
    if user is None:
        abort(404)
    try:
        secsvc.force_sign_out(current_user, user)
    except service.AdminError as e:
        if not htmx.is_htmx():
            flash(str(e), "error")
            return redirect(url_for("admin.sessions"))
        return htmx.render("admin/_session_rows.html", status=409, rows=list(presence.online_query()),
                           me=current_user.id, action_form=EmptyForm(), message=str(e))
    text = f"已将 {user.real_name}（{user.username}）强制下线"
    if not htmx.is_htmx():
        flash(text, "success")
        return redirect(url_for("admin.sessions"))
    return toast(htmx.render("admin/_session_rows.html", rows=list(presence.online_query()), me=current_user.id,
                             action_form=EmptyForm()), text)
