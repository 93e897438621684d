"""Self-check progress and clue numbers on the dashboard equal plain SQL; scope and escalation rules."""
import datetime as dt

import pytest

from portal.dashboard import service
from portal.extensions import db
from tests.factories import make_user

from .seed import TODAY, seed

from portal.models import selfcheck, tip


@pytest.fixture
def world(ctx, travel):
    travel(dt.datetime.combine(TODAY, dt.time(9, 0)))
    return seed(n=10)


def _pg():
    from portal.db import is_postgres
    return is_postgres()


def test_selfcheck_progress_equals_sql(world, client, auth):
    c = world["campaign"]
    people = world["staff"] + [world["head"], world["leader"]]
    statuses = ["draft", "submitted", "returned", "approved", "approved", "submitted", "draft", "returned"]
    for u, st in zip(people, statuses):
        selfcheck.SelfCheck.create(user=u, campaign=c, status=st, perfunctory_count=1 if st == "returned" else 0)
    inactive = make_user("gone", world["departments"][2], roles=("staff",))
    inactive.is_active_flag = False
    inactive.save()
    data = service.counts(world["discipline"], cached=False)["selfcheck"]
    t = "TRUE" if _pg() else "1"
    rows = db.execute_sql(
        "SELECT u.department_id, COALESCE(s.status, 'not_started'), COUNT(*), "
        "SUM(CASE WHEN s.perfunctory_count > 0 THEN 1 ELSE 0 END) "
        "FROM \"user\" u LEFT JOIN self_check s ON s.user_id = u.id AND s.campaign_id = %s "
        f"WHERE u.is_active = {t} AND EXISTS (SELECT 1 FROM role_assignment r WHERE r.user_id = u.id "
        "AND r.role NOT IN ('sysadmin', 'secadmin', 'auditor')) GROUP BY 1, 2".replace(
            "%s", "%s" if _pg() else "?"), (c.id,)).fetchall()
    exp = {(d, st): n for d, st, n, _p in rows}
    got = {(d["id"], k): d[k] for d in data["departments"]
           for k in ("not_started", "draft", "submitted", "returned", "approved") if d[k]}
    assert got == exp
    assert data["total"]["perfunctory"] == sum(int(p or 0) for *_x, p in rows) == 2
    assert data["total"]["people"] == sum(exp.values())
    # the leader sees the two departments in charge only
    lead = service.counts(world["leader"], cached=False)["selfcheck"]
    assert {d["id"] for d in lead["departments"]} <= {d.id for d in world["departments"][:2]}
    # through the cache: a review (status + stamp) is seen at once
    from portal import clock
    clock.travel(dt.datetime.combine(TODAY, dt.time(12, 0)))
    cached = service.counts(world["discipline"])["selfcheck"]["total"]
    assert service.bundle(world["discipline"])["selfcheck"]["total"] is cached
    sc = selfcheck.SelfCheck.get(selfcheck.SelfCheck.status == "submitted")
    selfcheck.SelfCheck.update(status="approved", updated_at=clock.now()).where(
        selfcheck.SelfCheck.id == sc.id).execute()
    after = service.counts(world["discipline"])["selfcheck"]["total"]
    assert (after["approved"], after["submitted"]) == (cached["approved"] + 1, cached["submitted"] - 1)
    auth.login(world["discipline"])
    html = client.get("/dashboard/").get_data(as_text=True)
    assert "个人自查进度（按部门）" in html and "数据源暂未接入" not in html.split("问题线索")[0]


def test_clue_numbers_equal_sql_and_hide_escalated(world):
    d = world["departments"]
    combos = [("pending", "online", d[0], False), ("accepted", "phone", d[1], False),
              ("assigned", "letter", d[2], False), ("concluded", "online", d[3], False),
              ("verifying", "email", d[0], False), ("pending", "visit", d[1], True)]
    for i, (st, ch, dept, esc) in enumerate(combos, 1):
        t = tip.Tip.create(channel=ch, sealed="{}", received_on=TODAY)
        tip.Clue.create(number=f"XS-2026-{i:04d}", year=2026, seq=i, tip=t, channel=ch, status=st,
                        subject_department=dept, escalated=esc)
    # a clue about the chief's own person is not counted for the chief
    t = tip.Tip.create(channel="online", sealed="{}", received_on=TODAY)
    tip.Clue.create(number="XS-2026-0099", year=2026, seq=99, tip=t, channel="online", status="pending",
                    subject_user=world["chief"], subject_department=d[0])
    office = service.counts(world["discipline"], cached=False)["clues"]
    f = "FALSE" if _pg() else "0"
    exp = dict(db.execute_sql(f"SELECT status, COUNT(*) FROM clue WHERE escalated = {f} GROUP BY 1").fetchall())
    assert {r["key"]: r["n"] for r in office["by_status"] if r["n"]} == exp
    chief = service.counts(world["chief"], cached=False)["clues"]
    assert chief["total"] == office["total"] - 1
    lead = service.counts(world["leader"], cached=False)["clues"]
    # clues about d[0] and d[1] (3 + 1), never the escalated one
    assert lead["total"] == 4
    assert {r["key"]: r["n"] for r in lead["by_channel"] if r["n"]} == {"online": 2, "phone": 1, "email": 1}


def test_selfcheck_bars_link_to_the_department_overview(world, client, auth):
    import re
    from html import unescape
    c = world["campaign"]
    for u, st in zip(world["staff"], ["draft", "submitted", "approved", "returned"]):
        selfcheck.SelfCheck.create(user=u, campaign=c, status=st)
    auth.login(world["discipline"])
    html = client.get("/dashboard/").get_data(as_text=True)
    section = html.split('id="h-selfcheck"', 1)[1].split("</section>", 1)[0]
    hrefs = {unescape(h) for h in re.findall(r'<a href="(/selfcheck/department\?dept=\d+)"', section)}
    data = service.counts(world["discipline"], cached=False)["selfcheck"]
    assert hrefs == {f"/selfcheck/department?dept={d['id']}" for d in data["departments"]}
    for d in data["departments"]:
        r = client.get(f"/selfcheck/department?dept={d['id']}")
        assert r.status_code == 200 and d["name"] in r.get_data(as_text=True)
