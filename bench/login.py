"""Sign-in timing: a wrong password for a known name against an unknown name (issue 12 §5), and the cost
of one rate-limit hit in the database storage (portaldb://).

    .venv/bin/python bench/login.py            # 20 tries each

On SQLite and PostgreSQL (bench/common.py), each in a temp folder removed at the end, production Argon2 parameters. Prints the median time of a failed sign-in for a
known and an unknown name (they should be about equal: the unknown name gets a dummy verification) and
the median time of one fixed-window hit.
"""
import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import each_database  # noqa: E402  (puts the project on sys.path)

from portal import create_app  # noqa: E402
from portal import db as portal_db  # noqa: E402
from portal.extensions import db  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tries", type=int, default=20)
    args = ap.parse_args()
    each_database("login", lambda url, tmp: run(args, url, tmp))


def run(args, url, tmp):
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url,
                      "INSTANCE_PATH": tmp, "WTF_CSRF_ENABLED": False, "TOTP_ENFORCED": False,
                      "LOCKOUT_THRESHOLD": 10 ** 6, "LOGIN_ADDRESS_LIMIT": ""})
    portal_db.upgrade()
    with app.app_context(), db.connection_context():
        from portal.accounts import create_user
        from portal.models import Department
        d = Department.create(name="办公室", kind="office")
        create_user("known", "张三", d, "Right-Pass2026", roles=["staff"], must_change=False)
    c = app.test_client()
    times = {}
    for name in ("known", "nobody") * args.tries:
        t = time.perf_counter()
        r = c.post("/login", data={"username": name, "password": "Wrong-pass1"})
        times.setdefault(name, []).append(time.perf_counter() - t)
        assert r.status_code == 401, r.status_code
    k, u = statistics.median(times["known"]), statistics.median(times["nobody"])
    print(f"failed sign-in, known name    (median of {args.tries}) {k * 1000:8.1f} ms")
    print(f"failed sign-in, unknown name  (median of {args.tries}) {u * 1000:8.1f} ms")
    print(f"ratio unknown / known                      {u / k:8.2f}")
    with app.app_context(), db.connection_context():
        from portal.ratelimit import DatabaseStorage
        store = DatabaseStorage()
        hits = []
        for i in range(500):
            t = time.perf_counter()
            store.incr(f"bench/{i % 50}", 600)
            hits.append(time.perf_counter() - t)
    print(f"one rate-limit hit (portaldb, median)            {statistics.median(hits) * 1000:8.2f} ms")


if __name__ == "__main__":
    main()
