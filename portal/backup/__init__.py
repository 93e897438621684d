"""Backup and restore (issue 17): one encrypted archive of the database and instance/.

  sealing.py   the archive's encryption (scrypt + AES-256-GCM, streamed in chunks)
  database.py  copying the database out (SQLite backup API, pg_dump) and back in (pg_restore)
  archive.py   the archive's content: database parts, instance files, manifest with checksums
  restore.py   verify, restore onto an empty instance, the checks after a restore
  log.py       the backup record, the nightly backup (keeps BACKUP_KEEP), the status for admins
  cli.py       `flask --app app backup create | verify | restore | nightly`
"""
from flask import render_template

from ..nav import home_panel
from ..permissions import can
from .log import nightly, size_label, status  # noqa: F401


@home_panel(order=6)
def backup_panel(user):
    """The system administrator's home: the last backup's time, size and check, red when too old."""
    if not can(user, "admin.manage"):
        return None
    return render_template("backup/_status.html", panel=True)


def init_app(app):
    from .. import audit
    from .cli import backup_cli

    app.cli.add_command(backup_cli)

    @app.context_processor
    def _backup_globals():
        return {"backup_status": status, "backup_size": size_label}
