"""The job queue: Huey, stored in the portal's own database.

Why Huey with SQL storage: the queue lives in the database the portal already has — the SQLite file on one
machine, PostgreSQL when several servers share it (rows taken with FOR UPDATE SKIP LOCKED) — so there is no
extra server to run, back up or secure. Huey's own tables carry a huey_ prefix (migration 0021).

A job is a function decorated with @job("name"). It runs in the worker process (`flask --app app jobs
worker`) inside an app context with a database connection, and records its run in JobRun, which is how the
system administrator sees it and how a run cut short by a dead worker is taken up again (see tasks.reap).
"""
import functools
import json
import logging

from huey import Huey, signals
from huey.contrib.sql_huey import SqlStorage
from huey.storage import BaseStorage
from peewee import BigIntegerField, BlobField, CharField, CompositeKey, FloatField, IntegerField, Model

from .. import clock
from ..extensions import db

log = logging.getLogger(__name__)


class _Blob(BlobField):
    def python_value(self, value):
        return value if isinstance(value, (bytes, type(None))) else bytes(value)


class PortalStorage(SqlStorage):
    """SqlStorage over the app's DatabaseProxy and migrated huey_* tables."""

    def __init__(self, name="huey", **kwargs):  # noqa: D107 - no database argument: the app's is used
        BaseStorage.__init__(self, name)
        self.database = db
        self.KV, self.Schedule, self.Task, self.Counter = self.create_models()

    def atomic(self):
        return self.database.atomic()

    @property
    def for_update(self):
        from ..db import is_postgres
        return "FOR UPDATE SKIP LOCKED" if is_postgres() else None

    def create_models(self):
        database = self.database

        class Base(Model):
            class Meta:
                database = None

        Base._meta.database = database

        class KV(Base):
            queue = CharField()
            key = CharField()
            value = _Blob()

            class Meta:
                table_name = "huey_kv"
                primary_key = CompositeKey("queue", "key")

        class Schedule(Base):
            queue = CharField()
            data = _Blob()
            timestamp = BigIntegerField()

            class Meta:
                table_name = "huey_schedule"

        class Task(Base):
            queue = CharField()
            data = _Blob()
            priority = FloatField(default=0.0)

            class Meta:
                table_name = "huey_task"

        class Counter(Base):
            queue = CharField()
            key = CharField()
            value = IntegerField()

            class Meta:
                table_name = "huey_counter"
                primary_key = CompositeKey("queue", "key")

        return KV, Schedule, Task, Counter

    def create_tables(self):  # the migration does it
        return None

    def check_conn(self):
        if self.database.is_closed():
            self.database.connect()

    def add_to_schedule(self, data, timestamp):
        # Huey hands a datetime; the column keeps milliseconds since the epoch
        self.check_conn()
        self.Schedule.create(queue=self.name, data=data, timestamp=_ms(timestamp))

    def read_schedule(self, timestamp):
        return super().read_schedule(_ms(timestamp))

    def close(self):
        return None  # connections belong to the app's pool


def _ms(value) -> int:
    if isinstance(value, (int, float)):
        return int(value)
    import calendar
    return int(calendar.timegm(value.utctimetuple()) * 1000 + value.microsecond // 1000)


huey = Huey("fengji", storage_class=PortalStorage, results=False, utc=True, immediate_use_memory=False)

_app = {"app": None}  # the worker's app; requests and tests use their own current_app
JOBS: dict = {}       # name -> task


def bind_app(app) -> None:
    _app["app"] = app
    huey.immediate = bool(app.config.get("JOBS_IMMEDIATE"))


def _context():
    from flask import current_app, has_app_context
    if has_app_context():
        return current_app._get_current_object().app_context()
    if _app["app"] is None:
        from .. import create_app
        bind_app(create_app())
    return _app["app"].app_context()


def job(name: str, **task_kwargs):
    """Register `fn(run, **kwargs)` as a job. `run` is its JobRun row (progress, resume point)."""
    def deco(fn):
        @functools.wraps(fn)
        def body(run_id=None, **kwargs):
            with _context(), db.connection_context():
                run = _start(name, run_id, kwargs)
                try:
                    out = fn(run, **kwargs)
                except Exception as exc:
                    _finish(run, "failed", f"{type(exc).__name__}: {exc}"[:2000])
                    raise
                _finish(run, "done")
                return out
        task = huey.task(name=name, **task_kwargs)(body)
        JOBS[name] = task
        return task
    return deco


def enqueue(name: str, **kwargs):
    """Queue a job by name; returns its JobRun (status queued, or already done in immediate mode)."""
    from ..models import JobRun
    run = JobRun.create(task_id="", name=name, args=json.dumps(kwargs, ensure_ascii=False, default=str))
    submit(run, kwargs)
    return JobRun.get_by_id(run.id)


def submit(run, kwargs) -> None:
    """Put a JobRun's task on the queue (first time, a retry, or a dead worker's run taken up again)."""
    from ..models import JobRun
    task = JOBS[run.name].s(run_id=run.id, **kwargs)
    JobRun.update(task_id=task.id).where(JobRun.id == run.id).execute()
    huey.enqueue(task)


def worker_id() -> str:
    import os
    import socket
    return f"{socket.gethostname()}:{os.getpid()}"


def _start(name, run_id, kwargs):
    from ..models import JobRun
    now = clock.now()
    run = JobRun.get_or_none(JobRun.id == run_id) if run_id else None
    if run is None:
        run = JobRun.create(task_id="", name=name, args=json.dumps(kwargs, ensure_ascii=False, default=str))
    JobRun.update(status="running", worker=worker_id(), started_at=now, attempts=JobRun.attempts + 1,
                  error="").where(JobRun.id == run.id).execute()
    return JobRun.get_by_id(run.id)


def _finish(run, status, error=""):
    from ..models import JobRun
    JobRun.update(status=status, error=error, finished_at=clock.now()).where(JobRun.id == run.id).execute()


def progress(run, done: int, total: int | None = None) -> None:
    """Record how far a job got (the admin page shows it; a resumed run starts from here)."""
    from ..models import JobRun
    fields = {JobRun.progress_done: done}
    if total is not None:
        fields[JobRun.progress_total] = total
    JobRun.update(fields).where(JobRun.id == run.id).execute()
    run.progress_done = done
    if total is not None:
        run.progress_total = total


@huey.signal(signals.SIGNAL_ERROR)
def _log_error(signal, task, exc=None):
    log.error("job %s failed: %s", task.name, exc)
