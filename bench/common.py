"""What every benchmark shares: the two databases, a temp folder that is always removed, a fresh schema,
timing, and a figure printed as a ratio against a baseline measured in the same run.

    for kind in backends():                    # "sqlite", "postgres" (BENCH_DB=sqlite|postgres|both)
        with workdir("ledger") as tmp, database(kind, tmp) as url:
            app = create_app(config(url, tmp))

PostgreSQL: BENCH_DATABASE_URL, else DATABASE_URL, else postgresql://fengji:fengji@127.0.0.1:5432/fj_bench;
its public schema is dropped and recreated before and after each run (use a database of its own).
Not a benchmark itself: `make bench` skips it.
"""
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

PG_DEFAULT = "postgresql://fengji:fengji@127.0.0.1:5432/fj_bench"


def pg_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or PG_DEFAULT


def backends() -> list[str]:
    """The databases to measure: both unless BENCH_DB names one (or PostgreSQL cannot be reached)."""
    want = os.environ.get("BENCH_DB", "both")
    out = [k for k in ("sqlite", "postgres") if want in (k, "both")]
    if "postgres" in out and not _pg_reachable():
        print(f"  (PostgreSQL at {pg_url().rsplit('@', 1)[-1]} not reachable: measuring SQLite only)")
        out.remove("postgres")
    return out


def _pg_reachable() -> bool:
    try:
        import psycopg2
        psycopg2.connect(pg_url(), connect_timeout=3).close()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not there"
        return False


def _reset_pg(url):
    import psycopg2
    conn = psycopg2.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    conn.close()


@contextlib.contextmanager
def workdir(name):
    """A temp folder under /tmp (the instance folder with its keys goes inside), removed however the run ends."""
    import signal
    import threading
    if threading.current_thread() is threading.main_thread():  # `kill` (SIGTERM) still runs the clean-up
        signal.signal(signal.SIGTERM, lambda *_a: sys.exit(143))
    tmp = tempfile.mkdtemp(prefix=f"fengji-bench-{name}-", dir="/tmp")
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def database(kind, tmp):
    """The URL of an empty database of `kind`; PostgreSQL's schema is emptied again afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp}/bench.sqlite3"
        return
    url = pg_url()
    _reset_pg(url)
    try:
        yield url
    finally:
        try:
            from portal.extensions import db
            if db.obj is not None:
                db.close_all() if hasattr(db, "close_all") else db.close()
        except Exception:  # noqa: BLE001
            pass
        _reset_pg(url)


def config(url, tmp, **extra) -> dict:
    cfg = {"DATABASE_URL": url, "SECRET_KEY": "bench-secret-key-not-for-production", "RATELIMIT_ENABLED": False,
           "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8192, "ARGON2_PARALLELISM": 1,
           "INSTANCE_PATH": os.path.join(tmp, "instance"), "IDLE_TIMEOUT_MINUTES": 600, "TOTP_ENFORCED": False,
           "JOBS_IMMEDIATE": True}
    cfg.update(extra)
    return cfg


def label(kind) -> str:
    return {"sqlite": "SQLite", "postgres": "PostgreSQL"}[kind]


def timed(fn, n):
    """(wall median, wall p95, CPU median) in ms over n calls. CPU time is shown because the machine may be
    shared: wall time includes waiting for a core."""
    out, cpu = [], []
    for _ in range(n):
        t, c = time.perf_counter(), time.process_time()
        fn()
        out.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    out.sort()
    return statistics.median(out), out[max(0, int(len(out) * 0.95) - 1)], statistics.median(cpu)


def show(text, res, base=None, base_name="baseline"):
    """One line: median, p95, CPU, and — given a baseline median measured in the same run — the figure
    as baseline ÷ this (a speed ratio: 1.0 is as fast as the baseline)."""
    med, p95, cpu = res
    tail = f"   ratio {base / med:5.2f} of {base_name}" if base else ""
    print(f"  {text:<58} median {med:8.2f} ms  p95 {p95:8.2f} ms  (CPU {cpu:7.2f}){tail}")
    return med


def bulk(db, table, cols, rows, chunk=5000):
    """executemany straight through the driver with the database's own placeholder (triggers still run)."""
    mark = "%s" if "postgres" in type(db.obj if hasattr(db, "obj") else db).__name__.lower() else "?"
    sql = f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({", ".join([mark] * len(cols))})'
    for i in range(0, len(rows), chunk):
        with db.atomic():
            db.cursor().executemany(sql, rows[i:i + chunk])


def each_database(name, run):
    """run(url, tmp) once per database (SQLite, then PostgreSQL), each in its own temp folder."""
    for kind in backends():
        with workdir(name) as tmp, database(kind, tmp) as url:
            print(f"== {name}, {label(kind)}", flush=True)
            run(url, tmp)
