"""A person's own two-factor settings (/account/2fa): enrol, new recovery codes, switch off where allowed;
and the server-side command that resets an administrator's second factor."""
import click
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import audit
from ..extensions import db
from ..models import User
from . import bp, policy, totp
from .forms import CodeForm


def _page(form=None, status=200, message=None):
    user = current_user._get_current_object()
    return render_template("auth/account_2fa.html", form=form or CodeForm(), enabled=totp.enabled(user),
                           required=policy.totp_required(user), left=totp.recovery_codes_left(user),
                           message=message), status


@bp.route("/account/2fa")
@login_required
def account_2fa():
    return _page()


@bp.route("/account/2fa/setup", methods=["GET", "POST"])
@login_required
def account_2fa_setup():
    user = current_user._get_current_object()
    if totp.enabled(user):
        flash("双因素认证已启用。", "info")
        return redirect(url_for("auth.account_2fa"))
    form = CodeForm()
    action = url_for("auth.account_2fa_setup")
    if form.validate_on_submit():
        codes = totp.confirm_enrolment(user, form.code.data)
        if codes is not None:
            return render_template("auth/recovery_codes.html", codes=codes, next=url_for("auth.account_2fa"))
        form.code.errors.append("验证码不正确：请核对手机时间是否准确，输入应用中当前显示的 6 位数字。")
    if request.method == "POST":
        return render_template("auth/totp_setup.html", form=form, person=user, qr=None, secret=None,
                               action=action, again=action), 422
    secret = totp.start_enrolment(user)
    return render_template("auth/totp_setup.html", form=form, person=user, secret=secret,
                           qr=totp.qr_data_uri(totp.provisioning_uri(user, secret)), action=action, again=action)


def _checked_code(form):
    """The person proves they hold the second factor before changing it."""
    user = current_user._get_current_object()
    if not form.validate_on_submit():
        return False
    if totp.verify(user, form.code.data) is None:
        audit.record("totp_failed", "user", user.id, outcome="failed")
        form.code.errors.append("动态验证码或恢复码不正确。")
        return False
    return True


@bp.route("/account/2fa/recovery-codes", methods=["POST"])
@login_required
def account_recovery_codes():
    user = current_user._get_current_object()
    form = CodeForm()
    if not totp.enabled(user):
        return redirect(url_for("auth.account_2fa"))
    if not _checked_code(form):
        return _page(form, 422)
    codes = totp.new_recovery_codes(user)
    return render_template("auth/recovery_codes.html", codes=codes, next=url_for("auth.account_2fa"))


@bp.route("/account/2fa/disable", methods=["POST"])
@login_required
def account_2fa_disable():
    user = current_user._get_current_object()
    form = CodeForm()
    if policy.totp_required(user):
        audit.record("totp_disable", "user", user.id, outcome="refused", detail={"reason": "required"})
        return _page(form, 409, message="您的角色须使用双因素认证，不能关闭。")
    if not _checked_code(form):
        return _page(form, 422)
    totp.remove(user, user, action="totp_disable")
    flash("已关闭双因素认证。", "success")
    return redirect(url_for("auth.account_2fa"))


@bp.cli.command("reset-2fa")
@click.argument("username")
def reset_2fa_command(username):
    """Remove a person's second factor on the server (the way for the three administrators)."""
    with db.connection_context():
        user = User.get_or_none(User.username == username)
        if user is None:
            raise click.ClickException(f"用户不存在：{username}")
        totp.remove(user, None, detail={"username": username, "via": "cli"})
    click.echo(f"已重置 {username} 的双因素认证，下次登录时须重新绑定。")
