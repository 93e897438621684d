"""Request-wide behaviour: login loading, idle expiry, forced password change, security headers,
Chinese error pages (whole page or htmx fragment), template globals."""
import datetime as dt

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from . import audit, clock
from .extensions import login_manager
from .htmx import hx_redirect, is_htmx
from .nav import home_panels, nav_items
from .permissions import ROLES, can

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'self'; object-src 'none'")

ERROR_TEXT = {
    400: ("请求有误", "提交的内容无法处理，请检查后重试。"),
    401: ("需要登录", "请先登录。"),
    403: ("无权访问", "您没有权限查看或操作此内容。"),
    404: ("页面不存在", "您访问的内容不存在，或不在您的查看范围内。"),
    405: ("不支持的操作", "该地址不支持此操作。"),
    409: ("操作冲突", "当前状态不允许此操作。"),
    413: ("文件过大", "上传的内容超过了允许的大小。"),
    422: ("内容有误", "提交的内容未通过校验，请按提示修改。"),
    429: ("操作过于频繁", "尝试次数过多，请稍后再试。"),
    500: ("系统错误", "系统出现错误，已记录。请稍后再试，或联系系统管理员。"),
    503: ("系统繁忙", "系统繁忙，本次操作未执行，请稍后重试；页面上已填写的内容不会丢失。"),
}

# endpoints reachable while a password change is pending
_PW_CHANGE_OK = {"auth.change_password", "auth.logout", "static"}
# endpoints a page calls by itself (polling): they do not count as user activity for the idle timeout
PASSIVE_ENDPOINTS = {"static"}


def error_response(code: int, message: str | None = None):
    title, text = ERROR_TEXT.get(code, ERROR_TEXT[500] if code >= 500 else ERROR_TEXT[400])
    template = "errors/_error.html" if is_htmx() else "errors/error.html"
    resp = render_template(template, code=code, title=title, message=message or text)
    return resp, code


def init_app(app):
    # WTForms' own Chinese messages ("This field is required." → "该字段是必填字段。") for every form;
    # Flask-WTF's i18n would need Flask-Babel.
    app.config.setdefault("WTF_I18N_ENABLED", False)
    from wtforms.meta import DefaultMeta
    DefaultMeta.locales = ("zh",)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(token):
        from .models import User
        try:
            uid, stoken = token.split(":", 1)
            user = User.get_or_none(User.id == int(uid))
        except (ValueError, AttributeError):
            return None
        if user is None or user.session_token != stoken or not user.is_active:
            return None
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        target = url_for("auth.login", next=request.full_path if request.method == "GET" else None)
        if is_htmx():
            return hx_redirect(url_for("auth.login"), 401)
        flash("请先登录。", "info")
        return redirect(target)

    @app.before_request
    def idle_and_password_gate():
        if not current_user.is_authenticated:
            return None
        now = clock.now().timestamp()
        last = session.get("seen")
        idle = app.config["IDLE_TIMEOUT_MINUTES"] * 60
        if last is not None and now - last > idle:
            audit.record("session_expired", "user", current_user.id)
            logout_user()
            token = session.get("csrf_token")
            session.clear()
            if token:  # a login form posted from the expired session still validates
                session["csrf_token"] = token
            if request.endpoint != "auth.login":
                flash("长时间未操作，会话已超时，请重新登录。", "warning")
            # the view decides: login-only views answer with the login redirect (HX-Redirect for
            # htmx), public ones (tip box, draw verification, the login form itself) go on.
            return None
        # refresh the idle timer at most once a minute: no new session cookie on every response
        if request.endpoint not in PASSIVE_ENDPOINTS and (last is None or now - last >= 60):
            session["seen"] = now
        if current_user.must_change_password and request.endpoint not in _PW_CHANGE_OK:
            if is_htmx():
                return hx_redirect(url_for("auth.change_password"), 403)
            flash("首次登录或密码已重置，请先修改密码。", "warning")
            return redirect(url_for("auth.change_password"))
        return None

    @app.after_request
    def security_headers(resp):
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Frame-Options", "DENY")  # the document preview frame alone says SAMEORIGIN
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "same-origin"
        if current_user.is_authenticated and "Cache-Control" not in resp.headers:
            resp.headers["Cache-Control"] = "no-store"
        return resp

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return error_response(400, "页面已过期或缺少安全令牌（CSRF），请刷新页面后重试。")

    @app.errorhandler(HTTPException)
    def http_error(e):
        if e.code in (301, 302, 303, 307, 308):
            return e
        return error_response(e.code, getattr(e, "description", None) if _is_custom(e) else None)

    @app.errorhandler(Exception)
    def server_error(e):
        from .db import is_contention, is_unreachable, unavailable_response
        if is_unreachable(e):  # no connection to the database: a page that needs none
            return unavailable_response(e)
        if is_contention(e):  # another transaction held the lock: rolled back, nothing written
            app.logger.warning("database contention on %s: %s", request.path, e)
            resp, code = error_response(503)
            return resp, code, {"Retry-After": "2"}
        app.logger.exception("unhandled error")
        return error_response(500)

    @app.context_processor
    def globals_():
        return {
            "nav_items": nav_items,
            "home_panels": home_panels,
            "ROLES": ROLES,
            "can": can,
            "today": clock.today(),
        }

    @app.template_filter("cn_date")
    def cn_date(value):
        if not value:
            return ""
        if isinstance(value, str):
            return value
        return f"{value.year}年{value.month}月{value.day}日"

    @app.template_filter("dt")
    def fmt_dt(value):
        if not value:
            return ""
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _is_custom(e) -> bool:
    """abort(404, "中文说明") carries our own description; werkzeug's English defaults are replaced."""
    desc = getattr(e, "description", None)
    return bool(desc) and any("\u4e00" <= ch <= "\u9fff" for ch in desc)
