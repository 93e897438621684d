"""The cold ledger page (issue 16 §1): four queries for a page's data, the forms' choices kept across Problem
writes, deep pages read from the nearer end giving the same rows as OFFSET, the rows rendered by one macro,
and no WeasyPrint in a web worker that has made no PDF."""
import datetime as dt
import os
import subprocess
import sys
import textwrap

import pytest

from portal import campaign_settings
from portal.ledger import queries
from portal.ledger.forms import parse_filters
from portal.models import Problem
from portal.permissions import visible_departments
from tests.factories import make_problem
from tests.querycount import counting

from .conftest import row_ids


def _ten_more(org):
    for i in range(10):
        make_problem(org.staff_a if i % 2 else org.staff_b, description=f"补充问题{i}",
                     deadline=None if i % 3 == 0 else dt.date(2026, 7, 1 + i), severity=("serious", "general")[i % 2])


def test_a_page_of_data_is_four_queries_whatever_the_page(app, ctx, org):
    _ten_more(org)
    for user in (org.office, org.head_a, org.leader):
        _ = user.roles, visible_departments(user)  # loaded once per request (the cache key reads them)
        for args in ({}, {"page": "2"}, {"page": "3", "sort": "deadline"}, {"status": "pending"},
                     {"q": "补充"}, {"sort": "person", "dir": "desc", "page": "2"}):
            with app.test_request_context():
                app.config["PAGE_SIZE"] = 4
                campaign_settings.current()  # the campaign's rules: read once per request, like the roles
                with counting() as seen:
                    pg = queries.page_of(user, parse_filters(args))
            assert len(seen) <= 4, (user.username, args, seen)
            assert pg.rows or pg.total == 0


def test_a_cold_page_after_a_write_reads_no_form_choices(client, auth, org):
    auth.login(org.office)
    first = client.get("/ledger/").get_data(as_text=True)
    Problem.update(remark="改过").where(Problem.id == org.pa1.id).execute()  # the page is now cold
    with counting() as seen:
        html = client.get("/ledger/").get_data(as_text=True)
    assert "改过" in html and row_ids(html) == row_ids(first)
    ledger_tables = ('"problem"', '"problem_action"', '"mechanism_problem"', '"ledger_count"')
    data = [s for s in seen if any(f"FROM {t}" in s for t in ledger_tables)]
    assert len(data) <= 4, data
    choices = [s for s in seen if any(f'FROM "{t}"' in s for t in ("item", "category", "aspect", "mechanism"))]
    assert choices == []
    # a change to what the forms offer is seen on the next page
    from portal.models import Department
    Department.update(name="财务审计科").where(Department.id == org.a.id).execute()
    assert "财务审计科" in client.get("/ledger/").get_data(as_text=True)


@pytest.mark.parametrize("sort", ["seq", "deadline", "department", "person", "severity", "status", "category"])
@pytest.mark.parametrize("desc", ["", "desc"])
def test_every_page_matches_offset_paging(client, auth, org, app, sort, desc):
    _ten_more(org)
    app.config["PAGE_SIZE"] = 3
    auth.login(org.office)
    f = parse_filters({"sort": sort, "dir": desc})
    with app.test_request_context():
        everything = [p.id for p in queries.filtered(org.office, f)]
    assert len(everything) == 14
    for page in range(1, 6):
        html = client.get(f"/ledger/?sort={sort}&dir={desc}&page={page}").get_data(as_text=True)
        shown = [int(x) for x in __import__("re").findall(r'<tr id="row-(\d+)"', html)]
        assert shown == everything[(page - 1) * 3:page * 3], (page, shown)


def test_the_row_action_answer_is_the_tables_row(client, auth, org):
    """The table's macro and a row action's answer (ledger/_row.html rendered alone) give the same row."""
    from portal.models.ledger import DeadlineExtension
    DeadlineExtension.create(problem=org.pc1.id, requested_by=org.staff_b.id, old_deadline=org.pc1.deadline,
                             new_deadline=dt.date(2026, 8, 1), reason="需要更多时间")
    auth.login(org.office)
    html = client.get("/ledger/").get_data(as_text=True)
    start = html.index(f'<tr id="row-{org.pc1.id}"')
    in_table = html[start:html.index("</tr>", start) + 5]
    seq = in_table.split('<td class="seq num">')[1].split("<")[0]
    alone = client.hx_get(f"/ledger/{org.pc1.id}/row?seq={seq}").get_data(as_text=True)
    assert "延期审批中" in in_table and "2026-08-01" in in_table
    # the links built from the page's base address are the routes' own
    from flask import url_for
    modes = __import__("re").findall(r'hx-get="/ledger/%d/row/(\w+)\?seq=' % org.pc1.id, in_table)
    assert modes
    with client.application.test_request_context():
        assert f'href="{url_for("ledger.detail", problem_id=org.pc1.id)}"' in in_table
        for mode in modes:
            assert f'hx-get="{url_for("ledger.row_form", problem_id=org.pc1.id, mode=mode, seq=int(seq))}"' in in_table
    assert " ".join(alone.split()) == " ".join(in_table.split())


def test_no_weasyprint_in_a_web_worker_until_a_pdf(tmp_path):
    """A fresh process: create_app and a ledger page leave WeasyPrint unloaded (it is imported where PDFs
    are made), which keeps a web worker's memory down."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {root!r})
        from tests.conftest import base_config
        from portal import create_app, db as portal_db
        from portal.extensions import db
        app = create_app(dict(WTF_CSRF_ENABLED=False, **base_config({("sqlite:///" + str(tmp_path / "w.sqlite3"))!r}, {str(tmp_path / "inst")!r})))
        assert "weasyprint" not in sys.modules, "create_app"
        with app.app_context():
            portal_db.upgrade()
            with db.connection_context():
                from tests.factories import make_bureau
                b = make_bureau()
                name = b["office"].username
        c = app.test_client()
        assert c.post("/login", data={{"username": name, "password": "{_password()}"}}).status_code == 302
        r = c.get("/ledger/")
        assert r.status_code == 200 and "整改台账" in r.get_data(as_text=True)
        assert "weasyprint" not in sys.modules, "ledger page"
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=root,
                         env={**os.environ, "DATABASE_URL": "", "TEST_DATABASE_URL": ""}, timeout=120)
    assert out.returncode == 0 and "ok" in out.stdout, out.stderr[-2000:]


def _password():
    from tests.factories import PASSWORD
    return PASSWORD


def test_a_cold_page_renders_again_only_the_rows_that_changed(client, auth, org, app):
    """Rendered rows are kept under everything they show (ledger/rows.py): after a write to one Problem the
    next page is cold, the other rows come from the cache, and the changed row shows its change."""
    from portal import cache
    _ten_more(org)
    auth.login(org.office)
    cache.clear("ledger_rows")
    first = client.get("/ledger/").get_data(as_text=True)
    assert cache.size("ledger_rows") == 14
    Problem.update(measures="只改这一条的措施", version=Problem.version + 1).where(Problem.id == org.pa2.id).execute()
    html = client.get("/ledger/").get_data(as_text=True)
    assert cache.size("ledger_rows") == 15 and "只改这一条的措施" in html
    assert row_ids(html) == row_ids(first)
    # the office and a head see different buttons: separate entries, never each other's
    auth.logout()
    auth.login(org.head_a)
    head = client.get("/ledger/").get_data(as_text=True)
    assert 'name="ids"' not in head and 'name="ids"' in first
