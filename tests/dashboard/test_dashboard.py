"""/dashboard: numbers equal plain SQL over the raw tables, scope, links, cache invalidation."""
import datetime as dt
import re
from html import unescape
from urllib.parse import parse_qs, urlparse

import pytest

from portal import problems
from portal.dashboard import service
from portal.extensions import db
from portal.models import Problem
from portal.models.ledger import ProblemAction
from tests.factories import make_problem, make_user

from .seed import TODAY, seed


@pytest.fixture
def world(ctx, travel):
    travel(dt.datetime.combine(TODAY, dt.time(9, 0)))
    return seed()


def sql_rows(sql, params=()):
    return db.execute_sql(sql, params).fetchall()


def scope_sql(depts):
    if depts is None:
        return "", ()
    return f" AND p.department_id IN ({','.join('%s' if _pg() else '?' for _ in depts)})", tuple(depts)


def _pg():
    from portal.db import is_postgres
    return is_postgres()


def ph(sql):
    return sql.replace("?", "%s") if _pg() else sql


def expected(depts=None):
    """The dashboard's numbers, computed with hand-written SQL."""
    where, params = scope_sql(depts)
    f = "FALSE" if _pg() else "0"
    t = "TRUE" if _pg() else "1"
    out = {"dept": {}, "overdue": {}, "source": {}, "cat": {}, "aspect": {}, "self": {}}
    for d, st, n in sql_rows(ph(f"SELECT p.department_id, p.status, COUNT(*) FROM problem p "
                                f"WHERE p.withdrawn = {f}{where} GROUP BY 1, 2"), params):
        out["dept"][(d, st)] = n
    for d, n in sql_rows(ph(f"SELECT p.department_id, COUNT(*) FROM problem p WHERE p.withdrawn = {f} "
                            f"AND p.deadline < ? AND p.status IN ('pending', 'in_progress'){where} "
                            f"GROUP BY 1"), (TODAY.isoformat(),) + params):
        out["overdue"][d] = n
    for s, n in sql_rows(ph(f"SELECT p.source, COUNT(*) FROM problem p WHERE p.withdrawn = {f}{where} "
                            f"GROUP BY 1"), params):
        out["source"][s] = n
    for s, n in sql_rows(ph(f"SELECT p.self_reported = {t}, COUNT(*) FROM problem p WHERE p.withdrawn = {f}"
                            f"{where} GROUP BY 1"), params):
        out["self"][bool(s)] = n
    for c, n in sql_rows(ph(f"SELECT i.category_id, COUNT(*) FROM problem p JOIN item i ON i.id = p.item_id "
                            f"WHERE p.withdrawn = {f}{where} GROUP BY 1"), params):
        out["cat"][c] = n
    for a, n in sql_rows(ph(f"SELECT p.aspect_id, COUNT(*) FROM problem p WHERE p.withdrawn = {f}{where} "
                            f"GROUP BY 1"), params):
        out["aspect"][a] = n
    return out


def check(stats, exp):
    for d in stats["departments"]:
        for st in ("pending", "in_progress", "rectified", "closed"):
            assert d[st] == exp["dept"].get((d["id"], st), 0), (d["name"], st)
        assert d["overdue"] == exp["overdue"].get(d["id"], 0), d["name"]
        assert d["total"] == sum(n for (dd, _s), n in exp["dept"].items() if dd == d["id"])
    assert {s: n for s, n in stats["by_source"].items() if n} == exp["source"]
    assert stats["self_split"] == {"self": exp["self"].get(True, 0), "others": exp["self"].get(False, 0)}
    assert {c["id"]: c["n"] for c in stats["by_category"] if c["n"]} == exp["cat"]
    assert {a["id"]: a["n"] for a in stats["by_aspect"] if a["n"]} == exp["aspect"]
    assert stats["total"]["total"] == sum(exp["dept"].values())
    assert stats["total"]["overdue"] == sum(exp["overdue"].values())


def test_numbers_equal_sql_for_the_office(world, client, auth):
    exp = expected()
    assert sum(exp["overdue"].values()) > 0 and len(exp["source"]) >= 4
    stats = service.counts(world["discipline"], cached=False)["problems"]
    check(stats, exp)
    # the page shows the same numbers in its tables
    auth.login(world["discipline"])
    html = client.get("/dashboard/").get_data(as_text=True)
    for d in stats["departments"]:
        m = re.search(rf'<tr data-dept="{d["id"]}">(.*?)</tr>', html, re.S)
        nums = [int(x) for x in re.findall(r">(\d+)</a>", m.group(1))]
        assert nums == [d["pending"], d["in_progress"], d["rectified"], d["closed"], d["total"], d["overdue"]]
    assert f'<b id="n-total">{stats["total"]["total"]}</b>' in html
    assert f'<b id="n-overdue">{stats["total"]["overdue"]}</b>' in html


def test_rectification_rate(world):
    stats = service.counts(world["chief"], cached=False)["problems"]
    for d in stats["departments"]:
        done = d["rectified"] + d["closed"]
        assert d["rate"] == (round(100.0 * done / d["total"], 1) if d["total"] else None)


def test_leader_sees_only_departments_in_charge(world, client, auth):
    leader = world["leader"]
    mine = sorted(d.id for d in world["departments"][:2])
    stats = service.counts(leader, cached=False)["problems"]
    assert [d["id"] for d in stats["departments"]] == mine
    check(stats, expected(mine))
    auth.login(leader)
    html = client.get("/dashboard/").get_data(as_text=True)
    assert "资产管理科" not in html and "后勤服务中心" not in html
    assert "综合科" in html and "财务科" in html


@pytest.mark.parametrize("who", ["staff", "head"])
def test_staff_and_heads_are_refused(world, client, auth, who):
    user = world["staff"][0] if who == "staff" else world["head"]
    auth.login(user)
    r = client.get("/dashboard/")
    assert r.status_code == 403
    assert "工作看板" not in client.get("/").get_data(as_text=True)


def test_leader_without_charges_sees_nothing(ctx, client, auth, world):
    lonely = make_user("lonely", world["departments"][3], roles=("leader", "staff"))
    stats = service.counts(lonely, cached=False)["problems"]
    assert stats["departments"] == [] and stats["total"]["total"] == 0
    auth.login(lonely)
    assert client.get("/dashboard/").status_code == 200


LINK = re.compile(r'<a href="([^"]+)" class="bar-link" aria-label="([^"]+)：(\d+)')


def count_for_link(href):
    """Apply the ledger's filter parameters by hand and count."""
    url = urlparse(unescape(href))
    assert url.path == "/ledger/"
    q = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert set(q) <= {"dept", "cat", "source", "severity", "status", "overdue", "aspect", "action",
                      "action_month", "self_reported"}
    cond = (Problem.withdrawn == False)  # noqa: E712
    if "aspect" in q:
        cond &= Problem.aspect.is_null() if q["aspect"] == "none" else Problem.aspect == int(q["aspect"])
    if "self_reported" in q:
        assert q["self_reported"] in ("0", "1")
        cond &= Problem.self_reported == (q["self_reported"] == "1")
    if "action" in q or "action_month" in q:
        acts = ProblemAction.select(ProblemAction.problem)
        if "action" in q:
            acts = acts.where(ProblemAction.kind == q["action"])
        if "action_month" in q:
            first = dt.date.fromisoformat(q["action_month"] + "-01")
            last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            acts = acts.where(ProblemAction.date.between(first, last))
        cond &= Problem.id.in_(acts)
    if "dept" in q:
        cond &= Problem.department == int(q["dept"])
    if "status" in q:
        cond &= Problem.status == q["status"]
    if "source" in q:
        cond &= Problem.source == q["source"]
    if "overdue" in q:
        assert q["overdue"] == "1"
        cond &= Problem.overdue_expr(TODAY)
    if "cat" in q:
        from portal.models import Item
        assert q["cat"].startswith("c")
        cond &= Problem.item.in_(Item.select(Item.id).where(Item.category == int(q["cat"][1:])))
    return Problem.select().where(cond).count()


def test_bar_links_carry_the_right_filters(world, client, auth):
    auth.login(world["discipline"])
    html = client.get("/dashboard/").get_data(as_text=True)
    links = [x for x in LINK.findall(html) if not x[0].startswith("/selfcheck/")]
    assert len(links) > 20
    kinds = set()
    for href, label, value in links:
        assert count_for_link(href) == int(value), (href, label)
        kinds |= set(parse_qs(urlparse(unescape(href)).query))
    assert {"dept", "status", "overdue", "cat", "source", "aspect", "self_reported"} <= kinds
    # the svg has no inline style and no script
    assert "style=" not in html and "<script>" not in html


def _one_action_per_problem_kind_month(world):
    """Actions on distinct problems (a bar counts actions, the ledger problems: one each keeps them
    equal), some on withdrawn problems (counted by neither)."""
    office = world["discipline"]
    dates = [TODAY, TODAY - dt.timedelta(days=3), TODAY - dt.timedelta(days=40), TODAY - dt.timedelta(days=75)]
    for i, p in enumerate(world["problems"][:40]):
        ProblemAction.create(problem=p, kind=("circular", "reminder", "talk")[i % 3], date=dates[i % 4], by=office)


@pytest.mark.parametrize("who", ["discipline", "leader"])
def test_every_ledger_bar_link_shows_its_count_as_the_ledger_total(world, client, auth, who):
    _one_action_per_problem_kind_month(world)
    auth.login(world[who])
    html = client.get("/dashboard/").get_data(as_text=True)
    links = [(unescape(h), lbl, int(v)) for h, lbl, v in LINK.findall(html) if h.startswith("/ledger/")]
    seen = set()
    for href, label, value in links:
        seen |= set(parse_qs(urlparse(href).query))
        page = client.get(href).get_data(as_text=True)
        m = re.search(r"<b data-total>(\d+)</b>", page)
        assert m and int(m.group(1)) == value, (href, label, value)
        assert "已忽略" not in page, href
    assert {"aspect", "self_reported", "action", "action_month"} <= seen
    # the aspect chart links 未标注 too, and both 自查/被查 bars are links
    assert "aspect=none" in html
    assert "self_reported=1" in html and "self_reported=0" in html


def test_counts_follow_writes_through_the_cache(world, travel):
    office = world["discipline"]
    travel(dt.datetime.combine(TODAY, dt.time(10, 0)))  # the seed's writes are now an hour old
    first = service.problem_stats(office)
    assert service.problem_stats(office) is first  # served from the cache
    dept = world["departments"][2]
    make_problem(person=world["staff"][2], department=dept, source="inspection", status="pending",
                 deadline=TODAY - dt.timedelta(days=1))
    second = service.problem_stats(office)
    assert second["total"]["total"] == first["total"]["total"] + 1
    assert second["total"]["overdue"] == first["total"]["overdue"] + 1
    # a status change of an existing problem (no new id) is seen too
    travel(dt.datetime.combine(TODAY, dt.time(11, 0)))
    service.problem_stats(office)
    p = Problem.select().where((Problem.status == "pending") & (Problem.withdrawn == False)).first()  # noqa: E712
    problems.transition(p.id, "in_progress", office, p.version)
    third = service.problem_stats(office)
    assert third["total"]["pending"] == second["total"]["pending"] - 1
    check(third, expected())
    # an action taken is seen at once
    before = sum(service.counts(office)["actions"]["total"].values())
    ProblemAction.create(problem=p, kind="talk", date=TODAY, by=office)
    assert sum(service.counts(office)["actions"]["total"].values()) == before + 1
    # a new day changes what is overdue without any write
    travel(dt.datetime.combine(TODAY + dt.timedelta(days=10), dt.time(9, 0)))
    later = service.problem_stats(office)
    assert later["total"]["overdue"] >= third["total"]["overdue"]


def test_actions_per_month_equal_sql(world):
    office = world["discipline"]
    ps = world["problems"]
    dates = [TODAY, TODAY - dt.timedelta(days=3), TODAY - dt.timedelta(days=40), TODAY - dt.timedelta(days=75)]
    for i, p in enumerate(ps[:24]):
        ProblemAction.create(problem=p, kind=("circular", "reminder", "talk")[i % 3], date=dates[i % 4], by=office)
    data = service.counts(office, cached=False)["actions"]
    got = {(m["month"], k): m[k] for m in data["months"] for k in ("circular", "reminder", "talk") if m[k]}
    exp = {}
    for a in ProblemAction.select().join(Problem).where(Problem.withdrawn == False):  # noqa: E712
        key = (a.date.replace(day=1), a.kind)
        exp[key] = exp.get(key, 0) + 1
    assert got == exp
    # a leader counts only the actions on problems of the departments in charge
    mine = {d.id for d in world["departments"][:2]}
    lead = service.counts(world["leader"], cached=False)["actions"]
    n = sum(1 for a in ProblemAction.select().join(Problem) if a.problem.department_id in mine
            and not a.problem.withdrawn)
    assert sum(lead["total"].values()) == n


def test_home_panel_for_office_not_for_staff(world, client, auth):
    auth.login(world["discipline"])
    html = client.get("/").get_data(as_text=True)
    assert "整顿工作关键数据" in html
    total = service.counts(world["discipline"], cached=False)["problems"]["total"]["total"]
    assert f"<b>{total}</b>问题总数" in html
    auth.logout()
    auth.login(world["staff"][1])
    assert "整顿工作关键数据" not in client.get("/").get_data(as_text=True)


def test_page_html_follows_writes(world, client, auth, travel):
    travel(dt.datetime.combine(TODAY, dt.time(10, 0)))
    auth.login(world["discipline"])
    total = service.counts(world["discipline"], cached=False)["problems"]["total"]["total"]
    for _ in range(2):  # the second answer comes from the cache
        assert f'<b id="n-total">{total}</b>' in client.get("/dashboard/").get_data(as_text=True)
    make_problem(person=world["staff"][0], department=world["staff"][0].department, source="tip")
    assert f'<b id="n-total">{total + 1}</b>' in client.get("/dashboard/").get_data(as_text=True)
    # a leader's page is a different entry: other departments never leak into it
    auth.logout()
    auth.login(world["leader"])
    html = client.get("/dashboard/").get_data(as_text=True)
    assert "资产管理科" not in html
