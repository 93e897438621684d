"""A batch print is a job of the job worker: its worker killed with SIGKILL in the middle, the render child
processes die with it, the job stays running, and a second worker takes it up and resumes after the last
report finished — no report rendered twice, each person once in the bound PDF, progress continuing."""
import io
import os
import signal
import subprocess
import sys
import time

from pypdf import PdfReader

from portal import jobs
from portal.documents import batch, render_pool
from portal.jobs import queue
from portal.models import JobRun, PrintJob
from tests.factories import make_department, make_user

from .register_helpers import submitted_selfcheck

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PERSONS = 30


def _worker(app, db_url, log_dir):
    env = dict(os.environ, DATABASE_URL=db_url, PORTAL_INSTANCE_PATH=app.instance_path,
               PORTAL_SECRET_KEY="test-secret-key-not-for-production", PORTAL_JOBS_HEARTBEAT_SECONDS="1",
               PORTAL_DOCUMENT_BATCH_WORKERS="2")
    env.pop("TEST_DATABASE_URL", None)
    log = open(log_dir / f"worker-{time.monotonic_ns()}.log", "w")
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "jobs", "worker", "--threads", "1"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _wait(cond, timeout=120.0, step=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = cond()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out")


def _gone(pid) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def _job(job_id):
    return PrintJob.get_by_id(job_id)


def test_batch_resumes_after_kill_9_of_its_worker(ctx, app, db_url, tmp_path):
    dept = make_department("财务科")
    disc = make_user("disc", make_department("机关党委"), roles=("discipline", "staff"))
    for i in range(PERSONS):
        submitted_selfcheck(make_user(f"p{i:02d}", dept, real_name=f"人员{i:02d}号"), problems=3)
    job = batch.start(disc, None, run=False)
    queue.huey.immediate = False
    try:
        jobs.enqueue(batch.JOB_NAME, print_job_id=job.id)
    finally:
        queue.huey.immediate = True
    parts = batch.parts_dir(job.id)
    first = _worker(app, db_url, tmp_path)
    second = None
    try:
        _wait(lambda: _job(job.id).done >= 2)
        children = [p for p in render_pool.children_of(first.pid) if not _gone(p)]
        os.kill(first.pid, signal.SIGKILL)          # the worker alone, not its process group
        first.wait(10)
        killed = _job(job.id)
        assert killed.status == "running" and 2 <= killed.done < PERSONS, killed.done
        assert len(children) >= 2, "the renders ran in child processes"
        _wait(lambda: all(_gone(p) for p in children), timeout=10)   # they died with their parent
        finished = sorted(f for f in os.listdir(parts) if f[:4].isdigit() and f.endswith(".pdf"))
        assert len(finished) >= killed.done
        stamps = {f: os.stat(os.path.join(parts, f)).st_mtime_ns for f in finished}
        second = _worker(app, db_url, tmp_path)
        resumed = _wait(lambda: _job(job.id).done > killed.done and _job(job.id))
        assert resumed.done > killed.done and resumed.pages > killed.pages      # the bar continues
        done = _wait(lambda: _job(job.id).status == "done" and _job(job.id))
        # the worker marks its JobRun done just after the PrintJob: let it get there before it is stopped
        _wait(lambda: JobRun.get(JobRun.name == batch.JOB_NAME).status != "running", timeout=30)
    finally:
        for p in (first, second):
            if p is not None and p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(10)
    assert done.done == PERSONS
    run = JobRun.get(JobRun.name == batch.JOB_NAME)
    assert run.status == "done" and run.attempts == 2 and run.progress_done == PERSONS
    # the reports finished before the kill were not rendered again
    assert {f: os.stat(os.path.join(parts, f)).st_mtime_ns for f in stamps} == stamps
    with open(os.path.join(app.instance_path, "jobs", done.result_path), "rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    outline = reader.outline
    names = [x.title for o in outline if isinstance(o, list) for x in o]
    assert names == [f"人员{i:02d}号" for i in range(PERSONS)]                 # each person once, in order
    assert len(reader.pages) == done.pages and done.pages % 2 == 0


def test_progress_says_when_the_worker_died(ctx, client, auth):
    dept = make_department("财务科")
    head = make_user("disc", make_department("机关党委"), roles=("discipline", "staff"))
    for i in range(2):
        submitted_selfcheck(make_user(f"p{i}", dept, real_name=f"人员{i}号"))
    job = batch.start(head, dept.id, run=False)
    queue.huey.immediate = False
    try:
        run = jobs.enqueue(batch.JOB_NAME, print_job_id=job.id)
        auth.login(head)
        frag = client.hx_get(f"/documents/batch/{job.id}/progress").get_data(as_text=True)
        assert "作业进程未运行" in frag                                   # queued, no worker alive
        PrintJob.update(status="running", done=1).where(PrintJob.id == job.id).execute()
        JobRun.update(status="requeued").where(JobRun.id == run.id).execute()
        frag = client.hx_get(f"/documents/batch/{job.id}/progress").get_data(as_text=True)
        assert "从第 2 份继续" in frag and "生成中" in frag
    finally:
        queue.huey.flush()
        queue.huey.immediate = True


def test_a_failed_batch_retried_by_the_sysadmin_runs_again(ctx, client, auth):
    dept = make_department("财务科")
    disc = make_user("disc", make_department("机关党委"), roles=("discipline", "staff"))
    for i in range(2):
        submitted_selfcheck(make_user(f"p{i}", dept, real_name=f"人员{i}号"))
    job = batch.start(disc, None, run=False)
    PrintJob.update(status="failed", error="生成失败，请稍后重试或联系系统管理员。").where(PrintJob.id == job.id).execute()
    run = JobRun.create(task_id="", name=batch.JOB_NAME, status="failed", attempts=1, error="RuntimeError: 磁盘已满",
                        args=f'{{"print_job_id": {job.id}}}')
    auth.login(make_user("sys", roles=("sysadmin",)))
    page = client.get("/admin/jobs/?status=failed").get_data(as_text=True)
    assert "批量打印个人对照检查材料" in page
    assert client.hx_post(f"/admin/jobs/{run.id}/retry").status_code == 200      # immediate mode: runs now
    assert _job(job.id).status == "done" and _job(job.id).done == 2
    assert JobRun.get_by_id(run.id).status == "done"
