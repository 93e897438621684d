"""Batch printing: every person's submitted self-check report (个人对照检查材料) of a department, or of the
whole bureau, as one PDF — a background job whose state lives in the PrintJob table.

The request creates the row and starts a thread (any gunicorn worker can answer the progress polls: they
read the row). The thread renders person by person, writes progress and a heartbeat after each, and checks
the cancel flag between persons. The result is written under instance/jobs/ and can be downloaded until
``expires_at``; expired files are removed by ``expire_jobs()``. A job whose heartbeat stopped (its worker
died) is reported as failed.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import threading

from flask import current_app

from .. import audit, clock
from ..errors import Conflict, Invalid, NotFound, PortalError, Refused
from ..extensions import db
from ..models import Campaign, Department, PrintJob, User
from ..permissions import can, print_departments, scope_expr
from . import adapters, cover

STALE_AFTER = dt.timedelta(minutes=5)
_THREADS: list[threading.Thread] = []




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
        launch(job.id)
    return job


def launch(job_id: int):
    app = current_app._get_current_object()
    t = threading.Thread(target=_thread_main, args=(app, job_id), name=f"print-job-{job_id}", daemon=True)
    _THREADS.append(t)
    t.start()
    return t


def wait_all(timeout=120):
    """Tests: wait for the background jobs started in this process."""
    while _THREADS:
        _THREADS.pop().join(timeout)


def _thread_main(app, job_id):
    with app.app_context():
        with db.connection_context():
            try:
                run(job_id)
            except Exception:  # noqa: BLE001 - the job row carries the failure
                app.logger.exception("print job %s failed", job_id)


def _cancel_requested(job_id) -> bool:
    return bool(PrintJob.select(PrintJob.cancel_requested).where(PrintJob.id == job_id).scalar())


def jobs_dir():
    path = os.path.join(current_app.instance_path, "jobs")
    os.makedirs(path, exist_ok=True)
    return path


def run(job_id: int, on_person=None) -> PrintJob:
    """Run a queued job to its end (done / cancelled / failed). ``on_person(job_id, done)`` is called after
    each person (tests use it to cancel in the middle)."""
    from ..gongwen.binder import Binder
    now = clock.now()
    claimed = (PrintJob.update(status="running", started_at=now, heartbeat_at=now)
               .where((PrintJob.id == job_id) & (PrintJob.status == "queued")).execute())
    if not claimed:
        return PrintJob.get_by_id(job_id)
    job = PrintJob.get_by_id(job_id)
    requester = User.get_by_id(job.requested_by_id)
    persons = cover.included(job.department_id, requester)
    ids = [p["version"] for p in persons]
    PrintJob.update(total=len(ids)).where(PrintJob.id == job_id).execute()
    book = Binder()
    writer = book.writer
    tmp = None
    try:
        fonts = adapters.fonts_dir()
        book.add(cover.cover_pdf(job, persons, cover.missing(job.department_id, requester), fonts), "打印清单")
        workers = int(current_app.config.get("DOCUMENT_BATCH_WORKERS", 2) or 0)
        pdfs = _rendered(ids, fonts, workers if len(ids) >= PARALLEL_FROM else 0, job_id)
        for i, result in enumerate(pdfs, 1):
            if result is None:
                return _finish(job_id, "cancelled")
            name, pdf, error = result
            if error:
                raise Invalid(f"{name}的材料中：{error}")
            book.add(pdf, name or persons[i - 1]["name"], persons[i - 1]["department"])
            PrintJob.update(done=i, pages=book.pages, heartbeat_at=clock.now()).where(PrintJob.id == job_id).execute()
            if on_person:
                on_person(job_id, i)
        if _cancel_requested(job_id):
            return _finish(job_id, "cancelled")
        name = f"{job_id}-{secrets.token_hex(8)}.pdf"
        path = os.path.join(jobs_dir(), name)
        tmp = path + ".part"
        with open(tmp, "wb") as fh:
            book.write(fh)
        os.replace(tmp, path)
        tmp = None
        with open(path, "rb") as fh:
            sha = hashlib.sha256(fh.read()).hexdigest()
        hours = current_app.config.get("DOCUMENT_JOB_TTL_HOURS", 24)
        finished = clock.now()
        PrintJob.update(status="done", result_path=name, result_sha256=sha, result_size=os.path.getsize(path),
                        pages=len(writer.pages), finished_at=finished, heartbeat_at=finished,
                        expires_at=finished + dt.timedelta(hours=hours)).where(PrintJob.id == job_id).execute()
        audit.record("print_batch_done", "print_job", job_id, actor=requester,
                     detail={"persons": len(ids), "pages": len(writer.pages), "sha256": sha})
        return PrintJob.get_by_id(job_id)
    except Exception as e:  # noqa: BLE001
        msg = e.message if isinstance(e, PortalError) else "生成失败，请稍后重试或联系系统管理员。"
        _finish(job_id, "failed", error=msg)
        if not isinstance(e, PortalError):
            raise
        return PrintJob.get_by_id(job_id)
    finally:
        if tmp and os.path.exists(tmp):
            os.remove(tmp)


PARALLEL_FROM = 12  # below this many persons the worker processes' start-up is not worth it


def render_version(version_id: int, fonts=None):
    """One submitted version as its GB/T 9704 PDF: (person, pdf bytes, error message)."""
    return _render_one(version_doc(version_id), adapters.fonts_dir() if fonts is None else fonts)


def _render_one(doc, fonts):
    """In this process or a worker process: (person, pdf bytes, error message)."""
    from ..gongwen.render import MissingGlyph, render_pdf
    try:
        return doc.get("person") or "", render_pdf("self-check-report", doc, fonts), ""
    except MissingGlyph as e:
        return doc.get("person") or "", b"", str(e)


def _rendered(ids, fonts, workers, job_id):
    """Yield (person, pdf, error) in order; None once the job's cancel flag is seen (checked between persons).
    With ``workers`` > 1 the renders run in that many spawned processes, a small window ahead of the merge."""
    if workers <= 1:
        for vid in ids:
            if _cancel_requested(job_id):
                yield None
                return
            yield _render_one(version_doc(vid), fonts)
        return
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        window = deque()
        pending = iter(ids)
        try:
            for vid in pending:
                window.append(pool.submit(_render_one, version_doc(vid), fonts))
                if len(window) >= 2 * workers:
                    break
            while window:
                if _cancel_requested(job_id):
                    yield None
                    return
                result = window.popleft().result()
                nxt = next(pending, None)
                if nxt is not None:
                    window.append(pool.submit(_render_one, version_doc(nxt), fonts))
                yield result
        finally:
            for f in window:
                f.cancel()


def _finish(job_id, status, error=""):
    PrintJob.update(status=status, finished_at=clock.now(), error=error).where(PrintJob.id == job_id).execute()
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
        _finish(job.id, "failed", error="生成过程中断（服务重启），请重新发起。")
        return PrintJob.get_by_id(job.id)
    return job


def _expire(job):
    if job.result_path:
        path = os.path.join(jobs_dir(), os.path.basename(job.result_path))
        if os.path.exists(path):
            os.remove(path)
    PrintJob.update(status="expired", result_path=None).where(PrintJob.id == job.id).execute()


def expire_jobs():
    now = clock.now()
    for job in PrintJob.select().where((PrintJob.status == "done") & (PrintJob.expires_at <= now)):
        _expire(job)


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

