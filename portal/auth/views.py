"""Sign-in (password, then the second factor where one is enrolled or required), logout that invalidates
the session, password change."""
from urllib.parse import urlsplit

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from .. import audit, clock
from ..extensions import db
from ..models import User
from ..models.org import new_session_token
from ..passwords import CLASS_WORDS, hash_password, policy_errors, verify_password
from . import attempts, bp, ldap, policy, presence, totp
from .forms import ChangePasswordForm, CodeForm, LoginForm

GENERIC_FAIL = attempts.GENERIC_FAIL
PENDING = "pending_login"
PENDING_SECONDS = 300  # the second step must follow the password within five minutes


def _safe_next(target):
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return None
    return target


@bp.before_app_request
def _presence():
    if request.endpoint != "static":
        presence.touch()


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        outcome = check_password(form.username.data.strip(), form.password.data)
        if isinstance(outcome, User):
            user, target = outcome, _safe_next(request.args.get("next"))
            via = g.pop("login_via", "password")
            if totp.enabled(user) or policy.totp_required(user):
                attempts.give_back(user)  # the password step is not a failure; the second one may be
                enrol = not totp.enabled(user)
                session.clear()
                session[PENDING] = {"uid": user.id, "token": user.session_token, "next": target, "via": via,
                                    "enrol": enrol, "exp": clock.now().timestamp() + PENDING_SECONDS}
                return redirect(url_for("auth.enrol" if enrol else "auth.second_factor"))
            finish_login(user, "password", via)
            return redirect(target or url_for("main.home"))
        message, status = outcome
        form.password.errors.append(message)
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status


def check_password(username: str, password: str):
    """The User when the password is right and the account may sign in; else (message, status).
    Unknown names, wrong passwords and locked accounts get the same messages and the same work."""
    slot = attempts.take_address_slot()
    if isinstance(slot, str):
        return slot, 429
    user = User.get_or_none(User.username == username)
    if ldap.enabled() and (user is None or not ldap.local_only(user)):
        return ldap.check(username, password, slot)  # the directory's password, the same lockout
    if user is None:
        return attempts.unknown_name_try(username, password), 401
    n = attempts.reserve(user)
    if n is None:
        return attempts.refused(user), 401
    if not verify_password(user.password_hash, password):
        locked = attempts.fail(user, n)
        return (attempts.just_locked_message() if locked else GENERIC_FAIL), 401
    if slot is not None:
        slot.give_back()
    if not user.is_active:
        attempts.give_back(user)
        audit.record("login_failed", "user", user.id, outcome="disabled", actor=user)
        return "该账号已停用，请联系系统管理员。", 401
    return user


def finish_login(user, method: str, via: str = "password") -> None:
    """Both factors passed (or only the password is needed): a fresh session for the user. `via`:
    "password" (local) or "directory" (LDAP)."""
    detail = ({"2fa": method} if method != "password" else {}) | ({"via": via} if via != "password" else {})
    with db.atomic():
        attempts.succeeded(user)
        audit.record("login", "user", user.id, actor=user, detail=detail or "")
    session.clear()
    login_user(user)
    session["seen"] = clock.now().timestamp()
    presence.signed_in(user)


def pending_user():
    """(user, state) of a sign-in waiting for its second step, or (None, None)."""
    data = session.get(PENDING)
    if not isinstance(data, dict) or data.get("exp", 0) < clock.now().timestamp():
        session.pop(PENDING, None)
        return None, None
    user = User.get_or_none(User.id == data.get("uid"))
    if user is None or user.session_token != data.get("token") or not user.is_active:
        session.pop(PENDING, None)
        return None, None
    return user, data


def _restart(message="登录已超时，请重新输入登录名和密码。"):
    session.pop(PENDING, None)
    flash(message, "warning")
    return redirect(url_for("auth.login"))


@bp.route("/login/verify", methods=["GET", "POST"])
def second_factor():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    user, data = pending_user()
    if user is None:
        return _restart()
    if data["enrol"]:
        return redirect(url_for("auth.enrol"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        n = attempts.reserve(user)
        if n is None:
            return _restart(attempts.refused(user))
        method = totp.verify(user, form.code.data)
        if method is None:
            if attempts.fail(user, n, detail="2fa"):
                return _restart(attempts.just_locked_message())
            form.code.errors.append("动态验证码或恢复码不正确。")
            status = 401
        else:
            finish_login(user, method, data.get("via", "password"))
            if method == "recovery":
                left = totp.recovery_codes_left(user)
                flash(f"已使用一个恢复码，还剩 {left} 个。" + ("请尽快生成新的恢复码。" if left <= 3 else ""), "warning")
            return redirect(data.get("next") or url_for("main.home"))
    elif request.method == "POST":
        status = 422
    return render_template("auth/second_factor.html", form=form, person=user), status


@bp.route("/login/setup", methods=["GET", "POST"])
def enrol():
    """First sign-in of someone who must use two factors: the QR code once, then a code to confirm it."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    user, data = pending_user()
    if user is None:
        return _restart()
    if not data["enrol"]:
        return redirect(url_for("auth.second_factor"))
    form = CodeForm()
    if form.validate_on_submit():
        codes = totp.confirm_enrolment(user, form.code.data)
        if codes is None:
            form.code.errors.append("验证码不正确：请核对手机时间是否准确，输入应用中当前显示的 6 位数字。")
            return render_template("auth/totp_setup.html", form=form, person=user, qr=None, secret=None,
                                   action=url_for("auth.enrol"), again=url_for("auth.enrol")), 422
        finish_login(user, "totp", data.get("via", "password"))
        return render_template("auth/recovery_codes.html", codes=codes,
                               next=data.get("next") or url_for("main.home"))
    if request.method == "POST":
        return render_template("auth/totp_setup.html", form=form, person=user, qr=None, secret=None,
                               action=url_for("auth.enrol"), again=url_for("auth.enrol")), 422
    secret = totp.start_enrolment(user)
    return render_template("auth/totp_setup.html", form=form, person=user, secret=secret,
                           qr=totp.qr_data_uri(totp.provisioning_uri(user, secret)),
                           action=url_for("auth.enrol"), again=url_for("auth.enrol"))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    user = current_user._get_current_object()
    with db.atomic():
        # a new token invalidates every copy of the old session cookie
        User.update(session_token=new_session_token()).where(User.id == user.id).execute()
        presence.signed_out(user)
        audit.record("logout", "user", user.id)
    logout_user()
    session.clear()
    flash("您已安全退出。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    if ldap.enabled() and not ldap.local_only(current_user):
        flash(ldap.MANAGED, "info")
        return redirect(url_for("main.home"))
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
                presence.signed_in(user)
                flash("密码已修改。", "success")
                return redirect(url_for("main.home"))
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template("auth/change_password.html", form=form, policy=policy, class_words=CLASS_WORDS,
                           totp_on=totp.enabled(current_user)), status
