"""Ledger benchmark: `.venv/bin/python bench/ledger.py [--rows 100000] [--big] [--seconds 8] [--workers 2]`.

Builds a temp SQLite database in /tmp with 40 departments, 5,000 staff and N Problems (bulk-inserted:
the data is the point here, not the write path), then prints
 (a) the filtered 50-row ledger page, full request in one process (median, p95), from the results cache
     and after a write (cache miss),
 (b) req/s of the ledger page and of a bare hello route under gunicorn in the same run, and the ratio,
 (c) the status counters (median, p95) for the whole ledger and for a filter,
 (d) a 10,000-row export.
--big repeats (a) and (c) at 1,000,000 Problems.
"""
import argparse
import datetime as dt
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from concurrent.futures import ProcessPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

PASSWORD = "Bench@Pass2026"
DESCS = ["公文办理超时限，来文平均延误3个工作日", "上班时间迟到早退，考勤记录异常", "公务接待超标准，陪餐人数超规定",
         "理论学习流于形式，学习笔记抄写应付", "服务窗口存在“门难进、脸难看”现象", "值班期间脱岗，未按规定请假报告",
         "调研报告照搬往年内容，未深入基层", "重点项目推进缓慢，季度目标完成率不足六成"]
MEAS = ["建立台账，每周通报", "严格考勤管理，每月通报", "退缴超标准费用，重新学习规定", "改进学习方式，开展交流研讨"]


def config(path):
    return {"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "bench-secret-key", "RATELIMIT_ENABLED": False,
            "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8192, "ARGON2_PARALLELISM": 1,
            "INSTANCE_PATH": os.path.join(os.path.dirname(path), "instance"), "IDLE_TIMEOUT_MINUTES": 600}


def build(path, rows, staff=5000, depts=40, seed=2026):
    from portal import campaigns, create_app
    from portal import db as portal_db
    from portal.extensions import db
    from portal.models import Department, Item, Problem, RoleAssignment, User
    from portal.models.ledger import Mechanism, MechanismProblem, ProblemAction
    from portal.passwords import hash_password
    app = create_app(config(path))
    rng = random.Random(seed)
    with app.app_context():
        portal_db.upgrade()
        with db.connection_context():
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
                    _flush(db, Problem, batch)
            _flush(db, Problem, batch)
            last = Problem.select(Problem.id).order_by(Problem.id.desc()).first().id
            with db.atomic():
                _many(ProblemAction, [{"problem": rng.randint(1, last), "kind": rng.choice(
                    ["circular", "reminder", "talk"]), "date": today, "by": office, "created_at": now}
                    for _ in range(rows // 20)])
                m = Mechanism.create(title="考勤与请销假管理办法", date=today, created_at=now)
                _many(MechanismProblem, [{"mechanism": m.id, "problem": i} for i in range(1, last, 97)])
            from portal import search
            search.reindex()  # the bulk insert bypassed the write path that keeps the index
            db.execute_sql("ANALYZE")
            print(f"  built {rows:,} problems, {staff:,} staff, {depts} departments "
                  f"in {time.perf_counter() - t0:.1f}s")
            return app, office, dept_ids


def _many(model, rows, size=1000):
    for i in range(0, len(rows), size):
        model.insert_many(rows[i:i + size]).execute()


COLS = ("campaign_id", "item_id", "person_id", "department_id", "source", "self_reported", "severity", "status",
        "description", "measures", "deadline", "fixed_at_once", "remark", "is_accountability", "withdrawn",
        "created_at", "updated_at", "closed_at", "version")


def _flush(db, Problem, batch):
    """executemany straight through the driver (the insert triggers still keep the counters)."""
    sql = (f'INSERT INTO "problem" ({", ".join(COLS)}) VALUES ({", ".join("?" * len(COLS))})')
    with db.atomic():
        db.cursor().executemany(sql, [tuple(v.isoformat(sep=" ") if isinstance(v, dt.datetime) else
                                            v.isoformat() if isinstance(v, dt.date) else v for v in row)
                                      for row in batch])
    batch.clear()


def timed(fn, n):
    """(wall median, wall p95, CPU median) in ms. CPU time is shown because this machine is shared:
    wall time includes waiting for a core."""
    out, cpu = [], []
    for _ in range(n):
        t, c = time.perf_counter(), time.process_time()
        fn()
        out.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    out.sort()
    return statistics.median(out), out[max(0, int(len(out) * 0.95) - 1)], statistics.median(cpu)


def show(tag, text, res):
    med, p95, cpu = res
    print(f"  {tag:<4}{text:<52} median {med:7.2f} ms   p95 {p95:7.2f} ms   (CPU {cpu:6.2f} ms)")


def login_client(app, username):
    c = app.test_client()
    r = c.post("/login", data={"username": username, "password": PASSWORD})
    assert r.status_code == 302, r.status_code
    return c


def in_process(app, dept_ids, label, n=200):
    from portal.extensions import db
    from portal.ledger import queries
    from portal.ledger.forms import parse_filters
    from portal.models import User
    app.config["WTF_CSRF_ENABLED"] = False
    c = login_client(app, "u00000")
    url = f"/ledger/?dept={dept_ids[3]}&status=in_progress"
    r = c.get(url)
    assert r.status_code == 200 and r.data.count(b'<tr id="row-') == 50, r.data[:300]
    for _ in range(20):
        c.get(url)
    with app.test_request_context():
        with db.connection_context():
            office = User.get(User.username == "u00000")
            _ = office.roles
            f = {"dept": str(dept_ids[3]), "status": "in_progress"}
            show("(a)", f"{label}: filtered 50-row page, data (counters+rows+decorate)",
                 timed(lambda: queries.page_of(office, parse_filters(f)), n))
    show("", f"{label}: same page, full request incl. HTML render", timed(lambda: c.get(url), n))

    def miss(u):  # the first request after any ledger write: a new version, a results cache miss
        def run():
            with db.connection_context():
                db.execute_sql('UPDATE "ledger_version" SET "v" = "v" + 1 WHERE "id" = 1')
            c.get(u)
        return run
    show("", f"{label}: same page after a write (results cache miss)", timed(miss(url), n // 2))
    url2 = "/ledger/?source=tip&severity=serious&sort=deadline"
    show("", f"{label}: whole-ledger filter sorted by deadline, miss", timed(miss(url2), n // 4))
    show("", f"{label}: free-text search, full request, miss", timed(miss("/ledger/?q=迟到"), 10))
    with app.test_request_context():
        with db.connection_context():
            for term in ("迟到", "公务接待", "门难进"):
                f = {"q": term}
                show("(s)", f"{label}: search {term!r} ({len(term)} chars): counters+rows",
                     timed(lambda: queries.page_of(office, parse_filters(f)), 20))
    with app.test_request_context():
        with db.connection_context():
            for args, name in (({}, "whole ledger"), ({"overdue": "1"}, "whole ledger, overdue only"),
                               ({"dept": str(dept_ids[3])}, "one department"),
                               ({"source": "tip"}, "source filter")):
                queries.status_counts(office, args)
                show("(c)", f"{label}: status counters, {name}",
                     timed(lambda: queries.status_counts(office, args), n // 2))


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
    """One client process: keep requesting `path` for `seconds`; returns the count of 200s."""
    port, path, cookie, seconds = args
    import http.client
    end = time.time() + seconds
    n = 0
    while time.time() < end:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", path, headers={"Cookie": cookie})
        r = conn.getresponse()
        r.read()
        if r.status == 200:
            n += 1
        conn.close()
    return n


def gunicorn_run(app, path, dept_ids, workers, seconds, clients):
    tmp = os.path.dirname(path)
    with open(os.path.join(tmp, "bench_wsgi.py"), "w") as f:
        f.write(WSGI.format(root=ROOT, cfg=config(path)))
    c = login_client(app, "u00000")
    cookie = "session=" + c.get_cookie("session").value
    port = _free_port()
    proc = subprocess.Popen([os.path.join(ROOT, ".venv", "bin", "gunicorn"), "--workers", str(workers),
                             "--bind", f"127.0.0.1:{port}", "--chdir", tmp, "--log-level", "warning",
                             "bench_wsgi:app"], cwd=tmp)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        page = f"/ledger/?dept={dept_ids[3]}&status=in_progress"
        results = {}
        with ProcessPoolExecutor(clients) as pool:
            for name, url in (("hello", "/_hello"), ("ledger", page)):
                list(pool.map(_load, [(port, url, cookie, 1)] * clients))  # warm up
                t = time.time()
                n = sum(pool.map(_load, [(port, url, cookie, seconds)] * clients))
                results[name] = n / (time.time() - t)
        ratio = results["ledger"] / results["hello"]
        print(f"  (b) gunicorn {workers} workers, {clients} clients: hello {results['hello']:7.0f} req/s   "
              f"ledger page {results['ledger']:7.0f} req/s   ratio {ratio:.2f}")
    finally:
        proc.terminate()
        proc.wait(10)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--big", action="store_true", help="also run (a) and (c) at 1,000,000 Problems")
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--clients", type=int, default=4)
    opts = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="ledger-bench-", dir="/tmp")
    try:
        path = os.path.join(tmp, "bench.sqlite3")
        print(f"== ledger bench, {opts.rows:,} Problems (SQLite {path}); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        app, _office, dept_ids = build(path, opts.rows)
        in_process(app, dept_ids, f"{opts.rows // 1000}k")
        gunicorn_run(app, path, dept_ids, opts.workers, opts.seconds, opts.clients)
        export_time(app)
        if opts.big:
            path2 = os.path.join(tmp, "big.sqlite3")
            print("== 1,000,000 Problems")
            app2, _o, dept_ids2 = build(path2, 1_000_000)
            in_process(app2, dept_ids2, "1M", n=100)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
