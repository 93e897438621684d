"""Batch printing: every person's submitted self-check report (个人对照检查材料) of a department, or of the
whole bureau, as one PDF — a job of the job worker (portal/jobs) whose state lives in the PrintJob table.

The request creates the row and queues the job; any gunicorn worker answers the progress polls (they read
the row). The job worker renders person by person in child processes that die with it, writes each
finished report to instance/jobs/<id>.parts/ and its progress (reports and pages) after each, and checks the
cancel flag between persons. If the worker dies (even by SIGKILL) the reaper of portal/jobs queues the job
again and it resumes after the last report it finished — none is rendered twice. The result is bound from
the parts at the end and can be downloaded until ``expires_at``; expired files are removed by
``expire_jobs()``. A running job that the job worker does not know (never queued there) and whose
heartbeat stopped is reported as failed.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import shutil

from flask import current_app
from peewee import fn

from .. import audit, clock
from ..errors import Conflict, Invalid, NotFound, PortalError, Refused
from ..jobs import enqueue, job, progress
from ..models import Campaign, Department, JobRun, PrintJob, User
from ..permissions import can, print_departments, scope_expr
from . import adapters, cover, render_pool

STALE_AFTER = dt.timedelta(minutes=5)


# ---------------------------------------------------------------- data
def versions_query(department_id=None, viewer=None):
    """The latest submitted version of each person's self-check in the active campaign (ids only)."""
    from ..models.selfcheck import SelfCheck, SelfCheckVersion
    q = (SelfCheckVersion.select(SelfCheckVersion.id)
         .join(SelfCheck, on=(SelfCheckVersion.selfcheck == SelfCheck.id))
         .join(User, on=(SelfCheck.user == User.id))
         .join(Department, on=(User.department == Department.id))
         .where(SelfCheck.status.in_(("submitted", "approved"))
                & (SelfCheckVersion.number == SelfCheck.versions_count)))
    camp = Campaign.active()
    if camp is not None:
        q = q.where(SelfCheck.campaign == camp.id)
    if department_id:
        q = q.where(User.department == department_id)
    if viewer is not None:
        q = q.where(scope_expr(viewer, User.department))
    return q.order_by(Department.sort_order, Department.id, User.employee_no, User.id)


def version_doc(version_id: int) -> dict:
    from ..models.selfcheck import SelfCheckVersion
    v = SelfCheckVersion.get_by_id(version_id)
    content = json.loads(v.content)
    return adapters.selfcheck_to_doc(content)


# ---------------------------------------------------------------- lifecycle
def start(user, department_id: int | None, run=True) -> PrintJob:
    """Create the job (and queue it for the job worker unless ``run`` is false)."""
    if not can(user, "documents.batch"):
        raise Refused("您没有批量打印的权限")
    allowed = print_departments(user)
    if allowed is not None:
        if department_id is None or department_id not in allowed:
            audit.record("access_denied", "print_job", department_id or "", outcome="denied",
                         detail="batch print outside own department")
            raise NotFound("只能批量打印本部门的对照检查材料")
    if department_id is not None and Department.get_or_none(Department.id == department_id) is None:
        raise NotFound("部门不存在")
    expire_jobs()
    total = versions_query(department_id, user).count()
    if total == 0:
        raise Invalid("该范围内还没有已提交的个人对照检查材料")
    job = PrintJob.create(requested_by=user.id, department=department_id, status="queued", total=total)
    audit.record("print_batch_start", "print_job", job.id, actor=user,
                 detail={"department": department_id, "total": total})
    if run:
        enqueue(JOB_NAME, print_job_id=job.id)
    return PrintJob.get_by_id(job.id)


JOB_NAME = "documents.batch"


@job(JOB_NAME)
def print_batch(job_run, print_job_id):
    """The job worker's side: run (or, after a dead worker, resume) one batch print. A failed one that the
    system administrator retries (后台作业 → 重试) starts again."""
    if job_run.attempts > 1:
        (PrintJob.update(status="queued", error="", finished_at=None, done=0, pages=0, cancel_requested=False)
         .where((PrintJob.id == print_job_id) & (PrintJob.status == "failed")).execute())
    return run(print_job_id, job_run=job_run).status


def job_run_of(job_id):
    """The job worker's JobRun of a batch print, if it was queued there."""
    return (JobRun.select().where((JobRun.name == JOB_NAME)
                                  & (JobRun.args == json.dumps({"print_job_id": job_id})))
            .order_by(JobRun.id.desc()).first())


def _cancel_requested(job_id) -> bool:
    return bool(PrintJob.select(PrintJob.cancel_requested).where(PrintJob.id == job_id).scalar())


def jobs_dir():
    path = os.path.join(current_app.instance_path, "jobs")
    os.makedirs(path, exist_ok=True)
    return path


def parts_dir(job_id) -> str:
    """Each finished report's PDF (0001.pdf …) and the plan (the version ids, fixed at the first start)."""
    return os.path.join(jobs_dir(), f"{int(job_id)}.parts")


def _write_atomic(path, data: bytes):
    tmp = path + ".part"
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _plan(job, requester) -> list:
    """The persons of the job in order: fixed when it first starts, so a resumed run prints the same list."""
    path = os.path.join(parts_dir(job.id), "plan.json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    os.makedirs(parts_dir(job.id), exist_ok=True)
    persons = cover.included(job.department_id, requester)
    _write_atomic(path, json.dumps(persons, ensure_ascii=False).encode())
    return persons


def _finished_parts(job_id, total) -> tuple[int, int]:
    """(reports finished, pages they fill when bound duplex) from the parts on disk, in order."""
    done = pages = 0
    while done < total:
        path = os.path.join(parts_dir(job_id), f"{done + 1:04d}.pdf")
        if not os.path.exists(path):
            break
        with open(path, "rb") as fh:
            n = _page_count(fh.read())
        pages += n + n % 2
        done += 1
    return done, pages


def run(job_id: int, on_person=None, job_run=None) -> PrintJob:
    """Run a queued job to its end (done / cancelled / failed); a job the worker takes up again after its
    worker died (``job_run`` given, status still running) resumes after the last report it finished.
    ``on_person(job_id, done)`` is called after each person (tests use it to cancel in the middle)."""
    now = clock.now()
    claimable = PrintJob.status.in_(("queued", "running")) if job_run is not None else PrintJob.status == "queued"
    claimed = (PrintJob.update(status="running", started_at=fn.COALESCE(PrintJob.started_at, now), heartbeat_at=now)
               .where((PrintJob.id == job_id) & claimable).execute())
    if not claimed:
        return PrintJob.get_by_id(job_id)
    job = PrintJob.get_by_id(job_id)
    requester = User.get_by_id(job.requested_by_id)
    try:
        persons = _plan(job, requester)
        done, pages = _finished_parts(job_id, len(persons))
        PrintJob.update(total=len(persons), done=done, pages=pages).where(PrintJob.id == job_id).execute()
        if job_run is not None:
            progress(job_run, done, len(persons))
        fonts = adapters.fonts_dir()
        todo = persons[done:]
        workers = int(current_app.config.get("DOCUMENT_BATCH_WORKERS", 2) or 0)
        results = render_pool.rendered(_docs(job, requester, persons, todo), fonts,
                                       workers if len(todo) >= PARALLEL_FROM else 0,
                                       lambda: _cancel_requested(job_id))
        cover_pdf = None
        for i, result in enumerate(results, done + 1):
            if result is None:
                return _finish(job_id, "cancelled")
            name, pdf, error = result
            if error:
                raise Invalid(f"{name or '打印清单'}的材料中：{error}" if i <= len(persons) else f"打印清单中：{error}")
            if i > len(persons):                       # the cover list, last through the same children
                cover_pdf = pdf
                results.close()                        # the children end before the book is bound
                break
            _write_atomic(os.path.join(parts_dir(job_id), f"{i:04d}.pdf"), pdf)
            n = _page_count(pdf)
            pages += n + n % 2
            PrintJob.update(done=i, pages=pages, heartbeat_at=clock.now()).where(PrintJob.id == job_id).execute()
            if job_run is not None:
                progress(job_run, i)
            if on_person:
                on_person(job_id, i)
        if _cancel_requested(job_id):
            return _finish(job_id, "cancelled")
        return _bind(job, requester, persons, cover_pdf)
    except Exception as e:  # noqa: BLE001
        msg = e.message if isinstance(e, PortalError) else "生成失败，请稍后重试或联系系统管理员。"
        _finish(job_id, "failed", error=msg)
        if not isinstance(e, PortalError):
            raise
        return PrintJob.get_by_id(job_id)


def _docs(job, requester, persons, todo):
    """The docs to render: each report still to do, then the cover list (who has not submitted is read as
    the last reports are rendered)."""
    for p in todo:
        yield version_doc(p["version"])
    yield dict(cover.cover_doc(cover.scope_name(job), persons, cover.missing(job.department_id, requester)),
               kind=cover.KIND)


def _page_count(pdf: bytes) -> int:
    import io

    import pikepdf
    with pikepdf.open(io.BytesIO(pdf)) as src:
        return len(src.pages)


def _bind(job, requester, persons, cover_pdf=None) -> PrintJob:
    """The cover list and every finished report into one duplex-ready PDF under instance/jobs/."""
    from ..gongwen.binder import Binder
    book = Binder()
    if cover_pdf is None:
        cover_pdf = cover.cover_pdf(job, persons, cover.missing(job.department_id, requester), adapters.fonts_dir())
    book.add(cover_pdf, "打印清单")
    for i, p in enumerate(persons, 1):
        with open(os.path.join(parts_dir(job.id), f"{i:04d}.pdf"), "rb") as fh:
            book.add(fh.read(), p["name"], p["department"])
    name = f"{job.id}-{secrets.token_hex(8)}.pdf"
    path = os.path.join(jobs_dir(), name)
    tmp = path + ".part"
    try:
        with open(tmp, "wb") as fh:
            book.write(fh)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    with open(path, "rb") as fh:
        sha = hashlib.sha256(fh.read()).hexdigest()
    hours = current_app.config.get("DOCUMENT_JOB_TTL_HOURS", 24)
    finished = clock.now()
    PrintJob.update(status="done", result_path=name, result_sha256=sha, result_size=os.path.getsize(path),
                    pages=book.pages, finished_at=finished, heartbeat_at=finished,
                    expires_at=finished + dt.timedelta(hours=hours)).where(PrintJob.id == job.id).execute()
    audit.record("print_batch_done", "print_job", job.id, actor=requester,
                 detail={"persons": len(persons), "pages": book.pages, "sha256": sha})
    return PrintJob.get_by_id(job.id)


PARALLEL_FROM = 12  # below this many persons the worker processes' start-up is not worth it


def render_version(version_id: int, fonts=None):
    """One submitted version as its GB/T 9704 PDF: (person, pdf bytes, error message)."""
    return render_pool.render_one(version_doc(version_id), adapters.fonts_dir() if fonts is None else fonts)


def _finish(job_id, status, error=""):
    PrintJob.update(status=status, finished_at=clock.now(), error=error).where(PrintJob.id == job_id).execute()
    shutil.rmtree(parts_dir(job_id), ignore_errors=True)
    return PrintJob.get_by_id(job_id)


def cancel(user, job: PrintJob) -> PrintJob:
    if job.finished:
        raise Conflict("该任务已结束，无法取消")
    # a queued job is cancelled at once; a running one stops before the next person
    PrintJob.update(cancel_requested=True).where(PrintJob.id == job.id).execute()
    (PrintJob.update(status="cancelled", finished_at=clock.now())
     .where((PrintJob.id == job.id) & (PrintJob.status == "queued")).execute())
    audit.record("print_batch_cancel", "print_job", job.id, actor=user)
    return PrintJob.get_by_id(job.id)


def refresh(job: PrintJob) -> PrintJob:
    """Expire a finished job past its time; fail a running one whose worker stopped beating."""
    now = clock.now()
    if job.status == "done" and job.expires_at and now >= job.expires_at:
        _expire(job)
        return PrintJob.get_by_id(job.id)
    if job.status == "running" and job.heartbeat_at and now - job.heartbeat_at > STALE_AFTER:
        run_ = job_run_of(job.id)
        if run_ is None or run_.status in ("failed", "done"):  # nobody will take it up again
            _finish(job.id, "failed", error="生成过程中断（服务重启），请重新发起。")
            return PrintJob.get_by_id(job.id)
    return job


def waiting_note(job: PrintJob) -> str:
    """Why an unfinished job does not move, for its progress bar: its worker died and it waits to be taken up
    again (it resumes after the last finished report), or no job worker is running at all."""
    if job.finished:
        return ""
    from ..jobs.tasks import live_workers
    run_ = job_run_of(job.id)
    if job.status == "running" and run_ is not None and run_.status in ("requeued", "queued"):
        return f"作业进程中断，任务将从第 {job.done + 1} 份继续，已完成的不会重复生成。"
    if run_ is not None and run_.status == "queued" and not live_workers():
        return "作业进程未运行，任务将在其启动后开始，请联系系统管理员。"
    return ""


def _expire(job):
    shutil.rmtree(parts_dir(job.id), ignore_errors=True)
    if job.result_path:
        path = os.path.join(jobs_dir(), os.path.basename(job.result_path))
        if os.path.exists(path):
            os.remove(path)
    PrintJob.update(status="expired", result_path=None).where(PrintJob.id == job.id).execute()


def expire_jobs():
    now = clock.now()
    for pj in PrintJob.select().where((PrintJob.status == "done") & (PrintJob.expires_at <= now)):
        _expire(pj)


def result_bytes(job: PrintJob) -> bytes:
    job = refresh(job)
    if job.status == "expired":
        raise PortalError("该批量打印文件已过期并被清除，请重新发起。", status=410)
    if job.status != "done" or not job.result_path:
        raise Conflict("文件尚未生成完成")
    path = os.path.join(jobs_dir(), os.path.basename(job.result_path))
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError:
        raise PortalError("文件已不存在，请重新发起。", status=410)
    if hashlib.sha256(data).hexdigest() != job.result_sha256:
        raise PortalError("文件校验失败，请重新发起。", status=500)
    return data


def scope_label(job: PrintJob) -> str:
    return job.department.name if job.department_id else "全局"

