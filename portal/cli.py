"""CLI: create-user, load-campaign, audit-verify, seed-demo (init-db / db-upgrade live in db.py)."""
import sys

import click

from . import audit, campaigns
from .extensions import db


def init_app(app):
    for cmd in (create_user_command, reset_password_command, load_campaign_command,
                audit_verify_command, seed_demo_command, search_group):
        app.cli.add_command(cmd)


@click.command("create-user")
@click.option("--username", required=True)
@click.option("--name", "real_name", required=True, help="真实姓名")
@click.option("--department", required=True, help="部门名称（须已存在，或以 --create-department 新建）")
@click.option("--role", "roles", multiple=True, help="角色代码，可多次给出")
@click.option("--password", default=None, help="初始密码（不给则随机生成并打印）")
@click.option("--email", default="", help="电子邮箱（接收系统通知，选填）")
@click.option("--create-department", is_flag=True)
def create_user_command(username, real_name, department, roles, password, email, create_department):
    """Create an account (it must change its password at first login)."""
    from .accounts import create_user
    from .admin.service import EMAIL_RE
    from .models import Department
    from .passwords import generate_password, policy_errors
    from .permissions import RoleConflict
    email = email.strip()
    if email and (len(email) > 128 or not EMAIL_RE.match(email)):
        raise click.ClickException(f"电子邮箱格式不正确：{email}")
    with db.connection_context():
        dept = Department.get_or_none(Department.name == department)
        if dept is None:
            if not create_department:
                raise click.ClickException(f"部门不存在：{department}")
            dept = Department.create(name=department, kind="office")
        shown = password is None
        password = password or generate_password()
        errs = policy_errors(password, username)
        if errs:
            raise click.ClickException("；".join(errs))
        try:
            create_user(username, real_name, dept, password, roles=roles, email=email)
        except RoleConflict as e:
            raise click.ClickException(str(e))
    click.echo(f"已创建用户 {username}" + (f"，初始密码：{password}" if shown else ""))


@click.command("reset-password")
@click.argument("username")
def reset_password_command(username):
    """Reset a password on the server (the way to reset the security or audit administrator)."""
    from . import audit as audit_
    from .models import User
    from .models.org import new_session_token
    from .passwords import generate_password, hash_password
    with db.connection_context():
        user = User.get_or_none(User.username == username)
        if user is None:
            raise click.ClickException(f"用户不存在：{username}")
        password = generate_password()
        hashed = hash_password(password)
        with db.atomic():
            User.update(password_hash=hashed, must_change_password=True, failed_logins=0,
                        locked_until=None, session_token=new_session_token()).where(User.id == user.id).execute()
            audit_.record("password_reset", "user", user.id, detail={"username": username, "via": "cli"})
    click.echo(f"已重置 {username} 的密码，一次性密码：{password}（首次登录须修改）")


@click.command("load-campaign")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--inactive", is_flag=True, help="载入但不设为当前活动")
def load_campaign_command(path, inactive):
    """Load a campaign checklist file (JSON). Changed content becomes a new version."""
    with db.connection_context():
        try:
            data = campaigns.read_file(path)
        except campaigns.CampaignFileError as e:
            raise click.ClickException(str(e))
        c, created = campaigns.load(data, activate=not inactive)
    if created:
        click.echo(f"已载入：{c.name}（第 {c.version} 版）")
    else:
        click.echo(f"内容未变化，保留现有版本：{c.name}（第 {c.version} 版）")


@click.command("audit-verify")
def audit_verify_command():
    """Walk the audit hash chain; prints "ok" or the first broken link. A passing run anchors the head
    in instance/audit_anchor.log."""
    with db.connection_context():
        ok, message = audit.verify()
        if ok:
            audit.anchor()
    click.echo(message)
    if not ok:
        sys.exit(1)


@click.command("seed-demo")
@click.option("--password", default=None, help="演示账号的密码（不给则随机生成并打印）")
@click.option("--people", default=60, show_default=True)
def seed_demo_command(password, people):
    """Create the demo bureau: about 8 departments, 60 people and one account per role."""
    from .demo import seed
    from .passwords import generate_password, policy_errors
    shown = password is None
    password = password or generate_password()
    errs = policy_errors(password, "demo-staff")
    if errs:
        raise click.ClickException("；".join(errs))
    with db.connection_context():
        summary = seed(password, people=people)
    click.echo(summary)
    if shown:
        click.echo(f"演示账号密码：{password}")


@click.group("search")
def search_group():
    """Full-text search index (character bigrams)."""


@search_group.command("reindex")
def search_reindex_command():
    """Rebuild the search index of every Problem (after a bulk load that bypassed the write path)."""
    from . import search
    with db.connection_context():
        n = search.reindex()
    click.echo(f"已重建检索索引：{n} 条问题")
