"""Rate limits in the shared database (issue 12 §5): the `limits` storage behind RATELIMIT_STORAGE_URI =
portaldb://, shared by every worker and server; client addresses kept only as daily-keyed hashes."""
import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
import threading

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from portal import ratelimit
from portal.extensions import limiter
from portal.models.security import RateLimitCounter, RateLimitSalt

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
T0 = dt.datetime(2026, 12, 3, 9, 0, 0)


def test_scheme_is_registered_and_used_by_flask_limiter(app, ctx):
    assert app.config["RATELIMIT_STORAGE_URI"] == "portaldb://"
    assert isinstance(storage_from_string("portaldb://"), ratelimit.DatabaseStorage)
    assert isinstance(limiter.storage, ratelimit.DatabaseStorage)
    assert limiter.storage.check()


def test_fixed_window_counters(app, ctx, travel):
    travel(T0)
    store = ratelimit.DatabaseStorage()
    assert store.get("k") == 0
    assert [store.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert store.get("k") == 3 and store.get_expiry("k") == T0.timestamp() + 60
    travel(T0 + dt.timedelta(seconds=59))
    assert store.incr("k", 60) == 4
    travel(T0 + dt.timedelta(seconds=61))  # the window ended: a new one starts
    assert store.get("k") == 0
    assert store.incr("k", 60) == 1 and store.get_expiry("k") == T0.timestamp() + 61 + 60
    store.incr("other", 60, amount=5)
    store.clear("k")
    assert store.get("k") == 0 and store.get("other") == 5
    assert store.reset() == 1 and store.get("other") == 0
    strategy = FixedWindowRateLimiter(store)
    item = parse("2 per minute")
    assert [strategy.hit(item, "x") for _ in range(3)] == [True, True, False]


def test_parallel_hits_are_all_counted(app, ctx):
    store = ratelimit.DatabaseStorage()
    n = 16
    barrier = threading.Barrier(n)
    results = []

    def hit():
        with app.app_context():
            barrier.wait()
            results.append(store.incr("race", 600))

    threads = [threading.Thread(target=hit) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == list(range(1, n + 1))  # one atomic upsert each: no lost update


def test_addresses_are_hashed_with_a_daily_key(app, ctx, travel):
    travel(T0)
    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.7"}):
        today = ratelimit.address_key()
        assert "192.0.2.7" not in today and today == ratelimit.address_key()
    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.8"}):
        assert ratelimit.address_key() != today
    salt = RateLimitSalt.get().salt
    travel(T0 + dt.timedelta(days=1))
    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.7"}):
        assert ratelimit.address_key() != today  # tomorrow's key cannot be matched to today's
    rows = list(RateLimitSalt.select())
    assert len(rows) == 1 and rows[0].day == (T0 + dt.timedelta(days=1)).date() and rows[0].salt != salt


def test_tip_box_limit_keys_keep_no_address(app, ctx):
    c = app.test_client()
    for _ in range(6):
        c.post("/tips/track", data={"code": "1111222233334444", "password": "x"},
               environ_base={"REMOTE_ADDR": "198.51.100.23"})
    rows = list(RateLimitCounter.select())
    assert rows and all("198.51.100" not in r.key for r in rows)
    assert any(r.hits >= 5 for r in rows)


SECOND_WORKER = textwrap.dedent("""
    import json, sys
    from portal import create_app
    from tests.conftest import PortalClient, base_config
    app = create_app(base_config(sys.argv[1], sys.argv[2]))
    app.test_client_class = PortalClient
    c = app.test_client()
    out = {}
    out["tips"] = c.post("/tips/track", data={"code": "1111222233334444", "password": "x"}).status_code
    out["login"] = c.post("/login", data={"username": "someone", "password": "x"}).status_code
    print(json.dumps(out))
""")


def test_two_app_instances_on_the_same_database_share_the_limits(app, ctx, db_url, tmp_path):
    """A second worker process (another app on the same database) sees the first one's counters."""
    app.config["LOGIN_ADDRESS_LIMIT"] = "3 per 10 minutes"
    c = app.test_client()
    for _ in range(5):
        assert c.post("/tips/track", data={"code": "1111222233334444", "password": "x"}).status_code == 401
    for _ in range(3):
        assert c.post("/login", data={"username": "someone", "password": "x"}).status_code == 401
    env = dict(os.environ, PORTAL_LOGIN_ADDRESS_LIMIT="3 per 10 minutes", PYTHONPATH=ROOT)
    proc = subprocess.run([sys.executable, "-c", SECOND_WORKER, db_url, str(tmp_path / "other")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out == {"tips": 429, "login": 429}
