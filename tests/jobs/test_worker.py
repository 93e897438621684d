"""The job worker for real: a `flask jobs worker` process on the test database, killed with SIGKILL in the
middle of a job; a second worker takes the job up and finishes it without redoing a step."""
import os
import signal
import subprocess
import sys
import time

import pytest

from portal import jobs
from portal.jobs import queue
from portal.models import JobRun, Notice, WorkerHeartbeat

from ..factories import make_department, make_user

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def sample(app):
    app.config["JOBS_MODULES"] = ("tests.jobs.sample_jobs",)
    jobs.load_modules(app)
    return app


def _worker(db_url, tmp_path):
    env = dict(os.environ, DATABASE_URL=db_url, PORTAL_INSTANCE_PATH=str(tmp_path / "instance"),
               PORTAL_SECRET_KEY="test-secret-key-not-for-production",
               PORTAL_JOBS_MODULES="tests.jobs.sample_jobs", PORTAL_JOBS_HEARTBEAT_SECONDS="1")
    env.pop("TEST_DATABASE_URL", None)
    log = open(tmp_path / f"worker-{time.monotonic_ns()}.log", "w")
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "jobs", "worker", "--threads", "1"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _wait(cond, timeout=40.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = cond()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


def _run(run_id):
    return JobRun.get_by_id(run_id)


def test_a_job_survives_its_worker_killed(ctx, sample, db_url, tmp_path):
    user = make_user(department=make_department("办公室"))
    queue.huey.immediate = False
    try:
        run = jobs.enqueue("sample.steps", user_id=user.id, n=8, delay=0.4)
    finally:
        queue.huey.immediate = True
    assert run.status == "queued"
    first = _worker(db_url, tmp_path)
    try:
        _wait(lambda: _run(run.id).progress_done >= 2)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
        killed_at = _run(run.id)
        assert killed_at.status == "running" and killed_at.progress_done < 8
        second = _worker(db_url, tmp_path)
        try:
            done = _wait(lambda: _run(run.id).status == "done" and _run(run.id))
        finally:
            os.killpg(second.pid, signal.SIGTERM)
            second.wait(20)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert done.attempts == 2 and done.progress_done == 8
    texts = sorted(n.text for n in Notice.select().where(Notice.kind == "test"))
    assert texts == sorted(f"第{i}步" for i in range(8))  # each step exactly once
    assert WorkerHeartbeat.select().count() >= 1


def test_failed_job_is_shown_and_retried_by_the_sysadmin(ctx, sample, client, auth):
    dept = make_department("信息中心")
    admin = make_user(department=dept, roles=["sysadmin"])
    staff = make_user(department=dept)
    jobs.enqueue("sample.fails", user_id=staff.id)  # the failure is recorded, not raised at the caller
    run = JobRun.get(JobRun.name == "sample.fails")
    assert run.status == "failed" and "打印机离线" in run.error
    auth.login(admin)
    page = client.get("/admin/jobs/?status=failed").get_data(as_text=True)
    assert "失败" in page and "打印机离线" in page and "重试" in page
    assert "没有作业进程在运行" in page
    queue.huey.immediate = False
    try:
        r = client.hx_post(f"/admin/jobs/{run.id}/retry")
    finally:
        queue.huey.immediate = True
    assert r.status_code == 200 and "排队中" in r.get_data(as_text=True)
    assert _run(run.id).status == "queued" and queue.huey.pending_count() == 1
    r = client.hx_post(f"/admin/jobs/{run.id}/retry")  # no longer failed
    assert r.status_code == 409
    queue.huey.flush()


def test_jobs_page_is_the_sysadmins_only(ctx, client, auth):
    dept = make_department("办公室")
    auth.login(make_user(department=dept, roles=["discipline"]))
    assert client.get("/admin/jobs/").status_code == 403


def test_scheduled_jobs_listed_with_next_run(ctx, client, auth):
    auth.login(make_user(department=make_department("信息中心"), roles=["sysadmin"]))
    page = client.get("/admin/jobs/").get_data(as_text=True)
    assert "整改时限与报送提醒" in page and "下次执行" in page


def test_a_running_worker_takes_up_a_dead_workers_job_at_its_heartbeat(ctx, sample, db_url, tmp_path):
    """Not only at a worker's start: a live worker notices a dead one's running job at its next beats (the
    periodic reaper ran once a minute before), and runs it to its end."""
    import json
    import socket
    user = make_user(department=make_department("办公室"))
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    live = _worker(db_url, tmp_path)
    try:
        _wait(lambda: WorkerHeartbeat.select().where(WorkerHeartbeat.worker.endswith(f":{live.pid}")).exists())
        run = JobRun.create(task_id="", name="sample.steps", status="running", attempts=1,
                            worker=f"{socket.gethostname()}:{gone.pid}",
                            args=json.dumps({"user_id": user.id, "n": 2, "delay": 0}))
        done = _wait(lambda: _run(run.id).status == "done" and _run(run.id), timeout=20.0)
    finally:
        os.killpg(live.pid, signal.SIGTERM)
        live.wait(20)
    assert done.attempts == 2 and done.worker.endswith(f":{live.pid}")
