"""Keyset paging of the ledger (issue 16 §1, portal/ledger/keyset.py): 下一页/上一页 carry the position of the
page's last/first row, give the same pages as page numbers for every sort, never show a row twice when rows
are added meanwhile, and a forged position falls back to the page number with a Chinese message, never a 500."""
import datetime as dt
import html as htmllib
import re

import pytest

from portal.ledger import queries
from portal.ledger.forms import parse_filters
from tests.factories import make_problem
from tests.querycount import counting

from .test_cold_page import _ten_more

SORTS = ["seq", "source", "deadline", "department", "person", "severity", "status", "category", "updated"]


def _shown(html):
    return [int(x) for x in re.findall(r'<tr id="row-(\d+)"', html)]


def _link(html, label):
    m = re.search(r'<a href="([^"]+)" hx-get="[^"]+" hx-target="#ledger-results" hx-push-url="true">%s</a>'
                  % label, html)
    return htmllib.unescape(m.group(1)) if m else None


@pytest.mark.parametrize("sort", SORTS)
def test_next_and_previous_links_give_the_numbered_pages(client, auth, org, app, sort):
    _ten_more(org)
    make_problem(None, department=org.c, description="无责任人无时限", deadline=None)
    app.config["PAGE_SIZE"] = 3
    auth.login(org.office)
    for desc in ("", "desc"):
        with app.test_request_context():
            everything = [p.id for p in queries.filtered(org.office, parse_filters({"sort": sort, "dir": desc}))]
        assert len(everything) == 15
        url, page, trail = f"/ledger/?sort={sort}&dir={desc}", 1, []
        while url:
            html = client.get(url).get_data(as_text=True)
            assert _shown(html) == everything[(page - 1) * 3:page * 3], (desc, page, url)
            assert f"第 {page} / 5 页" in html
            trail.append(url)
            url = _link(html, "下一页")
            if url:
                page += 1
                assert "after=" in url and "page=%d" % page in url
        assert page == 5
        # and back again through 上一页 (page 2 -> 1 is the plain first page)
        html = client.get(trail[-1]).get_data(as_text=True)
        while (url := _link(html, "上一页")):
            page -= 1
            assert ("before=" in url) == (page > 1)
            html = client.get(url).get_data(as_text=True)
            assert _shown(html) == everything[(page - 1) * 3:page * 3], (desc, page, url)
        assert page == 1


def test_rows_added_meanwhile_are_not_shown_twice(client, auth, org, app):
    """Newest first: two problems registered while page 1 is on screen. 下一页 continues after the last row
    shown; the page number alone (OFFSET) would repeat the rows pushed down."""
    _ten_more(org)
    app.config["PAGE_SIZE"] = 4
    auth.login(org.office)
    first = client.get("/ledger/?dir=desc").get_data(as_text=True)
    page1 = _shown(first)
    for i in range(2):
        make_problem(org.staff_a, description=f"翻页期间新登记{i}")
    page2 = _shown(client.get(_link(first, "下一页")).get_data(as_text=True))
    assert not set(page1) & set(page2)
    assert page2 == sorted([i for i in _all_ids(app, org) if i < min(page1)], reverse=True)[:4]
    by_number = _shown(client.get("/ledger/?dir=desc&page=2").get_data(as_text=True))
    assert set(page1) & set(by_number)  # what keyset paging avoids


def _all_ids(app, org):
    with app.test_request_context():
        return [p.id for p in queries.filtered(org.office, parse_filters({}))]


FORGED = ["abc", "[1,2,3]", '{"a":1}', "[null]", "-5", "0", "1e999", "[true]", "x" * 500, '["2026-13-45",3]',
          "[99999999999]", '"\\ud800"', "[]", "[1.5]"]


@pytest.mark.parametrize("sort", ["seq", "deadline", "department", "person", "updated"])
def test_a_forged_position_falls_back_to_the_page_number(client, auth, org, app, sort):
    _ten_more(org)
    app.config["PAGE_SIZE"] = 3
    auth.login(org.office)
    with app.test_request_context():
        everything = [p.id for p in queries.filtered(org.office, parse_filters({"sort": sort}))]
    by_number = _shown(client.get(f"/ledger/?sort={sort}&page=2").get_data(as_text=True))
    for raw, name in [(raw, name) for raw in FORGED for name in ("after", "before")]:
        r = client.get("/ledger/", query_string={"sort": sort, "page": "2", name: raw})
        assert r.status_code == 200
        html = r.get_data(as_text=True)
        shown = _shown(html)
        if "翻页位置参数无效" in html:
            assert shown == by_number
        else:  # well-formed for this sort (e.g. [1,2,3] under 责任单位): a run of the ordered rows
            assert shown and everything[everything.index(shown[0]):][:len(shown)] == shown, (raw, shown)


def test_a_position_past_the_end_shows_the_numbered_page(client, auth, org, app):
    _ten_more(org)
    app.config["PAGE_SIZE"] = 3
    auth.login(org.office)
    by_number = _shown(client.get("/ledger/?page=3").get_data(as_text=True))
    html = client.get("/ledger/?page=3&after=2000000000").get_data(as_text=True)
    assert _shown(html) == by_number
    html = client.get('/ledger/?page=3&sort=deadline&after=["2026-07-02",1]').get_data(as_text=True)
    assert len(_shown(html)) == 3


def test_a_keyset_page_is_still_four_queries(app, org):
    from portal import campaign_settings
    from portal.permissions import visible_departments
    _ten_more(org)
    _ = org.office.roles, visible_departments(org.office)  # loaded once per request (the cache key reads them)
    with app.test_request_context():
        app.config["PAGE_SIZE"] = 4
        campaign_settings.current()
        for args in ({"after": str(org.pa2.id), "page": "2"}, {"sort": "deadline", "before": '["2026-07-05",%d]'
                                                                % org.pa1.id, "page": "2"}):
            with counting() as seen:
                pg = queries.page_of(org.office, parse_filters(args))
            assert len(seen) <= 4 and pg.rows, (args, seen)


def test_links_that_change_the_list_drop_the_position(client, auth, org, app):
    _ten_more(org)
    app.config["PAGE_SIZE"] = 3
    auth.login(org.office)
    html = client.get(f"/ledger/?page=2&after={org.pb1.id}").get_data(as_text=True)
    sort_links = re.findall(r'href="(/ledger/\?[^"]*sort=[^"]*)"', html)
    assert sort_links and not any("after=" in h or "before=" in h for h in sort_links)
    assert "after=" not in _link(html, "首页") and "after=" not in _link(html, "末页")


def test_a_deadline_key_reads_dates(app, org):
    from portal.ledger import keyset
    f = parse_filters({"sort": "deadline"})
    assert keyset.parse_key('["2026-07-01",5]', f) == [dt.date(2026, 7, 1), 5]
    assert keyset.parse_key("[null,5]", f) == [None, 5]
    assert keyset.parse_key('["2026-07-01"]', f) is None
    assert keyset.parse_key("5", parse_filters({})) == [5]
