"""Filters, sorting, paging, counters, overdue at date boundaries, due-soon notices, bad input."""
import datetime as dt

import pytest

from portal.models import Problem
from tests.factories import make_problem

from .conftest import counter, row_ids


def test_filters_combine_and_are_bookmarkable(client, auth, org):
    auth.login(org.office)
    html = client.get("/ledger/?source=tip").get_data(as_text=True)
    assert row_ids(html) == {org.pb1.id}
    html = client.get(f"/ledger/?dept={org.a.id}&severity=serious").get_data(as_text=True)
    assert row_ids(html) == {org.pa2.id}
    html = client.get("/ledger/?q=公务 私用").get_data(as_text=True)
    assert row_ids(html) == {org.pb1.id}
    html = client.get("/ledger/?q=李明").get_data(as_text=True)  # by the person's name
    assert row_ids(html) == {org.pa1.id}
    html = client.get(f"/ledger/?q=%23{org.pc1.id}").get_data(as_text=True)  # by number
    assert org.pc1.id in row_ids(html)
    html = client.get("/ledger/?source=selfcheck").get_data(as_text=True)
    assert row_ids(html) == {org.pa1.id} and "自查" in html
    # the form shows the filter it came from
    assert 'value="selfcheck" selected' in html


def test_category_and_deadline_range(client, auth, org):
    from portal.models import Item
    item2 = Item.select().order_by(Item.seq).offset(5).first()
    other = make_problem(org.staff_b, description="另一类别", item=item2, deadline=dt.date(2026, 9, 1))
    auth.login(org.office)
    html = client.get(f"/ledger/?cat=c{item2.category_id}").get_data(as_text=True)
    assert row_ids(html) == {other.id}
    html = client.get(f"/ledger/?cat=i{item2.id}").get_data(as_text=True)
    assert row_ids(html) == {other.id}
    html = client.get("/ledger/?due_from=2026-08-01&due_to=2026-09-30").get_data(as_text=True)
    assert row_ids(html) == {other.id}
    html = client.get("/ledger/?due_from=2026-09-30&due_to=2026-08-01").get_data(as_text=True)
    assert row_ids(html) == {other.id} and "自动调换" in html


@pytest.mark.parametrize("qs", [
    "dept=abc", "dept=-1", "dept=99999999999999", "cat=zz", "cat=c", "source=<script>", "severity=x",
    "status=done", "due_from=2026-02-30", "due_to=yesterday", "sort=password", "dir=sideways",
    "page=abc", "page=-5", "page=99999999999999999999", "mech=abc", "q=" + "很" * 500, "q=%25%5F%27",
    "overdue=maybe", "dept=1&dept=2",
])
def test_bad_filter_values_never_500(client, auth, org, qs):
    auth.login(org.office)
    for url in (f"/ledger/?{qs}", f"/ledger/export.xlsx?{qs}", f"/ledger/counters?{qs}"):
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
    r = client.hx_get(f"/ledger/?{qs}")
    assert r.status_code == 200


def test_sorting_and_paging(client, auth, org, app):
    app.config["PAGE_SIZE"] = 2
    auth.login(org.office)
    html = client.get("/ledger/?sort=severity&dir=desc").get_data(as_text=True)
    assert 'aria-sort="descending"' in html
    first = html.index('id="row-')
    assert html[first:].startswith(f'id="row-{org.pc1.id}"')  # 普遍性 sorts last ascending, first descending
    html = client.get("/ledger/?page=2").get_data(as_text=True)
    assert row_ids(html) == {org.pb1.id, org.pc1.id} and "第 2 / 2 页" in html
    html = client.get("/ledger/?page=50").get_data(as_text=True)  # out of range -> last page
    assert row_ids(html) == {org.pb1.id, org.pc1.id} and "第 2 / 2 页" in html
    assert ">3</td>" in html.replace("\n", "").replace(" ", "") or "3<a" in html.replace(" ", "")


def test_counters_follow_the_filter_and_overdue_is_computed(client, auth, org, travel):
    travel(dt.date(2026, 6, 10))  # the deadline day itself: not overdue yet
    auth.login(org.office)
    html = client.get("/ledger/").get_data(as_text=True)
    assert counter(html, "pending") == 4 and counter(html, "overdue") == 0
    assert "今日到期" in html
    travel(dt.date(2026, 6, 11))  # one day after: overdue
    client.get("/")  # a day later the idle session has expired: log in again
    auth.login(org.office)
    html = client.get("/ledger/").get_data(as_text=True)
    assert counter(html, "overdue") == 4 and "逾期 1 天" in html
    html = client.get(f"/ledger/?dept={org.a.id}").get_data(as_text=True)
    assert counter(html, "overdue") == 2 and counter(html, "pending") == 2
    assert row_ids(client.get("/ledger/?overdue=1").get_data(as_text=True)) == {
        org.pa1.id, org.pa2.id, org.pb1.id, org.pc1.id}
    # a rectified entry is no longer overdue, whatever its deadline
    Problem.update(status="rectified").where(Problem.id == org.pa1.id).execute()
    html = client.get("/ledger/?overdue=1").get_data(as_text=True)
    assert org.pa1.id not in row_ids(html) and counter(html, "overdue") == 3
    # the status filter keeps every counter (the counters are the filter without its status)
    html = client.get("/ledger/?status=rectified").get_data(as_text=True)
    assert row_ids(html) == {org.pa1.id} and counter(html, "pending") == 3 and counter(html, "rectified") == 1
    # withdrawn entries leave the ledger
    Problem.update(withdrawn=True).where(Problem.id == org.pb1.id).execute()
    assert org.pb1.id not in row_ids(client.get("/ledger/").get_data(as_text=True))


def test_status_counts_and_filtered_api(ctx, org, travel):
    from portal.ledger.queries import filtered, scoped_problems, status_counts
    travel(dt.date(2026, 7, 1))
    c = status_counts(org.head_a, {})
    assert c == {"pending": 2, "in_progress": 0, "rectified": 0, "closed": 0, "overdue": 2, "total": 2}
    assert [p.id for p in filtered(org.leader, {"severity": "serious"})] == [org.pa2.id]
    assert scoped_problems(org.staff_b).count() == 1
    c = status_counts(org.office, {"q": "公文"})
    assert c["total"] == 1 and c["overdue"] == 1


def test_due_soon_home_panel(client, auth, org, travel, app):
    app.config["DUE_SOON_DAYS"] = 5
    travel(dt.date(2026, 6, 4))  # 6 days before: not yet
    auth.login(org.head_a)
    assert "整改事项提醒" not in client.get("/").get_data(as_text=True)
    travel(dt.date(2026, 6, 5))  # 5 days before: due soon
    client.get("/")
    auth.login(org.head_a)
    html = client.get("/").get_data(as_text=True)
    assert "整改事项提醒" in html and "2 项将在 5 天内到期" in html
    html = client.get("/ledger/?due_soon=1").get_data(as_text=True)
    assert row_ids(html) == {org.pa1.id, org.pa2.id} and "5 天后到期" in html
    travel(dt.date(2026, 6, 12))
    client.get("/")
    auth.login(org.head_a)
    html = client.get("/").get_data(as_text=True)
    assert "2 项整改已超过时限" in html
    auth.logout()
    auth.login(org.staff_b)  # staff see their own
    assert "1 项整改已超过时限" in client.get("/").get_data(as_text=True)


def test_history_is_complete_on_the_detail_page(client, auth, org):
    auth.login(org.head_a)
    client.hx_post(f"/ledger/{org.pa1.id}/status", data={"to": "in_progress", "version": "1", "note": "开始落实"})
    html = client.get(f"/ledger/{org.pa1.id}").get_data(as_text=True)
    assert "登记" in html and "待整改 → 整改中" in html and "开始落实" in html and "王立新" in html


def test_trigger_counters_stay_exact(ctx, org, travel):
    """The whole-ledger counters come from the trigger-maintained table: after inserts, transitions,
    department and deadline changes and withdrawals they equal a direct count."""
    from portal import problems
    from portal.ledger.queries import status_counts
    from portal.models import STATUSES

    def direct(today):
        live = Problem.select().where(Problem.withdrawn == False)  # noqa: E712
        out = {s: live.where(Problem.status == s).count() for s in STATUSES}
        out["overdue"] = live.where(Problem.overdue_expr(today)).count()
        out["total"] = live.count()
        return out

    travel(dt.date(2026, 6, 15))
    extra = make_problem(org.staff_b, description="无时限", deadline=None)
    problems.transition(org.pa1.id, "in_progress", org.head_a, 1)
    problems.update(org.pb1.id, org.office, 1, department=org.a.id, deadline=dt.date(2026, 9, 1))
    problems.update(org.pa2.id, org.office, 1, withdrawn=True)
    problems.update(extra.id, org.office, 1, deadline=dt.date(2026, 5, 1))
    got = status_counts(org.office, {})
    assert got == direct(dt.date(2026, 6, 15))
    assert got["overdue"] == 3 and got["in_progress"] == 1 and got["total"] == 4
    for args in ({"dept": str(org.a.id)}, {"overdue": "1"}, {"due_from": "2026-06-01", "due_to": "2026-06-30"},
                 {"due_soon": "1"}, {"status": "pending", "overdue": "1"}):
        fast = status_counts(org.office, args)
        from portal.ledger import queries
        from portal.ledger.forms import parse_filters
        f = parse_filters(args)  # the same filter counted on the problem table itself
        conds = queries._conditions(org.office, f, with_status=False)
        expect = {s: Problem.select().where(queries._where(conds + [Problem.status == s])).count()
                  for s in STATUSES}
        expect["overdue"] = Problem.select().where(queries._where(conds + [Problem.overdue_expr()])).count()
        expect["total"] = sum(expect[s] for s in STATUSES)
        assert fast == expect, args


def test_partial_swap_pushes_a_clean_url_and_refreshes_the_form_only_when_needed(client, auth, org):
    auth.login(org.office)
    r = client.hx_get("/ledger/?q=&dept=&source=tip&status=&page=", headers={"HX-Trigger": "ledger-filters"})
    html = r.get_data(as_text=True)
    assert r.headers["HX-Push-Url"] == "/ledger/?source=tip"
    assert 'id="ledger-counters"' in html and 'hx-swap-oob="true"' in html
    assert 'id="ledger-filters"' not in html  # the form the person is typing in stays untouched
    r = client.hx_get("/ledger/?status=pending")  # a counter or a header link: the form follows
    html = r.get_data(as_text=True)
    assert 'id="ledger-filters"' in html and 'value="pending" selected' in html
    assert "HX-Request" in r.headers["Vary"]
