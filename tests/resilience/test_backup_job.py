"""The job worker makes the nightly backup: a scheduled job that writes a checked archive into BACKUP_DIR and
keeps the newest BACKUP_KEEP; a failed backup is a failed job the system administrator sees."""
import datetime as dt
import os

from portal import jobs
from portal.jobs.tasks import PERIODIC, next_runs
from portal.models import JobRun
from tests.factories import make_user


def test_the_worker_schedules_and_runs_the_nightly_backup(ctx, app, tmp_path, travel, client, auth):
    assert "backup" in PERIODIC
    assert any(name == "backup" for name, _label, _at in next_runs())
    make_user("staff-n", roles=("staff",))
    app.config.update(BACKUP_DIR=str(tmp_path / "nightly"), BACKUP_PASSPHRASE="correct horse battery 2026",
                      BACKUP_KEEP=2)
    for day in (1, 2, 3):
        travel(dt.datetime(2026, 12, day, 2, 30))
        run = jobs.enqueue("backup")
        assert run.status == "done", run.error
    assert len([f for f in os.listdir(tmp_path / "nightly") if f.endswith(".fjbak")]) == 2
    app.config["BACKUP_PASSPHRASE"] = None
    run = jobs.enqueue("backup")
    assert run.status == "failed" and "口令" in run.error
    assert JobRun.select().where(JobRun.name == "backup").count() == 4
    auth.login(make_user("sys-n", roles=("sysadmin",)))
    page = client.get("/admin/jobs/?status=failed").get_data(as_text=True)
    assert "数据备份" in page and "未配置备份口令" in page
