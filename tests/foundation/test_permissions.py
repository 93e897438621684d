"""Scopes as SQL for every role, the person/problem pages, 三员分立."""
import pytest

from portal.accounts import set_charges, set_roles
from portal.models import AuditRecord, Problem, RoleAssignment, User
from portal.permissions import (RoleConflict, can, check_role_set, scope_problems, scope_users,
                                visible_departments)
from tests.factories import make_department, make_problem, make_user


@pytest.fixture
def org(bureau):
    """The shared bureau plus a unit (丙中心) with one person; the leader is in charge of 资产管理科 and the unit;
    the system administrator and the auditor sit in 财务科."""
    a, b = bureau.fin, bureau.asset
    c = make_department("丙中心", kind="unit")
    set_charges(bureau.leader, [b.id, c.id])
    User.update(department=a).where(User.id.in_([bureau.sysadmin.id, bureau.auditor.id])).execute()
    people = {k: User.get_by_id(bureau[k].id) for k in (
        "staff_a", "staff_a2", "staff_b", "head_a", "leader", "chief", "sysadmin", "auditor")}
    people["discipline"] = bureau.office
    people["staff_c"] = make_user("staff_c", c)
    probs = {k: make_problem(person=people[k]) for k in ("staff_a", "staff_a2", "staff_b", "staff_c")}
    probs["leader"] = make_problem(person=people["leader"])
    return {"depts": (a, b, c), "people": people, "problems": probs}


def _visible(user):
    return {p.person.username for p in Problem.select().where(scope_problems(user))}


def test_problem_scope_per_role_in_sql(org):
    p = org["people"]
    assert _visible(p["staff_a"]) == {"staff_a"}
    assert _visible(p["head_a"]) == {"staff_a", "staff_a2"}
    assert _visible(p["leader"]) == {"staff_b", "staff_c", "leader"}
    everyone = {"staff_a", "staff_a2", "staff_b", "staff_c", "leader"}
    assert _visible(p["discipline"]) == everyone
    assert _visible(p["chief"]) == everyone
    assert _visible(p["sysadmin"]) == set()   # admins see no business data
    assert _visible(p["auditor"]) == set()


def test_visible_departments(org):
    a, b, c = org["depts"]
    p = org["people"]
    assert visible_departments(p["staff_a"]) == set()
    assert visible_departments(p["head_a"]) == {a.id}
    assert visible_departments(p["leader"]) == {b.id, c.id}
    assert visible_departments(p["discipline"]) is None


def test_user_scope(org):
    p = org["people"]
    names = lambda u: {x.username for x in User.select().where(scope_users(u))}  # noqa: E731
    assert names(p["staff_b"]) == {"staff_b"}
    assert names(p["head_a"]) >= {"staff_a", "staff_a2", "head_a", "sysadmin", "auditor"}
    assert "staff_b" not in names(p["head_a"])
    assert len(names(p["sysadmin"])) == User.select().count()


def test_head_gets_404_on_other_department_person_page(org, client, auth):
    p = org["people"]
    auth.login(p["head_a"])
    assert client.get(f"/people/{p['staff_a2'].id}").status_code == 200
    before = AuditRecord.select().where(AuditRecord.action == "access_denied").count()
    r = client.get(f"/people/{p['staff_b'].id}")
    assert r.status_code == 404
    assert AuditRecord.select().where(AuditRecord.action == "access_denied").count() == before + 1
    assert client.get("/people/999999").status_code == 404


def test_can_problem_view(org):
    p, pr = org["people"], org["problems"]
    assert can(p["head_a"], "problem.view", pr["staff_a2"])
    assert not can(p["head_a"], "problem.view", pr["staff_b"])
    assert can(p["leader"], "problem.view", pr["staff_c"])
    assert not can(p["staff_a"], "problem.view", pr["staff_a2"])
    assert can(p["discipline"], "problem.view", pr["staff_b"])


@pytest.mark.parametrize("roles", [
    {"sysadmin", "secadmin"}, {"sysadmin", "auditor"}, {"secadmin", "auditor"},
    {"sysadmin", "staff"}, {"auditor", "discipline"}, {"secadmin", "clerk"},
])
def test_three_admins_separated(roles):
    with pytest.raises(RoleConflict, match="三员分立"):
        check_role_set(roles)


def test_role_conflict_refused_and_audited(ctx):
    u = make_user(roles=("sysadmin",))
    with pytest.raises(RoleConflict):
        set_roles(u, {"sysadmin", "discipline"})
    assert {r.role for r in RoleAssignment.select().where(RoleAssignment.user == u)} == {"sysadmin"}
    assert AuditRecord.select().where(AuditRecord.action == "role_refused").count() == 1
    set_roles(u, {"secadmin"})
    assert User.get_by_id(u.id).roles == {"secadmin"}


def test_business_roles_combine(ctx):
    roles = {"staff", "dept_head", "leader", "discipline"}
    assert check_role_set(roles) is None  # no 三员分立 conflict among business roles
    u = make_user(roles=("staff",))
    set_roles(u, roles)
    assert User.get_by_id(u.id).roles == roles
    assert not AuditRecord.select().where(AuditRecord.action == "role_refused").exists()


@pytest.mark.parametrize("who, url", [
    ("staff_a", "/admin/"), ("office", "/admin/audit"), ("auditor", "/ledger/"), ("staff_a", "/clues/"),
    ("staff_a", "/selfcheck/department"), ("staff_a", "/documents/"), ("staff_a", "/documents/batch"),
    ("clerk", "/documents/seal"), ("staff_a", "/inspections/"), ("staff_a", "/dashboard/"),
    ("head_a", "/reports/"), ("leader", "/reports/departments"),
])
def test_a_denied_page_is_403_in_every_area_and_audited(bureau, client, auth, who, url):
    """One decorator for every area: a page the role may not open answers 403 and leaves an audit record
    naming the page and the permission it needs."""
    auth.login(bureau[who])
    before = AuditRecord.select().where(AuditRecord.action == "access_denied").count()
    assert client.get(url).status_code == 403
    rec = AuditRecord.select().where(AuditRecord.action == "access_denied").order_by(AuditRecord.id.desc()).first()
    assert AuditRecord.select().where(AuditRecord.action == "access_denied").count() == before + 1
    assert rec.object_id == url and rec.outcome == "denied" and '"need"' in rec.detail
    assert rec.actor_id == bureau[who].id


def test_anonymous_is_sent_to_login_before_any_rule(client):
    r = client.get("/dashboard/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
