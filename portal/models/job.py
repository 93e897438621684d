"""Background jobs as the administrators see them: one row per run of a job, and the workers' heartbeats.

The queue itself lives in Huey's tables (huey_task, huey_schedule, huey_kv, huey_counter); these rows are
our own record of what ran, how far it got and why it failed, so a dead worker's job can be taken up again.
"""
from peewee import CharField, DateTimeField, IntegerField, TextField

from .. import clock
from .base import BaseModel

JOB_STATUSES = {
    "queued": "排队中",
    "running": "运行中",
    "done": "已完成",
    "failed": "失败",
    "requeued": "已重新排队",
}


class JobRun(BaseModel):
    task_id = CharField(max_length=64, index=True)   # Huey's task id
    name = CharField(max_length=64, index=True)      # the job's registered name
    args = TextField(default="{}")                   # JSON keyword arguments, to retry with
    status = CharField(max_length=16, default="queued", index=True)
    worker = CharField(max_length=128, default="")   # host:pid of the worker running it
    attempts = IntegerField(default=0)
    progress_done = IntegerField(default=0)
    progress_total = IntegerField(default=0)
    error = TextField(default="")
    created_at = DateTimeField(default=clock.now, index=True)
    started_at = DateTimeField(null=True)
    finished_at = DateTimeField(null=True)

    @property
    def status_label(self) -> str:
        return JOB_STATUSES.get(self.status, self.status)


class WorkerHeartbeat(BaseModel):
    worker = CharField(max_length=128, unique=True)  # host:pid
    started_at = DateTimeField(default=clock.now)
    seen_at = DateTimeField(default=clock.now, index=True)
