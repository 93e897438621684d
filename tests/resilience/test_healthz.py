"""/healthz: no login, no data; 200 when the database answers, the worker's heartbeat (if any) is fresh,
the disk has room and (where required) the last good backup is recent; else 503 naming the failed check."""
import os
import time

from portal import create_app
from portal.backup import log as backup_log
from tests.conftest import base_config


def _get(client):
    r = client.get("/healthz")
    return r.status_code, r.get_json()


def test_healthy_without_login_and_without_data(client):
    status, body = _get(client)
    assert status == 200 and body["status"] == "ok"
    assert set(body["checks"]) == {"database", "worker", "disk", "backup"}
    assert body["checks"]["database"]["ok"] and body["checks"]["worker"]["detail"] == "no worker configured"
    assert "Set-Cookie" not in client.get("/healthz").headers


def test_a_stale_worker_heartbeat_fails(app, client):
    beat = os.path.join(app.instance_path, "worker_heartbeat")
    open(beat, "w").close()
    assert _get(client)[0] == 200
    old = time.time() - 600
    os.utime(beat, (old, old))
    status, body = _get(client)
    assert status == 503 and body["status"] == "fail" and not body["checks"]["worker"]["ok"]


def test_low_disk_fails(app, client):
    app.config["HEALTH_MIN_FREE_MB"] = 10 ** 12
    status, body = _get(client)
    assert status == 503 and not body["checks"]["disk"]["ok"]


def test_backup_age_where_required(app, ctx, client, tmp_path):
    app.config.update(HEALTH_REQUIRE_BACKUP=True, BACKUP_DIR=str(tmp_path / "bk"),
                      BACKUP_PASSPHRASE="correct horse battery 2026")
    status, body = _get(client)
    assert status == 503 and not body["checks"]["backup"]["ok"]
    assert backup_log.make(app)["check"] == "ok"
    status, body = _get(client)
    assert status == 200 and body["checks"]["backup"]["age_hours"] == 0


def test_an_unreachable_database_answers_503_json(tmp_path):
    app = create_app(base_config("sqlite:///" + str(tmp_path / "missing" / "x.sqlite3"), tmp_path / "inst"))
    status, body = _get(app.test_client())
    assert status == 503 and body["checks"]["database"] == {"ok": False, "detail": "unreachable"}
