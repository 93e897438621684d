"""定时任务 / 后台作业: the system administrator sees queued, running, failed and scheduled jobs and retries a
failed one."""
import json

from flask import abort, redirect, request, url_for

from .. import audit, htmx
from ..paging import paginate
from ..htmx import toast
from ..permissions import require
from ..admin.forms import EmptyForm
from ..extensions import db
from ..models import JOB_STATUSES, JobRun
from . import bp
from .queue import JOBS, huey, submit
from .tasks import live_workers, next_runs

MANAGE = "admin.manage"
JOB_LABELS = {"notices": "整改时限与报送提醒", "backup": "数据备份", "documents.batch": "批量打印个人对照检查材料"}


def label(name: str) -> str:
    return JOB_LABELS.get(name, name)


@bp.route("/")
@require(MANAGE)
def index():
    status = request.args.get("status", "")
    query = JobRun.select().order_by(JobRun.id.desc())
    if status in JOB_STATUSES:
        query = query.where(JobRun.status == status)
    _p = paginate(query, request.args.get("page"))
    runs, page, pages, total = _p.rows, _p.page, _p.pages, _p.total
    return htmx.render("jobs/index.html", "jobs/_runs.html", runs=runs, pg=page, pages=pages, total=total,
                       current=status, statuses=JOB_STATUSES, label=label, workers=live_workers(),
                       scheduled=next_runs(), queued=huey.pending_count(), form=EmptyForm(),
                       page_url=lambda p: url_for("jobs.index", page=p, status=status or None))


@bp.route("/<int:run_id>/retry", methods=["POST"])
@require(MANAGE)
def retry(run_id):
    if not EmptyForm().validate_on_submit():
        abort(400)
    with db.atomic():
        n = (JobRun.update(status="queued", error="", finished_at=None)
             .where((JobRun.id == run_id) & (JobRun.status == "failed")).execute())
        run = JobRun.get_or_none(JobRun.id == run_id)
        if run is None:
            abort(404)
        if not n or run.name not in JOBS:
            resp = htmx.render("jobs/_run_row.html", "jobs/_run_row.html", run=run, label=label,
                               form=EmptyForm(), status=409)
            return toast(resp, "只有失败的作业可以重试。", "error")
        audit.record("job_retry", "job_run", run.id, detail={"name": run.name})
    submit(run, json.loads(run.args or "{}"))
    run = JobRun.get_by_id(run_id)
    if not htmx.is_htmx():
        return redirect(url_for("jobs.index"))
    return toast(htmx.render("jobs/_run_row.html", "jobs/_run_row.html", run=run, label=label,
                             form=EmptyForm()), "已重新排队。")
