"""`flask --app app backup create [DIR] | verify ARCHIVE | restore ARCHIVE [--force] | nightly`.

The passphrase comes from --passphrase-file, --passphrase (visible to other users in the process list:
prefer the others), the BACKUP_PASSPHRASE setting (instance/config.py or PORTAL_BACKUP_PASSPHRASE), or
is asked for."""
import click
from flask import current_app
from flask.cli import with_appcontext

from . import log, restore
from .sealing import BackupError

MIN_PASSPHRASE = 12


def _passphrase(passphrase, passphrase_file, confirm=False) -> str:
    if passphrase_file:
        with open(passphrase_file, encoding="utf-8") as f:
            passphrase = f.readline().rstrip("\r\n")
    passphrase = passphrase or current_app.config.get("BACKUP_PASSPHRASE")
    if not passphrase:
        passphrase = click.prompt("备份口令", hide_input=True, confirmation_prompt=confirm)
    return passphrase


def _options(fn):
    fn = click.option("--passphrase-file", type=click.Path(exists=True, dir_okay=False),
                      help="从文件第一行读取备份口令")(fn)
    fn = click.option("--passphrase", default=None, help="备份口令（会出现在进程列表中，建议改用环境变量或口令文件）")(fn)
    return fn


@click.group("backup")
def backup_cli():
    """备份与恢复：加密的备份文件（数据库、密钥、上传文件、字体、配置）。"""


@backup_cli.command("create")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@_options
@click.option("--keep", type=int, default=None, help="只保留最新的 N 份（默认 BACKUP_KEEP，仅对默认目录）")
@with_appcontext
def create_command(directory, passphrase, passphrase_file, keep):
    """Create an encrypted archive in DIRECTORY (default BACKUP_DIR, instance/backups), then read it back."""
    pw = _passphrase(passphrase, passphrase_file, confirm=True)
    if len(pw) < MIN_PASSPHRASE:
        raise click.ClickException(f"备份口令至少 {MIN_PASSPHRASE} 个字符")
    rec = log.make(current_app._get_current_object(), directory, pw, kind="manual", keep=keep)
    if rec["check"] != "ok":
        raise click.ClickException(f"备份失败：{rec['check']}")
    click.echo(f"已创建备份：{rec['file']}（{log.size_label(rec['size'])}，{rec['tables']} 张表，"
               f"{rec['files']} 个文件，SHA-256 {rec['sha256'][:16]}…），读回检查通过。")


@backup_cli.command("verify")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@_options
@with_appcontext
def verify_command(archive, passphrase, passphrase_file):
    """Check an archive without restoring it: passphrase, every chunk, checksums, the database, schema."""
    pw = _passphrase(passphrase, passphrase_file)
    try:
        manifest, checks = restore.verify(current_app._get_current_object(), archive, pw)
    except BackupError as e:
        raise click.ClickException(str(e))
    click.echo(f"备份时间 {manifest['created_at']}，数据库 {manifest['database']['kind']}")
    for c in checks:
        click.echo(str(c))
    if not all(c.ok for c in checks):
        raise click.ClickException("备份未通过检查")
    click.echo("备份完好。")


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@_options
@click.option("--force", is_flag=True, help="目标实例已有数据时仍然覆盖")
@with_appcontext
def restore_command(archive, passphrase, passphrase_file, force):
    """Restore an archive onto an empty instance (database + instance/), then check the result."""
    pw = _passphrase(passphrase, passphrase_file)
    try:
        checks = restore.restore(current_app._get_current_object(), archive, pw, force=force, echo=click.echo)
    except BackupError as e:
        raise click.ClickException(str(e))
    click.echo("恢复后检查：")
    for c in checks:
        click.echo(str(c))
    if not all(c.ok for c in checks):
        raise click.ClickException("恢复后检查未通过，请勿启用本实例，并保留现场")
    click.echo("恢复完成，全部检查通过。")


@backup_cli.command("nightly")
@with_appcontext
def nightly_command():
    """What the job worker runs each night (also usable from cron): BACKUP_DIR, keep BACKUP_KEEP."""
    rec = log.nightly(current_app._get_current_object())
    if rec["check"] != "ok":
        raise click.ClickException(rec["check"])
    click.echo(f"已创建备份：{rec['file']}（{log.size_label(rec['size'])}）")
