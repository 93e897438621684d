"""Benchmark of the documents area: `.venv/bin/python bench/documents.py [--persons 300] [--pages 50]`.

Prints: the warm render time of a 3-page 通报 through the portal (median of N), the same HTML rendered by bare
WeasyPrint in the same run and the overhead ratio, the per-page cost in a batch of ~50 pages, the batch job
of N personal self-check reports (through the real PrintJob path against a temp SQLite database in /tmp),
and peak memory (RSS).
"""
import argparse
import io
import json
import os
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_rss_mb():
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def circular_3_pages():
    from portal.gongwen.samples import sample
    # without 抄送/印发 there is no 版记, which always sits on an even page (a 3-page text makes 4 pages)
    doc = dict(sample("circular"), copy_to="", printer="")
    # trim the sample to exactly 3 pages
    from pypdf import PdfReader

    from portal.gongwen.render import render_pdf
    paras = doc["body"].split("\n")
    while len(paras) > 3:
        n = len(PdfReader(io.BytesIO(render_pdf("circular", dict(doc, body="\n".join(paras))))).pages)
        if n <= 3:
            break
        paras = paras[:-1]
    return dict(doc, body="\n".join(paras))


def bench_render(repeat):
    from weasyprint import HTML
    from pypdf import PdfReader

    from portal.gongwen import render
    doc = circular_3_pages()
    pages = len(PdfReader(io.BytesIO(render.render_pdf("circular", doc))).pages)
    for _ in range(2):
        render.render_pdf("circular", doc)
    # the same HTML and stylesheets, straight into WeasyPrint; runs interleaved so load spikes hit both
    d, fonts, comp, pgs, _missing = render._prepare("circular", doc, None)
    html = render._html("circular", d, fonts, comp, pgs)
    sheets, fc = render._stylesheets(fonts)
    portal_t, bare_t = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        render.render_pdf("circular", doc)
        portal_t.append(time.perf_counter() - t)
        t = time.perf_counter()
        HTML(string=html, base_url=render.ROOT).write_pdf(stylesheets=sheets, font_config=fc)
        bare_t.append(time.perf_counter() - t)
    p, b = statistics.median(portal_t), statistics.median(bare_t)
    print(f"3-page 通报 ({pages} pages), warm render through the portal: median {p:.3f} s (min {min(portal_t):.3f}) "
          f"target ≤ 0.25 s")
    print(f"same HTML, bare WeasyPrint:                     median {b:.3f} s (min {min(bare_t):.3f})")
    print(f"portal overhead ratio: {p / b:.3f} (median)  {min(portal_t) / min(bare_t):.3f} (min)  target ≤ 1.10")


def make_app(tmp, url):
    from portal import create_app
    from portal import db as portal_db
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url,
                      "INSTANCE_PATH": os.path.join(tmp, "instance"), "ARGON2_TIME_COST": 1,
                      "ARGON2_MEMORY_COST": 8192, "ARGON2_PARALLELISM": 1, "DB_MAX_CONNECTIONS": 8})
    with app.app_context():
        portal_db.upgrade()
    return app


def content(user, dept, problems_every=4):
    items = []
    for seq in range(1, 21):
        probs = [] if seq % problems_every else [{
            "key": f"k{seq}", "aspect": ("思想", "学习", "工作", "生活", "作风")[seq % 5],
            "description": "对分管工作跟踪督办不够，个别事项进展缓慢，存在安排部署多、督促检查少的问题",
            "measure": "建立工作清单，每周调度一次，跟踪问效，确保按期完成", "deadline": "2026-06-30",
            "fixed_at_once": seq % 8 == 0}]
        items.append({"item_id": seq, "seq": seq, "category": ("治“拖”", "治“庸”", "治“浮”", "治“散”")[seq // 6],
                      "category_title": "", "text": "工作推进拖沓，落实不力，遇到困难绕道走",
                      "no_problem": not probs, "problems": probs})
    return {"person": {"id": user.id, "name": user.real_name, "department": dept.name, "title": "科员"},
            "campaign": {"id": 1, "name": "“六治六提”干部队伍作风纪律整顿"}, "number": 1,
            "submitted_at": "2026-05-06 10:00", "items": items}


def seed_people(n):
    from portal import campaigns
    from portal.models import Campaign, Department, RoleAssignment, User
    from portal.models.selfcheck import SelfCheck, SelfCheckVersion
    camp = Campaign.active() or campaigns.load_default()
    depts = [Department.create(name=f"科室{i}", kind="office", sort_order=i) for i in range(max(1, n // 30))]
    disc = User.create(username="disc", real_name="纪委", department=depts[0], must_change_password=False)
    RoleAssignment.create(user=disc, role="discipline")
    for i in range(n):
        d = depts[i % len(depts)]
        u = User.create(username=f"u{i}", real_name=f"干部{i:03d}", department=d, employee_no=f"E{i:04d}",
                        must_change_password=False)
        sc = SelfCheck.create(user=u, campaign=camp, status="submitted", versions_count=1)
        SelfCheckVersion.create(selfcheck=sc, number=1, content_hash="x" * 64,
                                content=json.dumps(content(u, d), ensure_ascii=False))
    return disc, depts


def bench_batch(persons, pages_target, workers, url, tmp):
    from portal.documents import batch
    from portal.extensions import db
    from portal.models import PrintJob
    if True:  # the temp folder and the database come from bench/common.py
        app = make_app(tmp, url)
        app.config["DOCUMENT_BATCH_WORKERS"] = workers
        with app.app_context(), db.connection_context():
            disc, depts = seed_people(persons)
            # issuing through the register: glyph check, number under lock, render, hash, store
            from portal.documents import adapters, service
            doc = circular_3_pages()
            times = []
            for i in range(5):
                data = dict(adapters.default_fields("circular"), kind="circular", prefix="机管发", title=doc["title"],
                            body=doc["body"], signature=doc["signature"], doc_date=doc["date"])
                d = service.create_draft(disc, data)
                t = time.perf_counter()
                service.issue(d.id, disc)
                times.append(time.perf_counter() - t)
            print(f"issue a 3-page 通报 through the register (number, render, SHA-256, store): "
                  f"median {statistics.median(times):.3f} s")
            # per-page cost: a department batch of about `pages_target` pages, rendered in this process
            per_person_pages = None
            small = max(1, pages_target // 2)
            app.config["DOCUMENT_BATCH_WORKERS"] = 0
            sub = [v.id for v in batch.versions_query(None, disc)][:small]
            job = PrintJob.create(requested_by=disc.id, status="queued", total=len(sub))
            # restrict the job to the first `small` persons through a department of its own
            from portal.models import Department, User
            from portal.models.selfcheck import SelfCheck, SelfCheckVersion
            d50 = Department.create(name="页数基准科", kind="office", sort_order=99)
            users = [sc.user_id for sc in SelfCheck.select().join(SelfCheckVersion)
                     .where(SelfCheckVersion.id.in_(sub))]
            User.update(department=d50.id).where(User.id.in_(users)).execute()
            PrintJob.update(department=d50.id).where(PrintJob.id == job.id).execute()
            t = time.perf_counter()
            job = batch.run(job.id)
            dt50 = time.perf_counter() - t
            per_person_pages = job.pages / max(job.done, 1)
            print(f"batch of {job.done} reports = {job.pages} pages in {dt50:.2f} s: "
                  f"{dt50 / job.pages * 1000:.0f} ms per page (in-process, 1 core)")
            User.update(department=depts[0].id).where(User.id.in_(users)).execute()
            # the full batch through the job path (worker processes when configured)
            app.config["DOCUMENT_BATCH_WORKERS"] = workers
            job = batch.start(disc, None, run=False)
            t = time.perf_counter()
            job = batch.run(job.id)
            dt_all = time.perf_counter() - t
            size = job.result_size / 1048576
            print(f"batch job of {job.done} personal reports ({job.pages} pages, {size:.1f} MB, "
                  f"{per_person_pages:.1f} pages/person) in {dt_all:.1f} s with {workers} worker processes; "
                  f"target ≤ 60 s")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=300)
    ap.add_argument("--pages", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    bench_render(args.repeat)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from common import each_database  # the rendering above needs no database; the register and batches do
    each_database("documents", lambda url, tmp: bench_batch(args.persons, args.pages, args.workers, url, tmp))
    print(f"peak memory: this process {rss_mb():.0f} MB RSS, largest worker process {children_rss_mb():.0f} MB RSS")


if __name__ == "__main__":
    main()
