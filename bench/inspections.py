"""Spot checks: the draw and the public verify page with a large roster, and the notice triggers.

    .venv/bin/python bench/inspections.py            # 5,000 staff, 20,000 open problems
    .venv/bin/python bench/inspections.py --big      # 50,000 staff, 200,000 open problems

On SQLite and PostgreSQL (bench/common.py), each in a temp folder removed at the end. Prints seconds for: preparing the roster (freeze + hash + automatic exclusions),
the draw (ranking every candidate by SHA-256), verifying it, the public verify page, and one run of the
periodic notice triggers (deadline reminders for every problem due within DUE_SOON_DAYS), twice (the
second run finds nothing new: dedupe keys).
"""
import argparse
import datetime as dt
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import each_database  # noqa: E402  (puts the project on sys.path)

from portal import clock, create_app  # noqa: E402
from portal import db as portal_db  # noqa: E402
from portal.extensions import db  # noqa: E402


BASE = {}  # the login page's median in this run: each figure is also printed as a multiple of it


def timed(label, fn):
    t = time.perf_counter()
    out = fn()
    took = time.perf_counter() - t
    ratio = f"   {took / BASE['login']:9.1f} × the login page" if BASE.get("login") else ""
    print(f"{label:<52} {took:8.3f} s{ratio}")
    return out


def login_page(app, n=30) -> float:
    """Median seconds of GET /login (rendered, no database write): the baseline measured in the same run."""
    client = app.test_client()
    client.get("/login")
    took = []
    for _ in range(n):
        t = time.perf_counter()
        assert client.get("/login").status_code == 200
        took.append(time.perf_counter() - t)
    return sorted(took)[n // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", action="store_true")
    args = ap.parse_args()
    each_database("inspections", lambda url, tmp: run(args, url, tmp))


def run(args, url, tmp):
    people, problems = (50_000, 200_000) if args.big else (5_000, 20_000)
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url,
                      "INSTANCE_PATH": tmp, "RATELIMIT_ENABLED": False})
    portal_db.upgrade()
    BASE["login"] = login_page(app)
    print(f"baseline: the login page, median {BASE['login'] * 1000:.1f} ms")
    from portal import campaigns
    from portal.inspections import draw as drawlib
    from portal.inspections import service
    from portal.models import Department, Item, Notice, Problem, RoleAssignment, User
    from portal.models.inspection import Draw
    from portal.notices import triggers
    clock.travel(dt.datetime(2026, 11, 20, 9, 0))
    with app.app_context(), db.connection_context():
        c = campaigns.load_default()
        item = Item.select().where(Item.campaign == c).first()
        depts = [Department.create(name=f"科室{i}", kind="office") for i in range(40)]
        with db.atomic():
            for start in range(0, people, 1000):
                User.insert_many([{"username": f"u{i}", "real_name": f"人员{i}", "department": depts[i % 40].id,
                                   "employee_no": f"E{i}", "session_token": f"t{i}"}
                                  for i in range(start, min(people, start + 1000))]).execute()
            ids = [u.id for u in User.select(User.id).order_by(User.id)]  # the same heads on both databases
            for start in range(0, len(ids), 1000):
                RoleAssignment.insert_many([{"user": uid, "role": "staff"} for uid in ids[start:start + 1000]]).execute()
            heads = [ids[i] for i in range(0, 40)]
            RoleAssignment.insert_many([{"user": uid, "role": "dept_head"} for uid in heads]).execute()
            RoleAssignment.insert_many([{"user": ids[-1], "role": "inspector"},
                                        {"user": ids[-2], "role": "discipline"}]).execute()
            now = clock.now()
            for start in range(0, problems, 2000):
                Problem.insert_many([{
                    "campaign": c.id, "item": item.id, "person": ids[i % len(ids)],
                    "department": depts[i % 40].id, "source": "review", "description": f"问题{i}",
                    "deadline": dt.date(2026, 11, 20) + dt.timedelta(days=i % 60), "created_at": now,
                    "updated_at": now} for i in range(start, min(problems, start + 2000))]).execute()
        office = User.get_by_id(ids[-2])
        plan = service.create_plan(office, campaign=c, title="基准测试", checks=json.dumps([{"label": "上班迟到早退",
                                   "item": item.id}]), planned_date=dt.date(2026, 11, 20), cycle="2026-11",
                                   target_kind="person", target_count=20, inspector_count=1, pool_kind="all",
                                   pool_departments="[]")
        service.assign_inspector(plan, User.get_by_id(ids[-1]), office)
        print(f"{people:,} staff, {problems:,} open problems, 40 departments")
        prep = timed("prepare the roster (freeze, hash, exclusions)", lambda: service.prepare(plan, "targets"))
        print(f"  candidates {len(prep['rows']):,}, excluded automatically {len(prep['auto']):,}")
        d = timed("draw 20 (rank every candidate by SHA-256)",
                  lambda: service.do_draw(plan, "targets", office, "123456", "见证人", {}, 20, prep["roster_hash"]))
        d = Draw.get_by_id(d.id)
        ok = timed("verify from the stored inputs", lambda: drawlib.verify(d)["ok"])
        assert ok
    client = app.test_client()
    r = timed("public verify page (HTTP, no login)", lambda: client.get(f"/inspections/draws/{d.public_id}/verify"))
    assert r.status_code == 200 and b'data-verdict="match"' in r.data
    with app.test_request_context(), db.connection_context():
        out = timed("notice triggers, first run", triggers.run_all)
        print(f"  created {out['ledger_deadlines']:,} deadline notices")
        out = timed("notice triggers, second run (all deduplicated)", triggers.run_all)
        assert out["ledger_deadlines"] == 0
        print(f"  notices in table {Notice.select().count():,}")


if __name__ == "__main__":
    main()
