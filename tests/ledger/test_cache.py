"""The per-worker results cache (portal/cache.py, as the ledger uses it): every write that changes what the list shows
bumps the trigger-maintained ledger version, so the next page shows it; viewers with different scopes
never share an entry; the viewer's own CSRF token is always the one in the page."""
import datetime as dt
import re

from portal import problems
from portal.extensions import db
from portal import cache
from portal.models import Department, Problem, RoleAssignment, User
from portal.models.ledger import (DeadlineExtension, LedgerVersion, Mechanism, MechanismProblem,
                                  ProblemAction, ProblemEvidence)
from tests.factories import make_user

from .conftest import counter, row_ids


def _page(client, qs="", hx=False):
    r = client.hx_get("/ledger/" + qs) if hx else client.get("/ledger/" + qs)
    assert r.status_code == 200
    return r.get_data(as_text=True)


def _no_token(html):
    # the signed CSRF token carries a timestamp: it may differ between two requests of one session
    return re.sub(r'(name="csrf_token" value|name="csrf-token" content)="[^"]+"', r'\1=""', html)


def _warm(client, qs=""):
    """Render twice: the second answer comes from the cache and equals the first."""
    first = _page(client, qs)
    assert _no_token(_page(client, qs)) == _no_token(first)
    return first


def _version():
    return LedgerVersion.get_by_id(1).v


def test_second_request_is_a_cache_hit(client, auth, org):
    auth.login(org.office)
    cache.clear("ledger")
    html = _warm(client)
    assert cache.size("ledger") == 1 and row_ids(html) == {org.pa1.id, org.pa2.id, org.pb1.id, org.pc1.id}
    _page(client, "?status=pending")
    assert cache.size("ledger") == 2


def test_problem_write_shows_at_once(client, auth, org):
    auth.login(org.office)
    _warm(client)
    p = Problem.get_by_id(org.pa2.id)
    problems.update(p.id, org.office, p.version, description="甲二：改写后的问题描述")
    assert "甲二：改写后的问题描述" in _page(client)
    problems.transition(p.id, "in_progress", org.office, p.version + 1)
    html = _page(client)
    assert counter(html, "in_progress") == 1 and counter(html, "pending") == 3
    # a write that bypasses the ORM is seen too: the triggers live in the database
    db.execute_sql('UPDATE "problem" SET "measures" = %s WHERE "id" = %s' % ("'直接写入的整改措施'", org.pb1.id))
    assert "直接写入的整改措施" in _page(client)


def test_new_and_withdrawn_problems_show(client, auth, org):
    from tests.factories import make_problem
    auth.login(org.office)
    _warm(client)
    p = make_problem(org.staff_b, description="乙二：新登记的问题")
    assert p.id in row_ids(_page(client))
    Problem.update(withdrawn=True).where(Problem.id == p.id).execute()  # history rows keep it from DELETE
    assert p.id not in row_ids(_page(client))


def test_action_shows(client, auth, org):
    auth.login(org.office)
    _warm(client)
    ProblemAction.create(problem=org.pb1.id, kind="talk", date=dt.date(2026, 6, 3), by=org.office.id)
    assert "约谈" in _page(client)


def test_mechanism_link_and_title_show(client, auth, org):
    auth.login(org.office)
    m = Mechanism.create(title="会议精简办法", date=dt.date(2026, 6, 1))
    _warm(client)
    MechanismProblem.create(mechanism=m.id, problem=org.pc1.id)
    assert "◆ 会议精简办法" in _page(client)
    Mechanism.update(title="会议文件精简办法").where(Mechanism.id == m.id).execute()
    assert "◆ 会议文件精简办法" in _page(client)
    MechanismProblem.delete().where(MechanismProblem.mechanism == m.id).execute()
    assert "◆ 会议文件精简办法" not in _page(client)


def test_extension_request_shows(client, auth, org):
    auth.login(org.office)
    _warm(client)
    DeadlineExtension.create(problem=org.pa1.id, requested_by=org.head_a.id, old_deadline=org.pa1.deadline,
                             new_deadline=dt.date(2026, 7, 1), reason="需要采购设备")
    html = _page(client)
    assert "延期审批中" in html and "审批延期" in html


def test_evidence_bumps_the_version(client, auth, org):
    auth.login(org.office)
    _warm(client)
    before = _version()
    ProblemEvidence.create(problem=org.pa1.id, filename="a.pdf", kind="pdf", key="k")
    assert _version() != before


def test_person_and_department_renames_show(client, auth, org):
    auth.login(org.office)
    _warm(client)
    User.update(real_name="李明明").where(User.id == org.staff_a.id).execute()
    assert "李明明" in _page(client)
    Department.update(name="财务审计科").where(Department.id == org.a.id).execute()
    assert "财务审计科" in _page(client)


def test_saving_a_user_without_a_shown_change_keeps_the_version(ctx, org):
    before = _version()
    User.update(real_name=org.staff_a.real_name).where(User.id == org.staff_a.id).execute()
    assert _version() == before


def test_new_head_appears_in_the_bulk_assignment_list(client, auth, org):
    auth.login(org.office)
    assert "孙丽" not in re.search(r'name="assignee".*?</select>', _warm(client), re.S).group(0)
    RoleAssignment.create(user=org.staff_b.id, role="dept_head")
    assert "孙丽" in re.search(r'name="assignee".*?</select>', _page(client), re.S).group(0)


def test_date_change_recomputes_overdue(client, auth, org, travel):
    travel(dt.date(2026, 6, 1))
    auth.login(org.office)
    assert counter(_warm(client), "overdue") == 0
    travel(dt.date(2026, 6, 11))
    auth.login(org.office)  # ten days idle: a new session
    assert counter(_page(client), "overdue") == 4


def test_scopes_never_share_an_entry(client, auth, org):
    auth.login(org.head_a)
    assert row_ids(_warm(client)) == {org.pa1.id, org.pa2.id}
    auth.logout()
    auth.login(org.head_b)
    assert row_ids(_warm(client)) == {org.pb1.id}
    auth.logout()
    auth.login(org.staff_a)
    assert row_ids(_warm(client)) == {org.pa1.id}
    auth.logout()
    auth.login(org.leader)
    assert row_ids(_page(client)) == {org.pa1.id, org.pa2.id}  # in charge of 财务科 (plus own rows: none)


def test_role_change_changes_the_scope(client, auth, org):
    auth.login(org.staff_a)
    assert row_ids(_warm(client)) == {org.pa1.id}
    RoleAssignment.create(user=org.staff_a.id, role="dept_head")
    assert row_ids(_page(client)) == {org.pa1.id, org.pa2.id}


def test_each_viewer_gets_their_own_csrf_token(client, auth, org, app):
    office2 = make_user("office2", org.d, roles=("discipline", "staff"), real_name="周正")
    tokens = []
    for who in (org.office, office2):
        auth.login(who)
        html = _warm(client)
        meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
        bulk = re.search(r'id="bulk-form".*?name="csrf_token" value="([^"]+)"', html, re.S).group(1)
        assert bulk == meta
        tokens.append(meta)
        auth.logout()
    assert tokens[0] != tokens[1]


def test_fragment_and_page_are_separate_entries(client, auth, org):
    auth.login(org.office)
    page = _warm(client, "?status=pending")
    frag = _page(client, "?status=pending", hx=True)
    assert "<html" in page and "<html" not in frag and 'hx-swap-oob="true"' in frag
    assert row_ids(frag) == row_ids(page)


def test_out_of_range_page_pushes_the_last_page_from_cache_too(client, auth, org, app):
    app.config["PAGE_SIZE"] = 2
    auth.login(org.office)
    for _ in range(2):
        r = client.hx_get("/ledger/?page=99")
        assert r.headers["HX-Push-Url"].endswith("page=2")
