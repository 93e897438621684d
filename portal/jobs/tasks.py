"""The portal's scheduled jobs, and the reaper that takes up runs whose worker died."""
import datetime as dt
import json
import logging

from huey import crontab

from .. import clock
from ..extensions import db
from .queue import JOBS, _context, enqueue, huey, job, submit, worker_id

log = logging.getLogger(__name__)

def heartbeat_seconds() -> float:
    from flask import current_app
    return float(current_app.config.get("JOBS_HEARTBEAT_SECONDS", 15))


def dead_after() -> dt.timedelta:
    """A worker silent this long is dead and its running jobs are taken up (3 missed beats). Every live
    worker reaps at each beat, so a dead worker's job is noticed within 4 beats (60 s by default); a dead
    worker on the same host is noticed at the next beat (its process is gone)."""
    return dt.timedelta(seconds=3 * heartbeat_seconds())
PERIODIC: dict = {}                    # name -> (crontab, label)


def periodic(name: str, schedule, label: str):
    """A job that the worker's scheduler starts by itself (recorded in JobRun like any other)."""
    def deco(fn):
        task = job(name)(fn)

        @huey.periodic_task(schedule, name=f"{name}.schedule")
        def _kick():
            with _context(), db.connection_context():
                enqueue(name)
        PERIODIC[name] = (_kick, label)
        return task
    return deco


@periodic("notices", crontab(minute="*/15"), "整改时限与报送提醒（每15分钟）")
def run_notices(run):
    """Deadline, report and draw notices, then mail. Idempotent: every notice has a dedupe key."""
    from ..notices import triggers
    out = triggers.run_all()
    return out


@periodic("backup", crontab(hour="18", minute="30"), "数据备份（每日凌晨2:30，保留最近若干份）")
def run_backup(run):
    """The nightly backup into BACKUP_DIR, read back and recorded; keeps the newest BACKUP_KEEP (18:30 UTC is
    02:30 in Beijing). A failed one is a failed run on the jobs page and red on the sysadmin's home."""
    from ..backup import nightly
    rec = nightly()
    if rec.get("check") != "ok":
        raise RuntimeError(rec.get("check") or "备份失败")
    return rec.get("file")


def beat(worker: str | None = None) -> None:
    """The worker is alive: its row in worker_heartbeat, and instance/worker_heartbeat for /healthz."""
    import os
    from flask import current_app
    from ..models import WorkerHeartbeat
    path = os.path.join(current_app.instance_path, "worker_heartbeat")
    with open(path, "a"):
        os.utime(path)
    worker = worker or worker_id()
    now = clock.now()
    n = WorkerHeartbeat.update(seen_at=now).where(WorkerHeartbeat.worker == worker).execute()
    if not n:
        WorkerHeartbeat.insert(worker=worker, started_at=now, seen_at=now).on_conflict(
            conflict_target=[WorkerHeartbeat.worker], update={WorkerHeartbeat.seen_at: now}).execute()


def live_workers():
    from ..models import WorkerHeartbeat
    cutoff = clock.now() - dead_after()
    return list(WorkerHeartbeat.select().where(WorkerHeartbeat.seen_at >= cutoff).order_by(WorkerHeartbeat.worker))


def _alive(worker: str) -> bool:
    """A worker on this host whose process is gone is dead now, whatever its last beat says."""
    import os
    import socket
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap() -> int:
    """Runs left 'running' by a worker that stopped beating are queued again, to resume where their progress
    says. Returns how many were taken up."""
    from ..models import JobRun
    live = {w.worker for w in live_workers() if _alive(w.worker)}
    taken = 0
    stale = JobRun.select().where(JobRun.status == "running")
    for run in stale:
        if run.worker in live or run.name not in JOBS:
            continue
        # only one reaper wins the row, even with several workers on several servers
        n = (JobRun.update(status="requeued")
             .where((JobRun.id == run.id) & (JobRun.status == "running") & (JobRun.worker == run.worker))
             .execute())
        if n:
            submit(run, json.loads(run.args or "{}"))
            log.warning("job %s #%s taken up again (worker %s gone)", run.name, run.id, run.worker)
            taken += 1
    from ..models import WorkerHeartbeat
    WorkerHeartbeat.delete().where(WorkerHeartbeat.seen_at < clock.now() - dt.timedelta(days=1)).execute()
    return taken


@huey.periodic_task(crontab(), name="reap")
def _reap_every_minute():
    with _context(), db.connection_context():
        reap()


def next_runs(now: dt.datetime | None = None, horizon_minutes: int = 24 * 60):
    """[(name, label, next datetime)] for the scheduled jobs (UTC crontabs, shown in local time)."""
    now = (now or clock.now()).replace(second=0, microsecond=0)
    utc_now = dt.datetime.utcnow().replace(second=0, microsecond=0)
    out = []
    for name, (kick, label) in PERIODIC.items():
        for m in range(1, horizon_minutes + 1):
            if kick.task_class().validate_datetime(utc_now + dt.timedelta(minutes=m)):
                out.append((name, label, now + dt.timedelta(minutes=m)))
                break
    return out
