"""The record of backups (instance/backup_log.json, newest last), the nightly backup the job worker calls,
keeping the last BACKUP_KEEP archives, and the status shown to the system administrator and /healthz."""
import datetime as dt
import glob
import json
import os
import secrets

from flask import current_app

from .. import audit, clock
from ..extensions import db
from . import archive, restore
from .sealing import BackupError

MAX_RECORDS = 200


def _log_path(app) -> str:
    return os.path.join(app.instance_path, archive.LOG_FILE)


def records(app=None) -> list[dict]:
    app = app or current_app
    try:
        with open(_log_path(app)) as f:
            data = json.load(f)
        return data if isinstance(data, list) else []
    except (OSError, ValueError):
        return []


def add_record(app, rec: dict) -> None:
    recs = (records(app) + [rec])[-MAX_RECORDS:]
    path = _log_path(app)
    tmp = f"{path}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(recs, f, ensure_ascii=False, indent=1)
    os.replace(tmp, path)


def make(app, directory=None, passphrase=None, kind="manual", check=True, keep=None) -> dict:
    """Create an archive, read it back with the passphrase (check), record the result, prune. Never
    raises for a failed backup: the record says what failed (the worker and the admin page read it)."""
    passphrase = passphrase or app.config.get("BACKUP_PASSPHRASE")
    rec = {"at": clock.now().isoformat(timespec="seconds"), "kind": kind, "file": None, "size": 0}
    try:
        if not passphrase:
            raise BackupError("未配置备份口令（BACKUP_PASSPHRASE）")
        rec.update(archive.create(app, directory, passphrase))
        if check:
            _manifest, checks = restore.verify(app, rec["file"], passphrase)
            failed = [str(c) for c in checks if not c.ok]
            rec["check"] = "ok" if not failed else "；".join(failed)
        else:
            rec["check"] = "未检查"
    except (BackupError, OSError) as e:
        current_app.logger.error("backup failed: %s", e)
        rec["check"] = f"失败：{e}"
    add_record(app, rec)
    with db.connection_context():
        audit.record("backup_create", "backup", os.path.basename(rec["file"] or ""),
                     outcome="ok" if rec["check"] == "ok" else "failed",
                     detail={"kind": kind, "size": rec["size"], "check": rec["check"][:200]})
    if keep is None:
        keep = app.config.get("BACKUP_KEEP")
    if rec["check"] == "ok" and keep and (directory is None or os.path.abspath(directory) == archive.backup_dir(app)):
        prune(app, int(keep))
    return rec


def nightly(app=None) -> dict:
    """The job worker's nightly backup into BACKUP_DIR, keeping the last BACKUP_KEEP archives."""
    app = app or current_app._get_current_object()
    return make(app, kind="nightly")


def prune(app, keep: int) -> list[str]:
    """Delete all but the newest `keep` archives in BACKUP_DIR (names sort by time)."""
    files = sorted(glob.glob(os.path.join(archive.backup_dir(app), "fengji-backup-*" + archive.SUFFIX)))
    gone = files[:-keep] if keep > 0 else []
    for path in gone:
        os.unlink(path)
    return gone


def status(app=None) -> dict:
    """The last backup for the admin page and /healthz: time, size, check, and whether it is too old
    (BACKUP_MAX_AGE_HOURS, 48) or failed."""
    app = app or current_app
    recs = records(app)
    last_ok = next((r for r in reversed(recs) if r.get("check") == "ok"), None)
    last = recs[-1] if recs else None
    max_age = dt.timedelta(hours=float(app.config.get("BACKUP_MAX_AGE_HOURS") or 48))
    at = archive.parse_time(last_ok["at"]) if last_ok else None
    age = (clock.now() - at) if at else None
    return {"last": last, "last_ok": last_ok, "at": at, "age": age,
            "age_hours": round(age.total_seconds() / 3600, 1) if age is not None else None,
            "stale": age is None or age > max_age, "failed": bool(last and last.get("check") != "ok"),
            "max_age_hours": max_age.total_seconds() / 3600}


def size_label(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)
