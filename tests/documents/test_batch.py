"""Batch printing of personal self-check reports: a background job with progress, cancel, expiry, scope."""
import datetime as dt
import io
import os

from pypdf import PdfReader

from portal.documents import batch
from portal.models import AuditRecord, PrintJob
from tests.factories import make_bureau, make_user

from .register_helpers import pdf_text, submitted_selfcheck


def bureau():
    """The shared bureau, with submitted self-checks of three people in 财务科 and two in 资产管理科."""
    o = make_bureau()
    a, b = o.fin, o.asset
    people = [make_user(f"a{i}", a, real_name=f"财务{i}号") for i in range(3)]
    people += [make_user(f"b{i}", b, real_name=f"资产{i}号") for i in range(2)]
    for p in people:
        submitted_selfcheck(p)
    return a, b, o.head_a, o.head_b, o.office


def test_job_runs_to_a_downloadable_pdf(ctx, client, auth):
    a, b, head_a, head_b, disc = bureau()
    job = batch.start(head_a, a.id, run=False)
    assert job.status == "queued" and job.total == 3
    job = batch.run(job.id)
    assert job.status == "done" and job.done == 3 and job.pages >= 3
    auth.login(head_a)
    frag = client.hx_get(f"/documents/batch/{job.id}/progress").get_data(as_text=True)
    assert "<progress" in frag and 'value="3"' in frag and "hx-trigger" not in frag  # polling stops
    r = client.get(f"/documents/batch/{job.id}/download")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = pdf_text(r.data)
    assert all(f"财务{i}号" in text for i in range(3)) and "资产0号" not in text
    assert "个人对照检查材料" in text
    assert AuditRecord.select().where(AuditRecord.action == "print_batch_download").exists()


def test_progress_is_polled_until_done(ctx, client, auth):
    a, b, head_a, *_ = bureau()
    job = batch.start(head_a, a.id, run=False)
    auth.login(head_a)
    frag = client.hx_get(f"/documents/batch/{job.id}/progress").get_data(as_text=True)
    assert 'hx-trigger="load delay:500ms"' in frag and "取消任务" in frag
    seen = []
    batch.run(job.id, on_person=lambda jid, done: seen.append(PrintJob.get_by_id(jid).done))
    assert seen == [1, 2, 3]


def test_job_queued_by_the_request_runs_in_the_job_worker(ctx, client, auth):
    a, b, head_a, head_b, disc = bureau()
    auth.login(disc)
    r = client.post("/documents/batch", data={"department": ""})
    assert r.status_code == 302
    job = PrintJob.select().order_by(PrintJob.id.desc()).first()
    assert job.department_id is None and job.total == 5
    job = PrintJob.get_by_id(job.id)
    assert job.status == "done" and job.done == 5
    assert len(PdfReader(io.BytesIO(client.get(f"/documents/batch/{job.id}/download").data)).pages) == job.pages


def test_cancel_between_persons(ctx, client, auth, app):
    a, b, head_a, *_ = bureau()
    job = batch.start(head_a, a.id, run=False)

    def cancel_after_first(jid, done):
        if done == 1:
            batch.cancel(head_a, PrintJob.get_by_id(jid))
    job = batch.run(job.id, on_person=cancel_after_first)
    assert job.status == "cancelled" and job.done == 1 and job.result_path is None
    jobs = os.path.join(app.instance_path, "jobs")
    assert not os.path.exists(jobs) or not os.listdir(jobs)
    # a queued job is cancelled at once through the UI
    job2 = batch.start(head_a, a.id, run=False)
    auth.login(head_a)
    r = client.hx_post(f"/documents/batch/{job2.id}/cancel")
    assert r.status_code == 200 and "已取消" in r.get_data(as_text=True)
    assert batch.run(job2.id).status == "cancelled"
    assert client.hx_post(f"/documents/batch/{job2.id}/cancel").status_code == 409


def test_result_expires(ctx, client, auth, app, travel):
    a, b, head_a, *_ = bureau()
    travel(dt.datetime(2026, 5, 6, 9, 0))
    job = batch.run(batch.start(head_a, a.id, run=False).id)
    path = os.path.join(app.instance_path, "jobs", job.result_path)
    assert os.path.exists(path)
    travel(dt.datetime(2026, 5, 7, 8, 59))
    auth.login(head_a)
    assert client.get(f"/documents/batch/{job.id}/download").status_code == 200
    travel(dt.datetime(2026, 5, 7, 9, 1))
    r = client.get(f"/documents/batch/{job.id}/download")
    assert r.status_code == 410 and "过期" in r.get_data(as_text=True)
    assert not os.path.exists(path)
    assert PrintJob.get_by_id(job.id).status == "expired"


def test_stale_running_job_is_reported_failed(ctx, travel):
    a, b, head_a, *_ = bureau()
    travel(dt.datetime(2026, 5, 6, 9, 0))
    job = batch.start(head_a, a.id, run=False)
    PrintJob.update(status="running", heartbeat_at=dt.datetime(2026, 5, 6, 9, 0)).where(PrintJob.id == job.id).execute()
    travel(dt.datetime(2026, 5, 6, 9, 10))
    job = batch.refresh(PrintJob.get_by_id(job.id))
    assert job.status == "failed" and "中断" in job.error


def test_head_prints_only_own_department(ctx, client, auth):
    a, b, head_a, head_b, disc = bureau()
    auth.login(head_a)
    form = client.get("/documents/batch").get_data(as_text=True)
    assert "财务科" in form and "资产管理科" not in form and "全局" not in form
    assert client.post("/documents/batch", data={"department": str(b.id)}).status_code in (404, 422)
    assert client.post("/documents/batch", data={"department": ""}).status_code in (404, 422)
    assert PrintJob.select().count() == 0
    job = batch.start(head_b, b.id, run=False)
    assert client.get(f"/documents/batch/{job.id}").status_code == 404
    assert client.get(f"/documents/batch/{job.id}/download").status_code == 404
    assert AuditRecord.select().where(AuditRecord.action == "access_denied").exists()
    auth.logout()
    staff = make_user("s1", a)
    auth.login(staff)
    assert client.get("/documents/batch").status_code == 403


def test_single_person_report_scoped(ctx, client, auth):
    a, b, head_a, head_b, disc = bureau()
    from portal.models.selfcheck import SelfCheckVersion
    v = SelfCheckVersion.select().order_by(SelfCheckVersion.id).first()  # a person of 财务科
    auth.login(head_a)
    r = client.get(f"/documents/selfcheck/{v.id}.pdf")
    assert r.status_code == 200 and "财务0号" in pdf_text(r.data)
    auth.logout()
    auth.login(head_b)
    assert client.get(f"/documents/selfcheck/{v.id}.pdf").status_code == 404


def test_parallel_rendering_keeps_order(ctx, monkeypatch, app):
    a, b, head_a, head_b, disc = bureau()
    monkeypatch.setattr(batch, "PARALLEL_FROM", 2)
    app.config["DOCUMENT_BATCH_WORKERS"] = 2
    job = batch.run(batch.start(disc, None, run=False).id)
    assert job.status == "done" and job.done == 5
    path = os.path.join(app.instance_path, "jobs", job.result_path)
    text = pdf_text(open(path, "rb").read())
    order = [text.index(n) for n in ("财务0号", "财务1号", "财务2号", "资产0号", "资产1号")]
    assert order == sorted(order)


def test_department_report_pdf_scoped(ctx, client, auth):
    import json as _json

    from portal.models.selfcheck import DepartmentReport
    from tests.factories import default_campaign, make_problem
    a, b, head_a, head_b, disc = bureau()
    make_problem(department=a, source="selfcheck", description="个别人员迟到早退", self_reported=True)
    rep = DepartmentReport.create(department=a, campaign=default_campaign(), status="submitted",
                                  numbers=_json.dumps({"people": 4, "submitted": 3, "approved": 2, "not_submitted": 1,
                                                       "problems": 1, "fixed_at_once": 0,
                                                       "by_category": {"治“散”": 1}}, ensure_ascii=False),
                                  narrative="科室召开专题会议，逐项对照检查。")
    auth.login(head_a)
    r = client.get(f"/documents/department-report/{rep.id}.pdf")
    assert r.status_code == 200
    text = pdf_text(r.data)
    # the table cell may wrap (its column gives way to the unbroken header words): 迟到 / 早退 on two lines
    assert "财务科" in text and "个别人员迟到" in text and "早退" in text and "逐项对照检查" in text
    auth.logout()
    auth.login(head_b)
    assert client.get(f"/documents/department-report/{rep.id}.pdf").status_code == 404


def test_head_home_panel_offers_batch_print(ctx, client, auth):
    a, b, head_a, *_ = bureau()
    auth.login(head_a)
    home = client.get("/").get_data(as_text=True)
    assert "对照检查材料打印" in home and "财务科已提交个人对照检查材料 <b>3</b> 份" in home
