"""The ledger's 方面 / 处理方式 (+ month) / 自查·被查 filters: list and counters equal hand-written SQL,
bad values are ignored with a Chinese message (never a 500), the filter is bookmarkable."""
import datetime as dt
import random

import pytest

from portal.extensions import db
from portal.ledger import queries
from portal.ledger.views import results_key
from portal.models import Aspect
from portal.models.ledger import ProblemAction
from tests.factories import default_campaign, make_problem

from .conftest import counter, row_ids

KINDS = ("circular", "reminder", "talk")
MONTHS = ("2026-03", "2026-04", "2026-05")


@pytest.fixture
def world(org, travel):
    travel(dt.datetime(2026, 5, 20, 9, 0))
    c = default_campaign()
    aspects = list(Aspect.select().where(Aspect.campaign == c).order_by(Aspect.seq))
    rng = random.Random(7)
    people = [org.staff_a, org.staff_a2, org.staff_b]
    made = [org.pa1, org.pa2, org.pb1, org.pc1]
    for i in range(36):
        src = rng.choice(["selfcheck", "tip", "inspection", "review"])
        made.append(make_problem(rng.choice(people), source=src, self_reported=(src == "selfcheck"),
                                 status=rng.choice(["pending", "in_progress", "rectified", "closed"]),
                                 aspect=rng.choice(aspects) if rng.random() < 0.8 else None,
                                 deadline=dt.date(2026, 5, 1) + dt.timedelta(days=rng.randint(0, 40)),
                                 description=f"测试问题{i}"))
    for p in made:
        for _ in range(rng.randint(0, 3)):
            m = rng.choice(MONTHS)
            ProblemAction.create(problem=p, kind=rng.choice(KINDS), by=org.office,
                                 date=dt.date.fromisoformat(m + "-01") + dt.timedelta(days=rng.randint(0, 27)))
    org.aspects = aspects
    return org


def _sql(where, params):
    from portal.db import is_postgres
    sql = ("SELECT p.id, p.status FROM problem p WHERE p.withdrawn = " + ("FALSE" if is_postgres() else "0")
           + where)
    if is_postgres():
        sql = sql.replace("?", "%s")
    return db.execute_sql(sql, params).fetchall()


def expected(aspect="", action="", month="", self_reported="", dept=None):
    from portal.db import is_postgres
    where, params = "", []
    if dept:
        where += " AND p.department_id = ?"
        params.append(dept)
    if aspect == "none":
        where += " AND p.aspect_id IS NULL"
    elif aspect:
        where += " AND p.aspect_id = ?"
        params.append(int(aspect))
    if action or month:
        where += " AND p.id IN (SELECT a.problem_id FROM problem_action a WHERE 1 = 1"
        if action:
            where += " AND a.kind = ?"
            params.append(action)
        if month:
            first = dt.date.fromisoformat(month + "-01")
            last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            where += " AND a.date >= ? AND a.date <= ?"
            params += [first.isoformat(), last.isoformat()]
        where += ")"
    if self_reported:
        t = ("TRUE" if self_reported == "1" else "FALSE") if is_postgres() else self_reported
        where += f" AND p.self_reported = {t}"
    return _sql(where, params)


def combos(aspects):
    out = [{"aspect": str(a.id)} for a in aspects] + [{"aspect": "none"}]
    out += [{"action": k} for k in KINDS] + [{"action_month": m} for m in MONTHS]
    out += [{"action": k, "action_month": m} for k in KINDS for m in MONTHS]
    out += [{"self_reported": "1"}, {"self_reported": "0"}]
    out += [{"aspect": str(aspects[0].id), "self_reported": "0", "action": "talk"},
            {"aspect": "none", "action_month": "2026-04"}]
    return out


def test_new_filters_list_and_counters_equal_sql(client, auth, world, app):
    app.config["PAGE_SIZE"] = 500
    auth.login(world.office)
    for params in combos(world.aspects):
        qs = "&".join(f"{k}={v}" for k, v in params.items())
        rows = expected(params.get("aspect", ""), params.get("action", ""), params.get("action_month", ""),
                        params.get("self_reported", ""))
        html = client.get(f"/ledger/?{qs}").get_data(as_text=True)
        assert row_ids(html) == {r[0] for r in rows}, qs
        assert f"<b data-total>{len(rows)}</b>" in html, qs
        for st in ("pending", "in_progress", "rectified", "closed"):
            assert counter(html, st) == sum(1 for r in rows if r[1] == st), (qs, st)
        # the API the export uses, and the htmx fragment, agree
        assert {p.id for p in queries.filtered(world.office, params)} == {r[0] for r in rows}
        frag = client.hx_get(f"/ledger/?{qs}").get_data(as_text=True)
        assert row_ids(frag) == {r[0] for r in rows}, qs


def test_new_filters_respect_scope_and_combine_with_department(client, auth, world):
    auth.login(world.head_a)
    for params in ({"action": "circular"}, {"self_reported": "0"}, {"aspect": "none"}):
        qs = "&".join(f"{k}={v}" for k, v in params.items())
        want = expected(params.get("aspect", ""), params.get("action", ""), "", params.get("self_reported", ""),
                        dept=world.a.id)
        html = client.get(f"/ledger/?{qs}").get_data(as_text=True)
        assert row_ids(html) == {r[0] for r in want}, qs


def test_form_shows_the_new_filters_and_keeps_them_in_links(client, auth, world):
    auth.login(world.office)
    a = world.aspects[1]
    html = client.get(f"/ledger/?aspect={a.id}&action=reminder&action_month=2026-04&self_reported=0"
                      ).get_data(as_text=True)
    assert "问题方面" in html and "处理方式" in html and "处理月份" in html and "发现方式" in html
    assert f'<option value="{a.id}" selected>{a.name}</option>' in html
    assert '<option value="reminder" selected>提醒</option>' in html
    assert 'value="2026-04"' in html
    assert '<option value="0" selected>被查发现（从严）</option>' in html
    # the counters' links keep the filter (bookmarkable)
    assert "aspect=%d&amp;action=reminder&amp;action_month=2026-04&amp;self_reported=0" % a.id in html


def test_cache_key_normalises_the_new_filters(ctx, world, app):
    from portal.ledger.forms import parse_filters
    with app.test_request_context():
        k1 = results_key(world.office, parse_filters({"aspect": " 0%d" % world.aspects[0].id, "action": "talk",
                                                        "self_reported": "1", "action_month": "2026-04"}), "x")
        k2 = results_key(world.office, parse_filters({"action_month": "2026-04", "self_reported": "1",
                                                        "action": "talk", "aspect": str(world.aspects[0].id)}), "x")
        k3 = results_key(world.office, parse_filters({"action": "talk", "self_reported": "0"}), "x")
        k4 = results_key(world.office, parse_filters({"action": "talk", "self_reported": "1"}), "x")
    assert k1 == k2 and k3 != k4


def test_an_action_added_shows_at_once(client, auth, world):
    auth.login(world.office)
    qs = "action=talk&action_month=2026-05"
    before = row_ids(client.get(f"/ledger/?{qs}").get_data(as_text=True))
    new = next(p for p in [world.pa1, world.pa2, world.pb1, world.pc1] if p.id not in before)
    ProblemAction.create(problem=new, kind="talk", date=dt.date(2026, 5, 31), by=world.office)
    after = row_ids(client.get(f"/ledger/?{qs}").get_data(as_text=True))
    assert after == before | {new.id}


@pytest.mark.parametrize("qs, message", [
    ("aspect=abc", "问题方面参数无效"), ("aspect=-3", "问题方面参数无效"), ("aspect=99999999999999", "问题方面参数无效"),
    ("action=<script>", "处理方式"), ("action=通报", "处理方式"), ("action_month=2026-13", "处理月份"),
    ("action_month=2026-4", "处理月份"), ("action_month=1999-12", "处理月份"), ("action_month=2026-05-01", "处理月份"),
    ("self_reported=yes", "发现方式参数无效"), ("self_reported=2", "发现方式参数无效"),
])
def test_bad_new_filter_values_never_500(client, auth, world, qs, message):
    auth.login(world.office)
    everything = row_ids(client.get("/ledger/?page=1").get_data(as_text=True))
    r = client.get(f"/ledger/?{qs}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert message in html
    assert row_ids(html) == everything  # the bad part ignored
    for url in (f"/ledger/export.xlsx?{qs}", f"/ledger/counters?{qs}"):
        assert client.get(url).status_code == 200, url
    assert client.hx_get(f"/ledger/?{qs}").status_code == 200


def test_unknown_aspect_id_matches_nothing(client, auth, world):
    auth.login(world.office)
    html = client.get("/ledger/?aspect=987654").get_data(as_text=True)
    assert row_ids(html) == set() and "<b data-total>0</b>" in html
