"""Login with lockout, logout that invalidates the session, password change."""
import datetime as dt
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from .. import audit, clock
from ..extensions import db
from ..models import User
from ..models.org import new_session_token
from ..passwords import hash_password, policy_errors, verify_password
from . import bp
from .forms import ChangePasswordForm, LoginForm

GENERIC_FAIL = "登录名或密码错误。"


def _safe_next(target):
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        outcome = attempt_login(form.username.data.strip(), form.password.data)
        if isinstance(outcome, User):
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
        form.password.errors.append(outcome)
        status = 401
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status


def attempt_login(username: str, password: str):
    """Returns the User on success, or the Chinese message to show."""
    cfg = current_app.config
    now = clock.now()
    user = User.get_or_none(User.username == username)
    if user is None:
        audit.record("login_failed", "user", username, outcome="failed", detail="unknown user")
        return GENERIC_FAIL
    if user.locked_until and user.locked_until > now:
        audit.record("login_failed", "user", user.id, outcome="locked", actor=user)
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        return f"密码错误次数过多，账号已锁定，请 {minutes} 分钟后再试。"
    if not verify_password(user.password_hash, password):
        with db.atomic():
            failed = (user.failed_logins or 0) + 1
            locked = None
            if failed >= cfg["LOCKOUT_THRESHOLD"]:
                locked = now + dt.timedelta(minutes=cfg["LOCKOUT_MINUTES"])
                failed = 0
            User.update(failed_logins=failed, locked_until=locked).where(User.id == user.id).execute()
            audit.record("login_failed", "user", user.id, outcome="failed", actor=user)
            if locked:
                audit.record("lockout", "user", user.id, outcome="locked", actor=user,
                             detail={"until": locked.isoformat(sep=" ")})
        if locked:
            return f"密码连续错误 {cfg['LOCKOUT_THRESHOLD']} 次，账号已锁定 {cfg['LOCKOUT_MINUTES']} 分钟。"
        return GENERIC_FAIL
    if not user.is_active:
        audit.record("login_failed", "user", user.id, outcome="disabled", actor=user)
        return "该账号已停用，请联系系统管理员。"
    with db.atomic():
        User.update(failed_logins=0, locked_until=None, last_login_at=now).where(User.id == user.id).execute()
        audit.record("login", "user", user.id, actor=user)
    session.clear()
    login_user(user)
    session["seen"] = now.timestamp()
    return user


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    user = current_user._get_current_object()
    with db.atomic():
        # a new token invalidates every copy of the old session cookie
        User.update(session_token=new_session_token()).where(User.id == user.id).execute()
        audit.record("logout", "user", user.id)
    logout_user()
    session.clear()
    flash("您已安全退出。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not verify_password(user.password_hash, form.current.data):
            form.current.errors.append("当前密码不正确")
        elif form.new.data == form.current.data:
            form.new.errors.append("新密码不能与当前密码相同")
        else:
            errs = policy_errors(form.new.data, user.username)
            if errs:
                form.new.errors.extend(errs)
            else:
                token = new_session_token()
                with db.atomic():
                    User.update(password_hash=hash_password(form.new.data), must_change_password=False,
                                session_token=token).where(User.id == user.id).execute()
                    audit.record("password_change", "user", user.id)
                user.session_token = token
                user.must_change_password = False
                login_user(user)  # keep this session, invalidate all others
                flash("密码已修改。", "success")
                return redirect(url_for("main.home"))
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template("auth/change_password.html", form=form), status
