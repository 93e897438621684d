"""/healthz for the bureau's monitoring: no login, no data. Checks that the database answers, that the
job worker's heartbeat is fresh, that the disk has room and that the last good backup is recent.
Answers 200 when every check holds, else 503; the body is JSON (see README, 运行监控).

The job worker (when there is one) touches instance/worker_heartbeat at least every
WORKER_HEARTBEAT_MAX_AGE_SECONDS; without that file, "no worker configured" counts as healthy."""
import os
import shutil
import time

from flask import Blueprint, current_app, jsonify

from . import clock
from .db import NO_DB_ENDPOINTS, is_unreachable
from .extensions import db

bp = Blueprint("health", __name__)
NO_DB_ENDPOINTS.add("health.healthz")  # no connection opened before the view: the view tries itself
HEARTBEAT_FILE = "worker_heartbeat"


def check_database() -> dict:
    started = time.monotonic()
    try:
        with db.connection_context():
            db.execute_sql("SELECT 1").fetchone()
    except Exception as e:  # noqa: BLE001 - reported, never raised
        return {"ok": False, "detail": "unreachable" if is_unreachable(e) else type(e).__name__}
    return {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}


def check_worker(app) -> dict:
    path = os.path.join(app.instance_path, HEARTBEAT_FILE)
    try:
        age = time.time() - os.stat(path).st_mtime
    except FileNotFoundError:
        return {"ok": True, "detail": "no worker configured"}
    limit = float(app.config.get("WORKER_HEARTBEAT_MAX_AGE_SECONDS") or 120)
    return {"ok": age <= limit, "age_seconds": round(age, 1), "max_age_seconds": limit}


def check_disk(app) -> dict:
    limit = int(app.config.get("HEALTH_MIN_FREE_MB") or 1024)
    out = {"ok": True, "min_free_mb": limit, "free_mb": {}}
    from .backup.archive import backup_dir
    for label, path in (("instance", app.instance_path), ("backups", backup_dir(app))):
        while path and not os.path.exists(path):  # a backup dir not created yet: its disk
            path = os.path.dirname(path)
        free = shutil.disk_usage(path).free // (1 << 20)
        out["free_mb"][label] = free
        out["ok"] = out["ok"] and free >= limit
    return out


def check_backup(app) -> dict:
    from .backup import status
    s = status(app)
    required = app.config.get("HEALTH_REQUIRE_BACKUP")
    if required is None:
        required = app.config.get("PORTAL_ENV") == "production"
    fresh = not s["stale"] and not s["failed"]
    out = {"ok": fresh or not required, "age_hours": s["age_hours"], "max_age_hours": s["max_age_hours"],
           "last_check": (s["last"] or {}).get("check")}
    if not fresh and not required:
        out["detail"] = "not required outside production (HEALTH_REQUIRE_BACKUP)"
    return out


@bp.get("/healthz")
def healthz():
    app = current_app._get_current_object()
    checks = {"database": check_database(), "worker": check_worker(app), "disk": check_disk(app),
              "backup": check_backup(app)}
    ok = all(c["ok"] for c in checks.values())
    resp = jsonify({"status": "ok" if ok else "fail", "time": clock.now().isoformat(timespec="seconds"),
                    "checks": checks})
    resp.status_code = 200 if ok else 503
    resp.headers["Cache-Control"] = "no-store"
    return resp


def init_app(app):
    app.register_blueprint(bp)
