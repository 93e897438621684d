"""Soak test: `.venv/bin/python bench/soak.py [--seconds 120] [--clients 16] [--workers 2] [--threads 4]
[--database-url postgresql://… --reset]`.

Builds the demo bureau (plus one account per autosaving client) in a temp SQLite file (or, with
--database-url and --reset, in that PostgreSQL database, emptied first), starts gunicorn on 127.0.0.1 and
runs a mixed load for the given time: staff autosaving their self-check, the discipline office paging and
opening the ledger, anonymous reporters reading the tip box and leaving tips, a clerk opening the document
register and editor and printing a draft PDF now and then. Each client has its own session and pauses
briefly between requests. Prints the requests by kind, the errors (anything but 2xx/3xx; 503 counted apart),
and each gunicorn worker's resident memory (RSS) at start (after login), after a warm-up tenth of the run,
and at the end, with the growth. Target for a long run: 0 errors, RSS growth after warm-up <= 10 %.
"""
import argparse
import collections
import http.cookiejar
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

PASSWORD = "Soak@Pass2026"
TOKEN_RE = re.compile(r'name="csrf-token" content="([^"]+)"')
CHALLENGE_RE = re.compile(r'name="pow_challenge" type="hidden" value="([^"]*)"')
POW_BITS = 10   # the tip box's proof of work, kept small: the load is on the server, not the client's CPU
VERSION_RE = re.compile(r'id="draft-version" value="(\d+)"')
TEXTS = ["落实工作部署行动偏慢，报表延期报送", "业务学习不系统，新规定掌握不全面", "到基层调研次数偏少",
         "上班期间偶有浏览与工作无关内容", "外出办事未按规定登记报告"]


def solve(challenge: str, bits: int) -> str:
    """What the tip page's script computes: n with SHA-256("<challenge>:<n>") starting with `bits` zero bits."""
    import hashlib
    n = 0
    while int.from_bytes(hashlib.sha256(f"{challenge}:{n}".encode()).digest(), "big") >> (256 - bits):
        n += 1
    return str(n)


def settings(db_url, instance):
    return {"DATABASE_URL": db_url, "SECRET_KEY": "soak-secret-key", "RATELIMIT_ENABLED": False,
            "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8192, "ARGON2_PARALLELISM": 1,
            "INSTANCE_PATH": instance, "IDLE_TIMEOUT_MINUTES": 600, "TOTP_ENFORCED": False,
            "DB_MAX_CONNECTIONS": 64}


def build(db_url, instance, autosavers, reset):
    """The demo bureau plus `autosavers` staff; returns what the clients need (ids, step-1 form)."""
    from portal import create_app
    from portal import db as portal_db
    from portal.accounts import create_user
    from portal.demo import seed
    from portal.extensions import db
    from portal.models import Campaign, Department, Problem
    from portal.models.document import Document
    from portal.selfcheck import service

    app = create_app(settings(db_url, instance))
    with app.app_context():
        if reset and portal_db.is_postgres():
            with db.connection_context():
                db.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        portal_db.upgrade()
        with db.connection_context():
            seed(PASSWORD, people=60)
            dept = Department.select().order_by(Department.id).first()
            for i in range(autosavers):
                create_user(f"soak{i:04d}", f"测试人员{i:04d}", dept, PASSWORD, roles=("staff",), must_change=False)
            campaign = Campaign.active()
            cl = service.checklist(campaign)
            step1 = [it.id for it in cl.steps[0].items]
            aspect = next(iter(cl.aspects))
            problems = [p.id for p in Problem.select(Problem.id).order_by(Problem.id).limit(200)]
            documents = [d.id for d in Document.select(Document.id).order_by(Document.id).limit(50)]
            if not documents:
                from portal.documents.drafts import create_draft
                from portal.models import User
                clerk = User.get(User.username == "demo-clerk")
                documents = [create_draft(clerk, {"kind": "circular", "title": "关于开展作风纪律整顿的通报",
                                                  "body": "各科室：\n为推动整顿工作，现通报如下。"}).id]
    return {"step1": step1, "aspect": aspect, "problems": problems, "documents": documents}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def workers_of(master: int) -> list[int]:
    try:
        with open(f"/proc/{master}/task/{master}/children") as f:
            return sorted(int(p) for p in f.read().split())
    except OSError:
        return []


def children_of(pid: int) -> list[int]:
    """Every child of every thread of `pid` (a gthread worker spawns from its request threads)."""
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Client(threading.Thread):
    """One person with a session: logs in (unless anonymous), then repeats its kind of work until stop."""

    def __init__(self, base, kind, username, data, stop_at, tally, index):
        super().__init__(daemon=True)
        self.base, self.kind, self.username, self.data = base, kind, username, data
        self.stop_at, self.tally, self.rng = stop_at, tally, random.Random(index)
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.token = None

    def req(self, label, path, data=None, htmx=False, count=True):
        label_path = f"{label} {path.split('?')[0]}"
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        headers = {}
        if htmx:
            headers["HX-Request"] = "true"
            if data is not None:
                headers["X-CSRFToken"] = self.token
        r = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(r, timeout=120) as resp:
                status, text = resp.status, resp.read()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read()
        except Exception as e:  # noqa: BLE001 - counted as an error
            status, text = 0, repr(e).encode()
        if count:
            self.tally.add(label, status, text, label_path)
        return status, text.decode("utf-8", "replace") if isinstance(text, bytes) else text

    def login(self):
        st, page = self.req("login", "/login", count=False)
        self.token = TOKEN_RE.search(page).group(1)
        st, page = self.req("login", "/login", {"csrf_token": self.token, "username": self.username,
                                                 "password": PASSWORD}, count=False)
        return st == 200 and "退出" in page

    def run(self):
        try:
            if self.kind != "tips" and not self.login():
                self.tally.add("login", 0, b"login failed")
                return
            getattr(self, "loop_" + self.kind)()
        except Exception as e:  # noqa: BLE001 - counted
            self.tally.add(self.kind, 0, repr(e).encode())

    def pause(self):
        time.sleep(self.rng.uniform(0.05, 0.25))

    def loop_autosave(self):
        st, page = self.req("autosave", "/selfcheck/step/1")
        version = int(VERSION_RE.search(page).group(1))
        token = TOKEN_RE.search(page).group(1)
        self.token = token
        n = 0
        while time.time() < self.stop_at:
            n += 1
            form = {"draft_version": str(version)}
            for i, item in enumerate(self.data["step1"]):
                form[f"a-{item}"] = "no_problem" if i else "problem"
            item = self.data["step1"][0]
            form[f"k-{item}"] = "0badc0de"
            pre = f"p-{item}-0badc0de-"
            form.update({pre + "aspect": str(self.data["aspect"]), pre + "description": f"{TEXTS[n % 5]}（第{n}次）",
                         pre + "measure": "建立台账，按周调度推进", pre + "deadline": "2026-12-31"})
            st, body = self.req("autosave", "/selfcheck/step/1/autosave", form, htmx=True)
            m = VERSION_RE.search(body)
            if st == 200 and m:
                version = int(m.group(1))
            elif st == 409:
                st, page = self.req("autosave", "/selfcheck/step/1")
                version = int(VERSION_RE.search(page).group(1))
            self.pause()

    def loop_ledger(self):
        filters = ["", "?status=pending", "?status=in_progress", "?q=" + urllib.parse.quote("公文"),
                   "?source=selfcheck", "?page=2"]
        while time.time() < self.stop_at:
            self.req("ledger", "/ledger/" + self.rng.choice(filters), htmx=self.rng.random() < 0.5)
            self.pause()
            if self.data["problems"]:
                self.req("ledger", f"/ledger/{self.rng.choice(self.data['problems'])}")
                self.pause()

    def loop_tips(self):
        n = 0
        while time.time() < self.stop_at:
            n += 1
            st, page = self.req("tips", "/tips/")
            m, c = TOKEN_RE.search(page), CHALLENGE_RE.search(page)
            self.pause()
            if m and c and n % 3 == 0:  # one in three visitors leaves a tip (with the page's proof of work)
                self.req("tips", "/tips/", {"csrf_token": m.group(1), "pow_challenge": c.group(1),
                                            "pow_nonce": solve(c.group(1), POW_BITS), "subject_name": "李明",
                                            "subject_department": "0", "item": "0",
                                            "body": f"反映上班时间多次外出办私事，第{n}次补充。", "identity": "anonymous",
                                            "password_mode": "generate"})
                self.pause()

    def loop_documents(self):
        n = 0
        while time.time() < self.stop_at:
            n += 1
            doc = self.rng.choice(self.data["documents"])
            self.req("documents", "/documents/")
            self.pause()
            self.req("documents", f"/documents/{doc}")
            self.pause()
            if n % 10 == 1:  # a draft printed now and then (the heaviest request in the portal)
                self.req("documents", f"/documents/{doc}/pdf")
                self.pause()


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = collections.Counter()
        self.errors = collections.Counter()
        self.busy = collections.Counter()
        self.samples = []

    def add(self, label, status, text, where=""):
        with self.lock:
            self.requests[label] += 1
            if status == 503:
                self.busy[label] += 1
            elif not 200 <= status < 400:
                self.errors[label] += 1
                if len(self.samples) < 5:
                    page = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
                    m = re.search(r'(?:data-error-message|class="error")[^>]*>([^<]{1,120})', page)
                    self.samples.append(f"{where or label} {status}: {m.group(1) if m else page[:160]!r}")


def progress(tally, elapsed, start_rss, warm_rss, pids):
    """One line of figures so far, for a long run that may be cut short."""
    with tally.lock:
        total, errors, busy = sum(tally.requests.values()), sum(tally.errors.values()), sum(tally.busy.values())
    rss = ", ".join(f"{p}: {start_rss.get(p, 0) / 1024:.1f}→{rss_kb(p) / 1024:.1f} MiB"
                    + (f" ({(rss_kb(p) - warm_rss[p]) / warm_rss[p] * 100:+.1f} % since warm-up)"
                       if warm_rss.get(p) else "") for p in pids)
    print(f"[{elapsed / 60:.1f} min] {total} requests ({total / elapsed:.0f}/s), errors {errors}, 503 busy {busy}; "
          f"RSS per worker start→now: {rss}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=int, default=120)
    ap.add_argument("--clients", type=int, default=16, help="concurrent people (60 %% autosave, 20 %% ledger, "
                                                            "15 %% tip box, the rest documents; at least one each)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--database-url", default=None, help="PostgreSQL instead of a temp SQLite file")
    ap.add_argument("--reset", action="store_true", help="empty the --database-url database first (required)")
    ap.add_argument("--only", choices=("autosave", "ledger", "tips", "documents"), default=None,
                    help="one kind of load only (to find which one a memory growth comes from)")
    ap.add_argument("--one", action="store_true", help="only the database given (default: SQLite, then PostgreSQL)")
    ap.add_argument("--report-every", type=int, default=300,
                    help="print the figures so far every N seconds (0: only at the end)")
    a = ap.parse_args()
    if not a.one and not a.database_url:  # both databases, one after the other (bench/common.py)
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from common import backends, pg_url
        rest = [x for x in sys.argv[1:]]
        failed = []
        for kind in backends():
            print(f"== soak, {'SQLite' if kind == 'sqlite' else 'PostgreSQL'}", flush=True)
            extra = ["--one"] + (["--database-url", pg_url(), "--reset"] if kind == "postgres" else [])
            if subprocess.run([sys.executable, os.path.abspath(__file__)] + rest + extra, check=False).returncode:
                failed.append(kind)
        if failed:  # `make bench` sees it
            sys.exit(f"soak failed on: {', '.join(failed)}")
        return
    if a.database_url and not a.reset:
        ap.error("--database-url needs --reset: the database is emptied and filled with the demo bureau")
    kinds = (["ledger"] * max(1, round(a.clients * .2)) + ["tips"] * max(1, round(a.clients * .15))
             + ["documents"] * max(1, a.clients - round(a.clients * .2) - round(a.clients * .15) - round(a.clients * .6)))
    kinds = ["autosave"] * max(1, a.clients - len(kinds)) + kinds
    if a.only:
        kinds = [a.only] * a.clients
    tmp = tempfile.mkdtemp(prefix="fengji-soak-")
    signal.signal(signal.SIGTERM, lambda *_a: sys.exit(143))  # `kill` still removes the temp folder (its keys)
    try:
        return soak(a, kinds, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def login_rate(base, seconds=3.0) -> float:
    """The baseline measured in the same run: GET /login per second by one client, before the load starts."""
    n, end = 0, time.time() + seconds
    while time.time() < end:
        urllib.request.urlopen(base + "/login", timeout=30).read()
        n += 1
    return n / seconds


def soak(a, kinds, tmp):
    instance = os.path.join(tmp, "instance")
    db_url = a.database_url or f"sqlite:///{os.path.join(tmp, 'soak.sqlite3')}"
    t0 = time.time()
    data = build(db_url, instance, kinds.count("autosave"), a.reset)
    print(f"built the demo bureau in {time.time() - t0:.1f} s ({'PostgreSQL' if a.database_url else 'SQLite'}); "
          f"clients: {dict(collections.Counter(kinds))}")

    port = free_port()
    env = dict(os.environ, DATABASE_URL=db_url, PORTAL_SECRET_KEY="soak-secret-key", PORTAL_INSTANCE_PATH=instance,
               PORTAL_RATELIMIT_ENABLED="false", PORTAL_ARGON2_TIME_COST="1", PORTAL_ARGON2_MEMORY_COST="8192",
               PORTAL_ARGON2_PARALLELISM="1", PORTAL_IDLE_TIMEOUT_MINUTES="600", PORTAL_DB_MAX_CONNECTIONS="64",
               PORTAL_TOTP_ENFORCED="false", PORTAL_TIPS_POW_BITS=str(POW_BITS))
    cmd = [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "--workers", str(a.workers), "--threads",
           str(a.threads), "--worker-class", "gthread", "--bind", f"127.0.0.1:{port}", "--timeout", "120",
           "--log-level", "warning", "app:app"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    tally = Tally()
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except urllib.error.HTTPError:
                break  # it answers (503 = no backup yet is fine here)
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.1)
        base_rate = login_rate(base)
        pids = workers_of(proc.pid)
        start_rss = {p: rss_kb(p) for p in pids}
        start = time.time()
        stop_at = start + a.seconds
        clients = [Client(base, k, None if k == "tips" else (
            f"soak{i:04d}" if k == "autosave" else {"ledger": "demo-discipline", "documents": "demo-clerk"}[k]),
            data, stop_at, tally, i) for i, k in enumerate(kinds)]
        for c in clients:
            c.start()
        time.sleep(max(1.0, a.seconds / 10))  # warm-up: every kind of request has been served by then
        warm_rss = {p: rss_kb(p) for p in pids}
        last = time.time()
        while any(c.is_alive() for c in clients) and time.time() < stop_at + 300:
            time.sleep(1.0)
            if a.report_every and time.time() - last >= a.report_every and time.time() < stop_at:
                last = time.time()
                progress(tally, time.time() - start, start_rss, warm_rss, workers_of(proc.pid))
        for c in clients:
            c.join(5)
        elapsed = time.time() - start
        end_rss = {p: rss_kb(p) for p in workers_of(proc.pid)}
        helpers = {p: [(c, rss_kb(c)) for c in children_of(p)] for p in end_rss}
    finally:
        proc.terminate()
        proc.wait(30)

    total = sum(tally.requests.values())
    print(f"{a.seconds} s, {len(kinds)} clients, gunicorn {a.workers} workers x {a.threads} threads: "
          f"{total} requests ({total / elapsed:.0f}/s): " + ", ".join(f"{k} {v}" for k, v in sorted(tally.requests.items())))
    print(f"baseline: one client fetching the login page, {base_rate:.0f}/s before the load; the mix's rate is "
          f"×{total / elapsed / base_rate:.2f} of it")
    print(f"errors {sum(tally.errors.values())} ({dict(tally.errors) or 'none'}), "
          f"503 busy {sum(tally.busy.values())} ({dict(tally.busy) or 'none'})")
    for s in tally.samples:
        print("   ", s)
    for p in pids:
        s, w, e = start_rss.get(p, 0), warm_rss.get(p, 0), end_rss.get(p)
        if e is None:
            print(f"worker {p}: RSS start {s / 1024:.1f} MiB, warm {w / 1024:.1f} MiB, GONE by the end (restarted?)")
            continue
        growth = (e - w) / w * 100 if w else float("nan")
        print(f"worker {p}: RSS start {s / 1024:.1f} MiB, after warm-up {w / 1024:.1f} MiB, end {e / 1024:.1f} MiB "
              f"(growth since warm-up {growth:+.1f} %, since start {(e - s) / s * 100 if s else 0:+.1f} %; "
              f"end ÷ start {e / s if s else 0:.2f}; goal: end ≤ 120 MiB)")
    for p, kids in helpers.items():
        if kids:
            print(f"worker {p}'s child processes (the PDF render child of portal/pdfs.py, its resource tracker): "
                  + ", ".join(f"{c}: {kb / 1024:.1f} MiB" for c, kb in kids))
    new = set(end_rss) - set(pids)
    if new:
        print(f"new workers appeared during the run (a worker died and was replaced): {sorted(new)}")
    return 1 if not total or sum(tally.errors.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
