"""三员分立 that holds (issue 12 §1, issue 18 §1): the system administrator manages accounts and business
roles only; the security administrator grants and revokes roles, never on their own account or another
administrator's; every grant, revocation and refusal is audited."""
import io
import json

import pytest
from openpyxl import Workbook

from portal.models import AuditRecord, User
from tests.factories import make_user


def _form(dept, **over):
    data = {"username": "newbie", "real_name": "新人", "employee_no": "", "department": str(dept.id),
            "title": "", "phone": "", "email": "", "is_active": "y", "roles": ["staff"]}
    data.update(over)
    return data


def _refusals(action="role_refused"):
    return list(AuditRecord.select().where((AuditRecord.action == action) & (AuditRecord.outcome == "refused"))
                .order_by(AuditRecord.seq))


# --- the system administrator ---------------------------------------------------------------------

@pytest.mark.parametrize("role", ["auditor", "secadmin", "sysadmin"])
def test_sysadmin_cannot_create_an_administrator(client, sysadmin, office, role):
    r = client.hx_post("/admin/users/new", data=_form(office, roles=[role]))
    assert r.status_code == 422
    assert "三员分立" in r.get_data(as_text=True) and "安全管理员" in r.get_data(as_text=True)
    assert not User.select().where(User.username == "newbie").exists()
    refusal = _refusals()[-1]
    assert refusal.actor_id == sysadmin.id and role in refusal.detail


def test_sysadmin_cannot_grant_or_strip_administrator_roles(client, sysadmin, office):
    staff = make_user("plain", office, roles=())
    auditor = make_user("aud", office, roles=("auditor",), real_name="审计员")
    # grant: a person without roles made auditor
    r = client.hx_post(f"/admin/users/{staff.id}/edit", data=_form(office, username="plain", real_name="某人",
                                                                    roles=["auditor"]))
    assert r.status_code == 422 and "三员分立" in r.get_data(as_text=True)
    assert User.get_by_id(staff.id).roles == frozenset()
    # strip: the auditor's role taken away (or swapped for a business role)
    for roles in ([], ["staff"]):
        r = client.hx_post(f"/admin/users/{auditor.id}/edit",
                           data=_form(office, username="aud", real_name="审计员", roles=roles))
        assert r.status_code == 422 and "三员分立" in r.get_data(as_text=True)
    assert User.get_by_id(auditor.id).roles == {"auditor"}
    assert len(_refusals()) == 3
    # business roles stay the sysadmin's job
    r = client.hx_post(f"/admin/users/{staff.id}/edit", data=_form(office, username="plain", real_name="某人",
                                                                    roles=["staff", "dept_head"]))
    assert r.status_code == 200 and User.get_by_id(staff.id).roles == {"staff", "dept_head"}


def test_sysadmin_edits_an_administrators_details_without_touching_the_role(client, sysadmin, office):
    sec = make_user("sec", office, roles=("secadmin",), real_name="安全员")
    html = client.hx_get(f"/admin/users/{sec.id}/edit").get_data(as_text=True)
    # the administrator roles are shown but cannot be ticked; the held one travels in a hidden field
    assert '<input type="hidden" name="roles" value="secadmin">' in html
    assert 'disabled id="roles-' in html or "disabled" in html.split('value="secadmin"')[0].rsplit("<input", 1)[1]
    r = client.hx_post(f"/admin/users/{sec.id}/edit", data=_form(office, username="sec", real_name="安全员",
                                                                  title="高级工程师", roles=["secadmin"]))
    assert r.status_code == 200 and User.get_by_id(sec.id).title == "高级工程师"
    assert User.get_by_id(sec.id).roles == {"secadmin"}


def test_user_list_has_no_reset_or_disable_on_administrator_rows(client, sysadmin, office):
    aud = make_user("aud", office, roles=("auditor",))
    sec = make_user("sec", office, roles=("secadmin",))
    staff = make_user("worker", office, roles=("staff",))
    html = client.get("/admin/").get_data(as_text=True)

    def row(u):
        return html.split(f'<tr id="user-{u.id}"', 1)[1].split("</tr>", 1)[0]
    for admin in (aud, sec, sysadmin):
        assert ">重置密码<" not in row(admin) and ">停用<" not in row(admin) and "/disable" not in row(admin)
        assert "/reset-password" not in row(admin) and "管理员账号" in row(admin)
    assert ">重置密码<" in row(staff) and ">停用<" in row(staff)


def test_server_refuses_reset_and_disable_of_every_other_administrator(client, sysadmin, office):
    other_sys = make_user("sys2", office, roles=("sysadmin",))
    sec = make_user("sec", office, roles=("secadmin",))
    for target in (other_sys, sec):
        for path in ("reset-password", "disable"):
            r = client.hx_post(f"/admin/users/{target.id}/{path}")
            assert r.status_code == 409 and "三员分立" in r.get_data(as_text=True)
    r = client.hx_post(f"/admin/users/{sysadmin.id}/reset-password")  # nor their own, here
    assert r.status_code == 409 and "修改密码" in r.get_data(as_text=True)
    assert len(_refusals("admin_refused")) == 5
    assert User.get_by_id(sec.id).is_active and User.get_by_id(other_sys.id).is_active


def _roster(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["登录名", "姓名", "工号", "部门", "职务", "手机号", "邮箱", "角色"])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_roster_import_cannot_create_administrators(client, sysadmin, office):
    data = _roster([["mole", "内鬼", "", office.name, "", "", "", "审计管理员"]])
    r = client.hx_post("/admin/roster/import", data={"file": (io.BytesIO(data), "花名册.xlsx")},
                       content_type="multipart/form-data")
    assert r.status_code == 422 and "三员分立" in r.get_data(as_text=True)
    assert not User.select().where(User.username == "mole").exists()


# --- the security administrator -------------------------------------------------------------------

def test_secadmin_grants_and_revokes_roles(client, login_as, office):
    person = make_user("li", office, roles=("staff",), real_name="李四")
    sec = login_as("secadmin")
    html = client.get("/admin/roles").get_data(as_text=True)
    assert "李四" in html and "调整角色" in html
    r = client.hx_get(f"/admin/roles/{person.id}/edit")
    assert r.status_code == 200 and 'class="editing"' in r.get_data(as_text=True)
    r = client.hx_post(f"/admin/roles/{person.id}/edit", data={"roles": ["staff", "discipline"]})
    assert r.status_code == 200 and "机关党委（纪委）" in r.get_data(as_text=True)
    assert User.get_by_id(person.id).roles == {"staff", "discipline"}
    # an administrator role, too (the person gives up business roles)
    r = client.hx_post(f"/admin/roles/{person.id}/edit", data={"roles": ["auditor"]})
    assert r.status_code == 200 and User.get_by_id(person.id).roles == {"auditor"}
    trail = [(a.action, json.loads(a.detail)["role"]) for a in AuditRecord.select()
             .where(AuditRecord.action.in_(["role_grant", "role_revoke"]) & (AuditRecord.actor_id == sec.id))
             .order_by(AuditRecord.seq)]
    assert trail == [("role_grant", "discipline"), ("role_grant", "auditor"), ("role_revoke", "discipline"),
                     ("role_revoke", "staff")]
    # 三员分立 still holds for the role set itself
    other = make_user("wang", office, roles=("staff",))
    r = client.hx_post(f"/admin/roles/{other.id}/edit", data={"roles": ["staff", "secadmin"]})
    assert r.status_code == 422 and "业务角色" in r.get_data(as_text=True)


def test_secadmin_cannot_touch_own_or_another_administrators_roles(client, login_as, office):
    aud = make_user("aud", office, roles=("auditor",), real_name="审计员")
    sysad = make_user("sys1", office, roles=("sysadmin",), real_name="系统员")
    sec = login_as("secadmin")
    html = client.get("/admin/roles").get_data(as_text=True)
    for u, word in ((aud, "管理员账号"), (sysad, "管理员账号"), (sec, "本人账号")):
        row = html.split(f'<tr id="role-{u.id}"', 1)[1].split("</tr>", 1)[0]
        assert word in row and "调整角色" not in row and "重置双因素" not in row
        assert client.hx_get(f"/admin/roles/{u.id}/edit").status_code == 409
    # the server refuses what the page does not offer
    for u, roles in ((aud, []), (aud, ["staff"]), (sysad, ["auditor"]), (sec, ["secadmin", "auditor"]),
                     (sec, [])):
        r = client.hx_post(f"/admin/roles/{u.id}/edit", data={"roles": roles})
        assert r.status_code == 422 and "三员分立" in r.get_data(as_text=True), roles
    assert User.get_by_id(aud.id).roles == {"auditor"} and User.get_by_id(sysad.id).roles == {"sysadmin"}
    assert User.get_by_id(sec.id).roles == {"secadmin"}
    refusals = _refusals()
    assert len(refusals) == 5 and all(r.actor_id == sec.id for r in refusals)
    assert "不能授予或撤销自己账号的角色" in refusals[-1].detail


@pytest.mark.parametrize("role", ["sysadmin", "auditor", "discipline", "staff"])
def test_role_pages_are_the_secadmins(client, login_as, office, role):
    victim = make_user("victim", office, roles=("staff",))
    login_as(role)
    for path in ("/admin/roles", "/admin/sessions", "/admin/security/settings", f"/admin/roles/{victim.id}/edit"):
        assert client.get(path).status_code == 403, path
    for path in (f"/admin/roles/{victim.id}/edit", f"/admin/roles/{victim.id}/reset-2fa",
                 f"/admin/sessions/{victim.id}/end", "/admin/security/settings"):
        assert client.hx_post(path, data={"roles": ["chief"]}).status_code == 403, path
    assert User.get_by_id(victim.id).roles == {"staff"}


def test_secadmin_pages_work_without_javascript(client, login_as, office):
    person = make_user("li", office, roles=("staff",), real_name="李四")
    login_as("secadmin")
    for path in ("/admin/security", "/admin/roles", f"/admin/roles/{person.id}/edit", "/admin/sessions",
                 "/admin/security/settings",
                 "/admin/roles?q=李&page=99999999999999999999&department=99999999999999999999"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert "<html" in r.get_data(as_text=True) and "角色管理" in r.get_data(as_text=True), path
    r = client.post(f"/admin/roles/{person.id}/edit", data={"roles": ["staff", "inspector"]})
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/roles")
    assert User.get_by_id(person.id).roles == {"staff", "inspector"}
    home = client.get("/").get_data(as_text=True)
    assert "安全管理待办" in home and "/admin/roles" in home
