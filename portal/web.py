"""Request-wide behaviour: login loading, idle expiry, forced password change, security headers,
the error handler (portal/errors.py), template globals."""
import datetime as dt

from flask import flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

from . import audit, clock, errors
from .errors import error_response  # noqa: F401 - kept for callers of web.error_response
from .extensions import login_manager
from .htmx import hx_redirect, is_htmx
from .nav import home_panels, nav_items
from .auth import policy
from .permissions import ROLES, can

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'self'; object-src 'none'")

# endpoints reachable while a password change is pending
_PW_CHANGE_OK = {"auth.change_password", "auth.logout", "static"}
# endpoints a page calls by itself (polling): they do not count as user activity for the idle timeout
PASSIVE_ENDPOINTS = {"static"}


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
        idle = policy.idle_timeout_minutes() * 60  # the security administrator's setting
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
        # the tip box's own answers say no-referrer (tips blueprint); so does anything else under /tips (a 404)
        resp.headers.setdefault("Referrer-Policy",
                                "no-referrer" if request.path.startswith("/tips") else "same-origin")
        if current_user.is_authenticated and "Cache-Control" not in resp.headers:
            resp.headers["Cache-Control"] = "no-store"
        return resp

    errors.init_app(app)  # the one error handler: portal/errors.py

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

