"""Ledger benchmark on SQLite AND PostgreSQL: `.venv/bin/python bench/ledger.py [--rows 100000] [--big]`.

For each database (bench/common.py: a temp SQLite file, and PostgreSQL from BENCH_DATABASE_URL / DATABASE_URL /
fj_bench, wiped) it builds 40 departments, 5,000 staff and N Problems (bulk-inserted: the data is the point
here, not the write path), then prints, with ratios against a baseline measured in the same run:
 (a) in one process: a hello route (the baseline), the whole-ledger first page from the results cache
     (cached), the same page right after a write (cold), the last page (cold), a filtered page, searches of
     2 and 4 characters, the dashboard right after a write; the data part of a page (page_of) alone;
 (b) under gunicorn: req/s of a hello route, the login page, the cached ledger page and the cold ledger page
     (each request preceded by a write), with the issue's two ratios;
 (c) the status counters; (d) a 10,000-row export.
--big uses 1,000,000 Problems and skips (b) and (d). Everything it creates is removed at the end.
"""
import argparse
import datetime as dt
import os
import random
import socket
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ProcessPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT, backends, config as bench_config, database, label, show, timed, workdir  # noqa: E402

PASSWORD = "Bench@Pass2026"
DESCS = ["公文办理超时限，来文平均延误3个工作日", "上班时间迟到早退，考勤记录异常", "公务接待超标准，陪餐人数超规定",
         "理论学习流于形式，学习笔记抄写应付", "服务窗口存在“门难进、脸难看”现象", "值班期间脱岗，未按规定请假报告",
         "调研报告照搬往年内容，未深入基层", "重点项目推进缓慢，季度目标完成率不足六成"]
MEAS = ["建立台账，每周通报", "严格考勤管理，每月通报", "退缴超标准费用，重新学习规定", "改进学习方式，开展交流研讨"]


def config(url, tmp):
    return bench_config(url, tmp)


def build(url, tmp, rows, staff=5000, depts=40, seed=2026):
    from portal import campaigns, create_app
    from portal import db as portal_db
    from portal.extensions import db
    from portal.models import Department, Item, Problem, RoleAssignment, User
    from portal.models.ledger import Mechanism, MechanismProblem, ProblemAction
    from portal.passwords import hash_password
    app = create_app(config(url, tmp))

    @app.route("/_hello")
    def _hello():
        return "hello"

    rng = random.Random(seed)
    with app.app_context():
        portal_db.upgrade()
        pg = portal_db.is_postgres()
        with db.connection_context():
            if not pg:
                db.execute_sql("PRAGMA synchronous = OFF")
            c = campaigns.load_default()
            items = [i.id for i in Item.select().where(Item.campaign == c)]
            now = dt.datetime(2026, 6, 1, 9, 0)
            with db.atomic():
                Department.insert_many([{"name": f"科室{i:02d}", "kind": "office", "sort_order": i}
                                        for i in range(1, depts + 1)]).execute()
                dept_ids = [d.id for d in Department.select(Department.id)]
                pw = hash_password(PASSWORD)
                _many(User, [{"username": f"u{i:05d}", "real_name": f"职工{i:05d}",
                                   "department": dept_ids[i % depts], "password_hash": pw,
                                   "must_change_password": False, "session_token": f"t{i}", "created_at": now}
                              for i in range(staff)])
                users = [(u.id, u.department_id) for u in User.select(User.id, User.department)]
                office = users[0][0]
                _many(RoleAssignment,
                      [{"user": office, "role": "discipline"}] +
                      [{"user": uid, "role": "dept_head"} for uid, _d in users[1:depts + 1]] +
                      [{"user": uid, "role": "staff"} for uid, _d in users])
            today = dt.date(2026, 6, 1)
            statuses = ["pending"] * 25 + ["in_progress"] * 35 + ["rectified"] * 15 + ["closed"] * 25
            sources = ["selfcheck"] * 45 + ["tip"] * 15 + ["inspection"] * 20 + ["review"] * 15 + ["other"] * 5
            sev = ["general"] * 60 + ["serious"] * 15 + ["frequent"] * 10 + ["common"] * 15
            batch = []
            t0 = time.perf_counter()
            for n in range(rows):
                uid, did = users[rng.randrange(staff)]
                st = rng.choice(statuses)
                src = rng.choice(sources)
                batch.append((c.id, rng.choice(items), uid, did, src, src == "selfcheck", rng.choice(sev), st,
                              rng.choice(DESCS) + f"（第{n}号）", rng.choice(MEAS),
                              today + dt.timedelta(days=rng.randint(-90, 120)), False, "", False, False,
                              now, now, now if st == "closed" else None, 1))
                if len(batch) == 20000:
                    _flush(db, pg, batch)
            _flush(db, pg, batch)
            last = Problem.select(Problem.id).order_by(Problem.id.desc()).first().id
            with db.atomic():
                _many(ProblemAction, [{"problem": rng.randint(1, last), "kind": rng.choice(
                    ["circular", "reminder", "talk"]), "date": today, "by": office, "created_at": now}
                    for _ in range(rows // 20)])
                m = Mechanism.create(title="考勤与请销假管理办法", date=today, created_at=now)
                _many(MechanismProblem, [{"mechanism": m.id, "problem": i} for i in range(1, last, 97)])
            _reindex(db, pg)  # the bulk insert bypassed the write path that keeps the search index
            db.execute_sql("ANALYZE")
            print(f"  built {rows:,} problems, {staff:,} staff, {depts} departments "
                  f"in {time.perf_counter() - t0:.1f}s")
            return app, office, dept_ids


def _reindex(db, pg):
    """The bulk insert bypassed the write path that keeps the search index: rebuild it."""
    from portal import search
    search.reindex(batch=20000)


def _many(model, rows, size=1000):
    for i in range(0, len(rows), size):
        model.insert_many(rows[i:i + size]).execute()


COLS = ("campaign_id", "item_id", "person_id", "department_id", "source", "self_reported", "severity", "status",
        "description", "measures", "deadline", "fixed_at_once", "remark", "is_accountability", "withdrawn",
        "created_at", "updated_at", "closed_at", "version")


def _flush(db, pg, batch):
    """Rows straight through the driver (the insert triggers still keep the counters and versions)."""
    with db.atomic():
        if pg:
            from psycopg2.extras import execute_values
            execute_values(db.cursor(), f'INSERT INTO "problem" ({", ".join(COLS)}) VALUES %s', batch,
                           page_size=2000)
        else:
            sql = f'INSERT INTO "problem" ({", ".join(COLS)}) VALUES ({", ".join("?" * len(COLS))})'
            db.cursor().executemany(sql, [tuple(v.isoformat(sep=" ") if isinstance(v, dt.datetime) else
                                                v.isoformat() if isinstance(v, dt.date) else v for v in row)
                                          for row in batch])
    batch.clear()


def login_client(app, username):
    c = app.test_client()
    r = c.post("/login", data={"username": username, "password": PASSWORD})
    assert r.status_code == 302, r.status_code
    return c


def _bump(db):
    """What any ledger write does to the cache: a new data version (the next page is cold)."""
    with db.connection_context():
        db.execute_sql('UPDATE "ledger_version" SET "v" = "v" + 1 WHERE "id" = 1')


def in_process(app, dept_ids, tag, n=100):
    from portal.extensions import db
    from portal.ledger import queries
    from portal.ledger.forms import parse_filters
    from portal.models import User
    app.config["WTF_CSRF_ENABLED"] = False
    c = login_client(app, "u00000")
    first = "/ledger/"
    r = c.get(first)
    assert r.status_code == 200 and r.data.count(b'<tr id="row-') == 50, r.data[:300]
    for _ in range(20):
        c.get(first)
        c.get("/_hello")
    hello = show(f"{tag}: hello route, full request (baseline)", timed(lambda: c.get("/_hello"), n))
    show(f"{tag}: first page from the results cache", timed(lambda: c.get(first), n), hello, "hello")

    def cold(u):
        def run():
            _bump(db)
            r = c.get(u)
            assert r.status_code == 200
        return run
    bump = timed(lambda: _bump(db), n)[0]
    print(f"  {tag}: (a write's version bump alone: {bump:.2f} ms, included in the cold figures below)")
    show(f"{tag}: first page right after a write (cold)", timed(cold(first), n), hello, "hello")
    show(f"{tag}: last page, cold", timed(cold("/ledger/?page=999999999"), max(10, n // 4)), hello, "hello")
    show(f"{tag}: middle page, cold", timed(cold("/ledger/?page=10000"), 10), hello, "hello")
    show(f"{tag}: one department, in progress, cold", timed(cold(f"/ledger/?dept={dept_ids[3]}&status=in_progress"),
                                                           n // 2), hello, "hello")
    show(f"{tag}: whole ledger by deadline, tips, serious, cold",
         timed(cold("/ledger/?source=tip&severity=serious&sort=deadline"), n // 4), hello, "hello")
    for term in ("迟到", "公务接待", "门难进"):
        show(f"{tag}: search {term!r} ({len(term)} chars), full request, cold",
             timed(cold(f"/ledger/?q={term}"), 10), hello, "hello")
    show(f"{tag}: dashboard right after a write (cold)", timed(cold("/dashboard/"), 10), hello, "hello")
    with app.test_request_context():
        with db.connection_context():
            office = User.get(User.username == "u00000")
            _ = office.roles
            show(f"{tag}: data of the first page (page_of: counters+rows+relations)",
                 timed(lambda: queries.page_of(office, parse_filters({})), n))
            show(f"{tag}: data of the last page",
                 timed(lambda: queries.page_of(office, parse_filters({"page": "999999999"})), n // 4))
            for term in ("迟到", "公务接待"):
                show(f"{tag}: search {term!r} ({len(term)} chars): counters+rows",
                     timed(lambda: queries.page_of(office, parse_filters({"q": term})), 10))
            for args, name in (({}, "whole ledger"), ({"overdue": "1"}, "whole ledger, overdue only"),
                               ({"dept": str(dept_ids[3])}, "one department"),
                               ({"source": "tip"}, "source filter")):
                queries.status_counts(office, args)
                show(f"{tag}: status counters, {name}", timed(lambda: queries.status_counts(office, args), n // 2))


def export_time(app):
    from portal.extensions import db
    from portal.ledger import queries
    from portal.ledger.export import build_xlsx
    from portal.models import User
    with app.test_request_context():
        with db.connection_context():
            office = User.get(User.username == "u00000")
            q = queries.filtered(office, {}).limit(10000)
            t = time.perf_counter()
            data = build_xlsx(q.iterator(), "基准测试整改台账")
            print(f"  (d) 10,000-row export: {time.perf_counter() - t:.2f} s, {len(data) / 1e6:.1f} MB")


WSGI = textwrap.dedent('''
    import os, sys
    sys.path.insert(0, {root!r})
    from portal import create_app
    app = create_app({cfg!r})
    @app.route("/_hello")
    def _hello():
        return "hello"
''')


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _load(args):
    """One client process: keep requesting `path` for `seconds` (with a version bump before each request
    when `url` is given: a write made every page cold); returns the count of 200s."""
    port, path, cookie, seconds, url = args
    import http.client
    bump = None
    if url:
        if url.startswith("sqlite"):
            import sqlite3
            conn_db = sqlite3.connect(url.split("///", 1)[1], timeout=30, isolation_level=None)
        else:
            import psycopg2
            conn_db = psycopg2.connect(url)
            conn_db.autocommit = True

        def bump():
            cur = conn_db.cursor()
            cur.execute('UPDATE "ledger_version" SET "v" = "v" + 1 WHERE "id" = 1')
    end = time.time() + seconds
    n = 0
    while time.time() < end:
        if bump:
            bump()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", path, headers={"Cookie": cookie})
        r = conn.getresponse()
        r.read()
        if r.status == 200:
            n += 1
        conn.close()
    return n


def gunicorn_run(app, url, tmp, workers, seconds, clients, tag):
    with open(os.path.join(tmp, "bench_wsgi.py"), "w") as f:
        f.write(WSGI.format(root=ROOT, cfg=config(url, tmp)))
    c = login_client(app, "u00000")
    cookie = "session=" + c.get_cookie("session").value
    port = _free_port()
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    proc = subprocess.Popen([gunicorn, "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--chdir", tmp,
                             "--log-level", "warning", "bench_wsgi:app"], cwd=tmp)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        res = {}
        with ProcessPoolExecutor(clients) as pool:
            for name, path, cold in (("hello", "/_hello", None), ("login", "/login", None),
                                     ("cached", "/ledger/", None), ("cold", "/ledger/", url)):
                list(pool.map(_load, [(port, path, "" if name == "login" else cookie, 1, cold)] * clients))
                t = time.time()
                n = sum(pool.map(_load, [(port, path, "" if name == "login" else cookie, seconds, cold)] * clients))
                res[name] = n / (time.time() - t)
        print(f"  (b) {tag}: gunicorn {workers} workers, {clients} clients, req/s: hello {res['hello']:.0f}, "
              f"login page {res['login']:.0f}, ledger cached {res['cached']:.0f}, ledger cold {res['cold']:.0f}")
        print(f"  (b) {tag}: cached ledger ÷ login page {res['cached'] / res['login']:.2f} (goal ≥ 0.5);  "
              f"cold ledger ÷ hello {res['cold'] / res['hello']:.2f} (goal ≥ 0.30)")
    finally:
        proc.terminate()
        proc.wait(10)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--big", action="store_true", help="1,000,000 Problems, in-process figures only")
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--clients", type=int, default=4)
    opts = ap.parse_args()
    rows = 1_000_000 if opts.big else opts.rows
    for kind in backends():
        tag = f"{label(kind)} {rows // 1000}k" if rows < 1_000_000 else f"{label(kind)} {rows / 1e6:g}M"
        with workdir("ledger") as tmp, database(kind, tmp) as url:
            print(f"== ledger bench, {tag} Problems; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
            app, _office, dept_ids = build(url, tmp, rows)
            in_process(app, dept_ids, tag, n=60 if opts.big else 100)
            if not opts.big:
                gunicorn_run(app, url, tmp, opts.workers, opts.seconds, opts.clients, tag)
                export_time(app)


if __name__ == "__main__":
    main()
