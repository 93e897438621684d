"""Dashboard server time with many Problems and staff.

    .venv/bin/python bench/dashboard.py                 # 100,000 Problems, 5,000 staff, SQLite and PostgreSQL
    .venv/bin/python bench/dashboard.py --big           # also 1,000,000 Problems
    .venv/bin/python bench/dashboard.py --pg postgresql://fengji:fengji@127.0.0.1:5432/fengji_h8
                                                        # the same on PostgreSQL (the database is wiped!)

Prints the median and p90 of: the counts (every aggregate query, uncached), the counts through the
write-invalidated cache, and the whole /dashboard page (HTML rendered, as the discipline office and as a
leader): from the cache, with every cache emptied, and right after a Problem's status changed (cold: the
parts whose numbers did not move come from the content-keyed cache) — targets ≤ 15 ms for the counts and
≤ 20 ms for the cold page.
"""
import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import each_database  # noqa: E402  (puts the project on sys.path)

from portal import campaigns, clock, create_app  # noqa: E402
from portal import db as portal_db  # noqa: E402
from portal.extensions import db  # noqa: E402

N_DEPTS = 50


def build(url, n_problems, n_staff, instance):
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url,
                      "INSTANCE_PATH": instance, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                      "TOTP_ENFORCED": False})
    with app.app_context():
        with db.connection_context():
            if portal_db.is_postgres():
                db.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        portal_db.upgrade()
        from portal.accounts import create_user, set_charges
        from portal.models import Department, Item, Aspect, User, RoleAssignment
        with db.connection_context():
            c = campaigns.load_default()
            items = [i.id for i in Item.select().where(Item.campaign == c)]
            aspects = [a.id for a in Aspect.select().where(Aspect.campaign == c)]
            with db.atomic():
                Department.insert_many([{"name": f"部门{i:02d}", "kind": "office", "sort_order": i}
                                        for i in range(N_DEPTS)]).execute()
            dept_ids = [d.id for d in Department.select(Department.id)]
            rng = random.Random(7)
            now = clock.now()
            with db.atomic():
                rows = [{"username": f"u{i}", "real_name": f"职工{i}", "department": dept_ids[i % N_DEPTS],
                         "password_hash": "x", "must_change_password": False, "session_token": f"t{i}",
                         "created_at": now} for i in range(n_staff)]
                for k in range(0, len(rows), 1000):
                    User.insert_many(rows[k:k + 1000]).execute()
                uids = [u for (u,) in User.select(User.id).tuples()]
                ra = [{"user": u, "role": "staff"} for u in uids]
                for k in range(0, len(ra), 1000):
                    RoleAssignment.insert_many(ra[k:k + 1000]).execute()
            create_user("bench-discipline", "纪委", Department.get_by_id(dept_ids[0]), "Bench@Pass2026",
                               roles=["discipline", "staff"], must_change=False)
            leader = create_user("bench-leader", "领导", Department.get_by_id(dept_ids[0]), "Bench@Pass2026",
                                 roles=["leader", "staff"], must_change=False)
            set_charges(leader, dept_ids[1:6])
            today = clock.today()
            sources = ["selfcheck"] * 5 + ["tip", "inspection", "review", "other"]
            statuses = ["pending", "in_progress", "rectified", "closed", "closed"]
            t0 = time.perf_counter()
            cols = ("campaign_id", "item_id", "aspect_id", "person_id", "department_id", "source",
                    "self_reported", "severity", "status", "description", "measures", "deadline",
                    "fixed_at_once", "remark", "is_accountability", "withdrawn", "created_at", "updated_at",
                    "version")
            sql = f'INSERT INTO "problem" ({", ".join(cols)}) VALUES '
            batch = []

            def flush(rows):
                with db.atomic():
                    cur = db.cursor()
                    if portal_db.is_postgres():
                        from psycopg2.extras import execute_values
                        execute_values(cur, sql + "%s", rows, page_size=5000)
                    else:
                        cur.executemany(sql + "(" + ", ".join("?" * len(cols)) + ")", rows)

            for i in range(n_problems):
                src = rng.choice(sources)
                u = rng.randrange(n_staff)
                batch.append((c.id, rng.choice(items), rng.choice(aspects), uids[u], dept_ids[u % N_DEPTS], src,
                              src == "selfcheck", "general", rng.choice(statuses), "问题描述", "",
                              today + dt.timedelta(days=rng.randint(-60, 60)), False, "", False, False,
                              now - dt.timedelta(days=rng.randint(0, 120)), now, 1))
                if len(batch) == 20000:
                    flush(batch)
                    batch = []
            if batch:
                flush(batch)
            # 通报/提醒/约谈 on about 3% of the problems, over the last six months
            from portal.models.ledger import ProblemAction
            pids = [i for (i,) in db.execute_sql('SELECT "id" FROM "problem" ORDER BY "id"').fetchall()]
            acts = [{"problem": pid, "kind": rng.choice(("circular", "reminder", "talk")),
                     "date": today - dt.timedelta(days=rng.randint(0, 180)), "note": "", "created_at": now}
                    for pid in rng.sample(pids, len(pids) * 3 // 100)]
            with db.atomic():
                for k in range(0, len(acts), 1000):
                    ProblemAction.insert_many(acts[k:k + 1000]).execute()
            if portal_db.is_postgres():  # as autovacuum would: index-only scans need the visibility map
                conn = db.connection()
                conn.commit()
                conn.autocommit = True
                conn.cursor().execute("VACUUM ANALYZE")
                conn.autocommit = False
            else:
                db.execute_sql("ANALYZE")
            print(f"  seeded {n_problems:,} problems ({len(acts):,} actions) in {time.perf_counter() - t0:.1f} s")
    return app


def timed(fn, n=30):
    fn()  # warm
    xs = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        xs.append((time.perf_counter() - t) * 1000)
    xs.sort()
    return statistics.median(xs), xs[int(len(xs) * 0.9) - 1]


def groupby_baseline(depts, today):
    """The Problem counts the way they were read before the tallies: GROUP BYs over every Problem."""
    from peewee import SQL, fn
    from portal.models import Problem
    live = Problem.withdrawn == False  # noqa: E712
    scope = Problem.department.in_(list(depts)) if depts is not None else SQL("1 = 1")
    list(Problem.select(Problem.department, Problem.status, Problem.source, Problem.self_reported,
                        fn.COUNT(SQL("*"))).where(live & scope)
         .group_by(Problem.department, Problem.status, Problem.source, Problem.self_reported).tuples())
    list(Problem.select(Problem.department, fn.COUNT(SQL("*"))).where(Problem.overdue_expr(today) & scope)
         .group_by(Problem.department).tuples())
    list(Problem.select(Problem.item, Problem.aspect, fn.COUNT(Problem.id)).where(live & scope)
         .group_by(Problem.item, Problem.aspect).tuples())


def run(url, n_problems, n_staff, inst):
    print(f"{n_problems:,} problems, {n_staff:,} staff, {'PostgreSQL' if 'postgres' in url else 'SQLite'}")
    app = build(url, n_problems, n_staff, inst)
    from portal.dashboard import service
    from portal.models import User
    with app.app_context():
        with db.connection_context():
            boss = User.get(User.username == "bench-discipline")
            leader = User.get(User.username == "bench-leader")
            from portal.dashboard import queries
            for who, user in (("office (all)", boss), ("leader (5 depts)", leader)):
                depts = queries.scope_departments(user)
                bm, bp = timed(lambda: groupby_baseline(depts, clock.today()))
                tm, tp = timed(lambda: queries.problem_matrix(depts) and queries.item_matrix(depts))
                print(f"  problem counts   {who:18s} tallies {tm:6.1f} ms   GROUP BY baseline {bm:6.1f} ms"
                      f"   ratio {tm / bm:.2f}")
                m, p = timed(lambda: service.counts(user, cached=False))
                print(f"  counts uncached  {who:18s} median {m:6.1f} ms   p90 {p:6.1f} ms")
                m, p = timed(lambda: service.counts(user, cached=True))
                print(f"  counts cached    {who:18s} median {m:6.1f} ms   p90 {p:6.1f} ms")
    client = app.test_client()
    for who, username in (("office (all)", "bench-discipline"), ("leader (5 depts)", "bench-leader")):
        client.post("/login", data={"username": username, "password": "Bench@Pass2026"})
        r = client.get("/dashboard/")
        assert r.status_code == 200, r.status_code
        m, p = timed(lambda: client.get("/dashboard/"))
        print(f"  page /dashboard  {who:18s} median {m:6.1f} ms   p90 {p:6.1f} ms   ({len(r.data):,} bytes)")
        from portal import cache
        m, p = timed(lambda: (cache.clear("dashboard"), cache.clear("dashboard_parts"), client.get("/dashboard/")),
                     n=10)
        print(f"  page uncached    {who:18s} median {m:6.1f} ms   p90 {p:6.1f} ms")
        m, p = timed(lambda: (_status_write(app), client.get("/dashboard/")), n=10)
        print(f"  page after write {who:18s} median {m:6.1f} ms   p90 {p:6.1f} ms   (a status change: cold)")
        client.post("/logout")
    write_cost(app)


def _status_write(app):
    """The next Problem moves from 待整改 to 已整改: new numbers every time (tallies, counters, RAG ranking)."""
    with app.app_context():
        with db.connection_context():
            db.execute_sql("UPDATE problem SET status = 'rectified' "
                           "WHERE id = (SELECT min(id) FROM problem WHERE status = 'pending')")


def write_cost(app, n=200):
    """What the tallies' triggers add to a Problem write: n status changes through the service layer with
    the triggers, then the same with the dashboard's tally triggers dropped (this bench database only)."""
    import importlib
    from portal import problems
    from portal.models import Problem, User
    tally = importlib.import_module("portal.migrations.0010_problem_tally")
    actions = importlib.import_module("portal.migrations.0012_action_tally")
    supervision = importlib.import_module("portal.migrations.0044_dashboard_tallies")
    with app.app_context():
        with db.connection_context():
            boss = User.get(User.username == "bench-discipline")
            ids = [i for (i,) in Problem.select(Problem.id).where(Problem.status == "pending")
                   .order_by(Problem.id).limit(2 * n).tuples()]

            def go(batch):
                t = time.perf_counter()
                for pid in batch:
                    p = Problem.get_by_id(pid)
                    problems.transition(pid, "in_progress", boss, p.version)
                return (time.perf_counter() - t) / len(batch) * 1000
            with_triggers = go(ids[:n])
            supervision.down(None, db.obj)
            tally.down(None, db.obj)
            actions.down(None, db.obj)
            without = go(ids[n:])
    print(f"  write: a status change   with tallies {with_triggers:5.2f} ms   without {without:5.2f} ms"
          f"   ratio {with_triggers / without:.2f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--problems", type=int, default=100_000)
    ap.add_argument("--staff", type=int, default=5_000)
    ap.add_argument("--big", action="store_true", help="also run with 1,000,000 problems")
    ap.add_argument("--pg", default=None, help="PostgreSQL URL (its public schema is wiped)")
    a = ap.parse_args()
    sizes = [a.problems] + ([1_000_000] if a.big else [])
    if a.pg:
        os.environ["BENCH_DATABASE_URL"], os.environ["BENCH_DB"] = a.pg, "postgres"
    for n in sizes:  # on SQLite and PostgreSQL (bench/common.py), temp folders removed at the end
        each_database("dashboard", lambda url, tmp: run(url, n, a.staff, os.path.join(tmp, "instance")))

if __name__ == "__main__":
    main()
