"""A resumable job for the worker tests: each step writes one notice in the same transaction as the progress,
so a step done twice breaks the unique (user, dedupe_key) index and fails the job."""
import time

from portal.extensions import db
from portal.jobs import job, progress
from portal.models import Notice


@job("sample.steps")
def steps(run, user_id, n=8, delay=0.5):
    progress(run, run.progress_done, n)
    for i in range(run.progress_done, n):
        time.sleep(delay)
        with db.atomic():
            Notice.create(user=user_id, kind="test", text=f"第{i}步", dedupe_key=f"sample-{run.id}-{i}")
            progress(run, i + 1)
    return n


@job("sample.fails")
def fails(run, user_id):
    raise RuntimeError("打印机离线")
