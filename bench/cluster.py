"""Several servers, shown running: `.venv/bin/python bench/cluster.py [--seconds 60] [--rows 5000]`.

Starts (PostgreSQL must be running; the database is BENCH_DATABASE_URL / DATABASE_URL / fj_bench, wiped)
two gunicorn servers sharing one instance folder (keys, uploads, reports) and the database, two job workers,
and Debian's nginx with the site from deploy/ (TLS with a throw-away certificate, gzip, static files), then:

 1. drives a mixed load through nginx — ledger pages, filtered pages, the dashboard, problem details, static
    files, and writes (a reminder recorded on a problem) — for --seconds with one server, then with two;
 2. checks: no errors (every answer 2xx/3xx); every write seen on the next ledger page of BOTH servers
    (asked directly, past nginx); the failed sign-in limit of one client address holds across servers (30
    tries in all, not 30 per server); each of 40 queued jobs ran exactly once with two workers; a tip page
    request is logged by nginx without the client address;
 3. prints requests/s and p95 for one server vs two.
Everything it starts is stopped and its temp folder removed at the end.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ProcessPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT, config as bench_config, database, workdir  # noqa: E402

BIN = os.path.dirname(sys.executable)
WSGI = textwrap.dedent('''
    import sys
    sys.path.insert(0, {root!r})
    sys.path.insert(0, {bench!r})
    from portal import create_app
    app = create_app({cfg!r})
''')


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, seconds=30):
    end = time.time() + seconds
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def nginx_conf(tmp, https_port, http_port, servers):
    """deploy/nginx-fengji.conf with this run's ports, upstreams, certificate, logs and static folder."""
    site = open(os.path.join(ROOT, "deploy", "nginx-fengji.conf"), encoding="utf-8").read()
    site = re.sub(r"    server 127\.0\.0\.1:8000[^\n]*\n", "".join(
        f"    server 127.0.0.1:{p} max_fails=3 fail_timeout=5s;\n" for p in servers), site)
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = re.sub(r"    listen \[::\]:\d+[^\n]*\n", "", site)
    site = site.replace("/etc/fengji/tls/", f"{tmp}/tls/").replace("/var/log/nginx/", f"{tmp}/log/")
    site = site.replace("/srv/fengji/static/", os.path.join(ROOT, "static") + "/")
    site = site.replace("/etc/nginx/snippets/fengji-proxy.conf", os.path.join(ROOT, "deploy", "nginx-fengji-proxy.conf"))
    main = textwrap.dedent(f"""
        # this run's nginx: as root (the temp folder is private), in the foreground
        user root;
        worker_processes 1;
        pid {tmp}/nginx.pid;
        error_log {tmp}/log/nginx-main.error.log warn;
        events {{ worker_connections 512; }}
        http {{
            include /etc/nginx/mime.types;
            default_type application/octet-stream;
            sendfile on;
            client_body_temp_path {tmp}/nginx-body;
            proxy_temp_path {tmp}/nginx-proxy;
            fastcgi_temp_path {tmp}/nginx-fastcgi;
            uwsgi_temp_path {tmp}/nginx-uwsgi;
            scgi_temp_path {tmp}/nginx-scgi;
        """) + textwrap.indent(site, "    ") + "}\n"
    os.makedirs(os.path.join(tmp, "log"), exist_ok=True)
    path = os.path.join(tmp, "nginx.conf")
    with open(path, "w", encoding="utf-8") as f:
        f.write(main)
    return path


def certificate(tmp):
    os.makedirs(os.path.join(tmp, "tls"), exist_ok=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-keyout", f"{tmp}/tls/privkey.pem", "-out", f"{tmp}/tls/fullchain.pem"],
                   check=True, capture_output=True)


class Client:
    """HTTPS to nginx (or plain HTTP straight to one app server), keeping the session cookie."""

    def __init__(self, port, tls=True):
        self.port, self.tls, self.cookies = port, tls, {}

    def request(self, method, path, body=None, headers=None):
        ctx = ssl._create_unverified_context() if self.tls else None
        conn = (http.client.HTTPSConnection("127.0.0.1", self.port, timeout=30, context=ctx) if self.tls
                else http.client.HTTPConnection("127.0.0.1", self.port, timeout=30))
        h = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Accept-Encoding": "gzip",
             "Host": f"127.0.0.1:{self.port}"}
        if method == "POST":  # Flask-WTF checks an HTTPS form's Referer against the host
            h["Referer"] = f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}{path}"
        h.update(headers or {})
        if body is not None:
            from urllib.parse import urlencode
            body = urlencode(body)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        if r.getheader("Content-Encoding") == "gzip":
            import gzip
            data = gzip.decompress(data)
        return r.status, data.decode("utf-8", "replace"), r

    def csrf(self, path="/login"):
        _s, html, _r = self.request("GET", path)
        m = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(
            r'name="csrf_token"[^>]*value="([^"]+)"', html)
        return m.group(1)

    def login(self, username, password):
        token = self.csrf()
        status, _h, _r = self.request("POST", "/login", {"csrf_token": token, "username": username,
                                                          "password": password})
        return status


def _worker(args):
    """One client process: a mixed load through nginx for `seconds`; returns (latencies, errors, writes)."""
    port, cookies, seconds, problem_id, dept_id, idx = args
    c = Client(port)
    c.cookies = dict(cookies)
    token = c.csrf("/ledger/")
    lat, errors, writes = [], [], 0
    mix = ["/ledger/", f"/ledger/?dept={dept_id}&status=in_progress", "/ledger/?page=3", "/dashboard/",
           f"/ledger/{problem_id}", "/static/css/ledger.css", "/ledger/?sort=deadline", "/"]
    end, i = time.time() + seconds, idx
    while time.time() < end:
        i += 1
        t = time.perf_counter()
        if i % 10 == 0:  # a write: a reminder recorded on this client's own problem
            status, _b, _r = c.request("POST", f"/ledger/{problem_id}/action",
                                       {"kind": "reminder", "date": "2026-12-03", "note": f"集群写入{i}"},
                                       {"X-CSRFToken": token, "HX-Request": "true"})
            writes += status == 200
        else:
            path = mix[i % len(mix)]
            status, _b, _r = c.request("GET", path)
        lat.append((time.perf_counter() - t) * 1000)
        if status >= 400:
            errors.append((status, "write" if i % 10 == 0 else path))
    return lat, errors, writes


def drive(port, cookies, seconds, clients, problems, dept_id):
    with ProcessPoolExecutor(clients) as pool:
        t = time.time()
        out = list(pool.map(_worker, [(port, cookies, seconds, problems[k], dept_id, k) for k in range(clients)]))
        wall = time.time() - t
    lat = sorted(x for o in out for x in o[0])
    errors = [e for o in out for e in o[1]]
    return len(lat) / wall, lat[int(len(lat) * 0.95)] if lat else 0, statistics.median(lat) if lat else 0, errors, \
        sum(o[2] for o in out)


def action_count(port, cookies, problem_id):
    c = Client(port, tls=False)
    c.cookies = dict(cookies)
    _s, html, _r = c.request("GET", f"/ledger/?q=%23{problem_id}")
    m = re.search(rf'<tr id="row-{problem_id}".*?</tr>', html, re.S)
    return m.group(0).count('class="act act-') if m else -1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60, help="seconds of load for each of one and two servers")
    ap.add_argument("--rows", type=int, default=5000, help="problems seeded")
    ap.add_argument("--clients", type=int, default=6, help="client processes driving the load")
    opts = ap.parse_args()
    if not shutil.which("nginx") and not os.path.exists("/usr/sbin/nginx"):
        sys.exit("nginx is missing: apt-get install -y nginx")
    procs = []
    failures = []

    def check(ok, text):
        print(f"  [{'ok' if ok else 'FAIL'}] {text}")
        if not ok:
            failures.append(text)

    with workdir("cluster") as tmp, database("postgres", tmp) as url:
        try:
            import ledger
            print(f"== cluster: PostgreSQL {url.rsplit('@', 1)[-1]}, seeding {opts.rows:,} problems")
            app, _office, dept_ids = ledger.build(url, tmp, opts.rows)
            shared = os.path.join(tmp, "instance")  # one folder for every server: keys, uploads, reports
            cfg = bench_config(url, tmp, RATELIMIT_ENABLED=True, PROXY_FIX_X_FOR=1, JOBS_IMMEDIATE=False,
                               JOBS_MODULES="cluster_jobs", INSTANCE_PATH=shared)
            with open(os.path.join(tmp, "cluster_wsgi.py"), "w") as f:
                f.write(WSGI.format(root=ROOT, bench=os.path.dirname(os.path.abspath(__file__)), cfg=cfg))
            env = {**os.environ, "PYTHONPATH": tmp}
            ports = [free_port(), free_port()]
            for p in ports:
                procs.append(subprocess.Popen(
                    [os.path.join(BIN, "gunicorn"), "--workers", "2", "--threads", "2", "--bind", f"127.0.0.1:{p}",
                     "--chdir", tmp, "--log-level", "warning", "cluster_wsgi:app"], cwd=tmp, env=env))
            for _ in range(2):
                procs.append(subprocess.Popen([os.path.join(BIN, "flask"), "--app", "cluster_wsgi:app", "jobs",
                                               "worker", "--threads", "2"], cwd=tmp, env=env,
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            for p in ports:
                wait_port(p)
            certificate(tmp)
            https, plain = free_port(), free_port()
            results = {}
            for n_servers in (1, 2):
                conf = nginx_conf(tmp, https, plain, ports[:n_servers])
                nginx = subprocess.Popen(["nginx", "-c", conf, "-p", tmp, "-g", "daemon off;"])
                try:
                    wait_port(https)
                    c = Client(https)
                    st = c.login("u00000", ledger.PASSWORD)
                    assert st == 302, (st, c.request("GET", "/login")[1][:3000])
                    with app.app_context():
                        from portal.extensions import db
                        from portal.models import Problem
                        with db.connection_context():
                            problems = [p.id for p in Problem.select(Problem.id).where(Problem.status != "closed")
                                        .order_by(Problem.id).limit(opts.clients)]
                    before = {pid: action_count(ports[0], c.cookies, pid) for pid in problems}
                    rps, p95, med, errors, writes = drive(https, c.cookies, opts.seconds, opts.clients, problems,
                                                          dept_ids[3])
                    results[n_servers] = (rps, p95, med)
                    print(f"  {n_servers} server(s): {rps:6.1f} requests/s, median {med:6.1f} ms, p95 {p95:6.1f} ms, "
                          f"{writes} writes, {len(errors)} errors {errors[:3]}")
                    check(not errors, f"{n_servers} server(s): no errors under the mixed load")
                    # every write is on the next ledger page of both servers
                    seen = [(pid, [action_count(p, c.cookies, pid) for p in ports]) for pid in problems]
                    total_after = sum(a[0] for _pid, a in seen)
                    check(all(a[0] == a[1] for _pid, a in seen) and total_after - sum(before.values()) == writes,
                          f"{n_servers} server(s): all {writes} writes visible on both servers' next ledger page")
                finally:
                    nginx.send_signal(signal.SIGQUIT)
                    nginx.wait(20)
            # the failed sign-in limit of one address, across both servers
            nginx = subprocess.Popen(["nginx", "-c", conf, "-p", tmp, "-g", "daemon off;"])
            try:
                wait_port(https)
                statuses = []
                for i in range(36):
                    c = Client(https)
                    statuses.append(c.login(f"nobody{i}", "Wrong-pass-2026"))
                refused = statuses.count(429)
                limit = int(str(app.config.get("LOGIN_ADDRESS_LIMIT", "30")).split()[0])
                check(36 - refused <= limit and refused >= 36 - limit,
                      f"address limit across servers: {36 - refused} tries answered, {refused} refused (limit {limit})")
                # a tip page: logged without the client address
                Client(https).request("GET", "/tips/", headers={"User-Agent": "ReporterBrowser/1.0"})
                Client(https).request("GET", "/static/css/ledger.css",
                                      headers={"Referer": f"https://127.0.0.1:{https}/tips/new",
                                               "User-Agent": "ReporterBrowser/1.0"})
                time.sleep(0.5)
            finally:
                nginx.send_signal(signal.SIGQUIT)
                nginx.wait(20)
            log = open(os.path.join(tmp, "log", "fengji.access.log"), encoding="utf-8").read().splitlines()
            tip_lines = [ln for ln in log if "/tips" in ln.split('"')[1:2][0] or "ReporterBrowser" in ln] if log else []
            anon = [ln for ln in log if ln.startswith("[") and ("GET /tips/" in ln or "ledger.css" in ln)]
            check(anon and not any("127.0.0.1" in ln or "ReporterBrowser" in ln for ln in tip_lines),
                  f"tip-linked requests logged without address or browser ({len(anon)} anonymous lines)")
            # each job runs once, with two workers taking from one queue
            with app.app_context():
                from portal.extensions import db
                from portal.jobs import queue
                from portal.models import JobRun
                queue.huey.immediate = False
                import cluster_jobs  # noqa: F401 - registers the job in this process too
                with db.connection_context():
                    for n in range(40):
                        queue.enqueue("cluster_mark", n=n)
                    end = time.time() + 90
                    while time.time() < end and JobRun.select().where(
                            (JobRun.name == "cluster_mark") & (JobRun.status != "done")).exists():
                        time.sleep(0.5)
                    runs = list(JobRun.select().where(JobRun.name == "cluster_mark"))
            marks = os.listdir(os.path.join(shared, "cluster-marks")) if os.path.isdir(
                os.path.join(shared, "cluster-marks")) else []
            per_n = {}
            for m in marks:
                per_n.setdefault(int(m.split(".")[0]), []).append(m)
            workers = {m.split(".")[1] for m in marks}
            check(len(runs) == 40 and all(r.status == "done" for r in runs) and sorted(per_n) == list(range(40))
                  and all(len(v) == 1 for v in per_n.values()),
                  f"40 jobs, each ran once ({len(marks)} runs, by {len(workers)} worker process(es))")
            if 1 in results and 2 in results:
                (r1, p1, _m1), (r2, p2, _m2) = results[1], results[2]
                print(f"  one server {r1:.1f} req/s (p95 {p1:.0f} ms) vs two {r2:.1f} req/s (p95 {p2:.0f} ms): "
                      f"×{r2 / r1:.2f} on {os.cpu_count()} CPUs (both servers share this machine's cores)")
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    p.kill()
    print(json.dumps({"failures": failures}, ensure_ascii=False))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
