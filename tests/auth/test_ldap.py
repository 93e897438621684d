"""Sign-in with the bureau's directory against a real slapd (tests/ldap_server.py): matched by username or
employee number, the department taken on first sign-in, the administrators always local, the same lockout
and audit as local passwords, a clear answer when the directory is down."""
import json

from portal.models import AuditRecord, Department, RoleAssignment, User
from tests.factories import PASSWORD, make_user
from tests.ldap_server import DEMO_PEOPLE

DIR_PW = {uid: pw for uid, _, _, _, pw in DEMO_PEOPLE}


def _msg(resp) -> str:
    html = resp.get_data(as_text=True)
    return html.split("data-error-message>", 1)[1].split("<", 1)[0] if "data-error-message>" in html else html


def _login(app, username, password):
    return app.test_client().post("/login", data={"username": username, "password": password})


def test_directory_password_signs_in_and_the_local_one_no_longer_does(app, bureau, directory):
    r = _login(app, "staff_a", DIR_PW["staff_a"])
    assert r.status_code == 302
    rec = AuditRecord.select().where(AuditRecord.action == "login").order_by(AuditRecord.seq.desc()).get()
    assert rec.actor_id == bureau.staff_a.id and json.loads(rec.detail) == {"via": "directory"}
    r = _login(app, "staff_a", PASSWORD)  # the portal's own password of a directory user
    assert r.status_code == 401 and _msg(r) == "登录名或密码错误。"
    # a filter written into the name finds nobody
    for name in ("*", "staff_a)(uid=*", "staff_*"):
        r = _login(app, name, DIR_PW["staff_a"])
        assert r.status_code == 401 and _msg(r) == "登录名或密码错误。"


def test_administrators_always_sign_in_locally(app, bureau, directory):
    assert _login(app, "sysadmin", DIR_PW["sysadmin"]).status_code == 401  # its directory entry is not used
    assert _login(app, "sysadmin", PASSWORD).status_code == 302
    assert _login(app, "auditor", PASSWORD).status_code == 302
    # nor through an employee number that points at an administrator's account
    app.config.update(LDAP_MATCH="employee_no", LDAP_MATCH_ATTRIBUTE="employeeNumber")
    User.update(employee_no="S001").where(User.id == bureau.secadmin.id).execute()
    assert _login(app, "newcomer", DIR_PW["sysadmin"]).status_code == 401  # no such entry
    assert _login(app, "sysadmin", DIR_PW["sysadmin"]).status_code == 401  # local account, local password
    User.update(username="secadmin2").where(User.id == bureau.sysadmin.id).execute()
    r = _login(app, "sysadmin", DIR_PW["sysadmin"])  # the entry's number points at the secadmin's account
    assert r.status_code == 401
    assert AuditRecord.select().where(AuditRecord.detail.contains("admin_local_only")).count() == 1


def test_wrong_directory_passwords_lock_the_account_like_local_ones(app, bureau, directory, travel):
    import datetime as dt
    travel(dt.datetime(2026, 12, 3, 9, 0))
    for i in range(4):
        r = _login(app, "staff_b", f"Wrong-pass{i}")
        assert r.status_code == 401 and _msg(r) == "登录名或密码错误。"
    r = _login(app, "staff_b", "Wrong-pass9")
    assert r.status_code == 401 and "账号已锁定" in _msg(r)
    r = _login(app, "staff_b", DIR_PW["staff_b"])  # the right password while locked
    assert r.status_code == 401 and "账号已锁定" in _msg(r)
    fails = AuditRecord.select().where((AuditRecord.action == "login_failed")
                                       & (AuditRecord.object_id == str(bureau.staff_b.id)))
    assert fails.count() == 6
    assert AuditRecord.select().where(AuditRecord.action == "lockout").count() == 1
    travel(dt.datetime(2026, 12, 3, 9, 11))
    assert _login(app, "staff_b", DIR_PW["staff_b"]).status_code == 302
    blob = " ".join(r.detail for r in AuditRecord.select())
    assert "Wrong-pass" not in blob and DIR_PW["staff_b"] not in blob


def test_matched_by_employee_number(app, bureau, directory):
    app.config.update(LDAP_MATCH="employee_no", LDAP_MATCH_ATTRIBUTE="employeeNumber")
    person = make_user("liming2026", bureau.fin, real_name="李明", employee_no="F001")
    c = app.test_client()
    assert c.post("/login", data={"username": "staff_a", "password": DIR_PW["staff_a"]}).status_code == 302
    rec = AuditRecord.select().where(AuditRecord.action == "login").order_by(AuditRecord.seq.desc()).get()
    assert rec.actor_id == person.id


def test_department_from_the_directory_on_first_sign_in(app, bureau, directory):
    # without the department attribute, someone the portal does not know is told to ask for an account
    r = _login(app, "newbie", DIR_PW["newbie"])
    assert r.status_code == 403 and "门户中还没有您的账号" in _msg(r)
    assert not User.select().where(User.username == "newbie").exists()

    app.config.update(LDAP_DEPARTMENT_ATTRIBUTE="departmentNumber")
    r = _login(app, "newbie", DIR_PW["newbie"])
    assert r.status_code == 302
    u = User.get(User.username == "newbie")
    assert u.real_name == "赵新来" and u.department_id == bureau.asset.id
    assert [ra.role for ra in RoleAssignment.select().where(RoleAssignment.user == u.id)] == ["staff"]
    assert AuditRecord.select().where(AuditRecord.action == "ldap_account_open").count() == 1
    # a wrong password opens nothing; a department the portal does not have opens nothing
    assert _login(app, "nowhere", "Wrong-pass1").status_code == 401
    r = _login(app, "nowhere", DIR_PW["nowhere"])
    assert r.status_code == 403 and not User.select().where(User.username == "nowhere").exists()

    # an existing account that never signed in takes the directory's department, once
    User.update(department=bureau.fin.id).where(User.id == bureau.staff_b.id).execute()
    assert _login(app, "staff_b", DIR_PW["staff_b"]).status_code == 302
    assert User.get_by_id(bureau.staff_b.id).department_id == bureau.asset.id
    User.update(department=bureau.fin.id).where(User.id == bureau.staff_b.id).execute()
    assert _login(app, "staff_b", DIR_PW["staff_b"]).status_code == 302
    assert User.get_by_id(bureau.staff_b.id).department_id == bureau.fin.id  # later sign-ins leave it
    assert Department.select().count() == 4


def test_a_directory_that_is_down_gets_a_clear_answer(app, bureau, directory):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    app.config.update(LDAP_URL=f"ldap://127.0.0.1:{closed}", LDAP_TIMEOUT_SECONDS=2)
    r = _login(app, "staff_a", DIR_PW["staff_a"])
    assert r.status_code == 503 and "统一身份认证服务暂时无法连接" in _msg(r)
    assert User.get_by_id(bureau.staff_a.id).failed_logins == 0  # not counted against the person
    assert _login(app, "auditor", PASSWORD).status_code == 302  # the administrators still get in
    # a refused service account is the same for the user (and logged for the operator)
    app.config.update(LDAP_URL=directory.url, LDAP_BIND_PASSWORD="wrong")
    assert _login(app, "staff_a", DIR_PW["staff_a"]).status_code == 503


def test_directory_off_keeps_local_passwords(app, bureau):
    assert not app.config["LDAP_URL"]
    assert _login(app, "staff_a", PASSWORD).status_code == 302


def test_directory_users_change_their_password_in_the_directory(app, bureau, directory):
    User.update(must_change_password=True).where(User.id == bureau.staff_a.id).execute()
    c = app.test_client()
    assert c.post("/login", data={"username": "staff_a", "password": DIR_PW["staff_a"]}).status_code == 302
    assert not User.get_by_id(bureau.staff_a.id).must_change_password  # not sent to change a local password
    r = c.get("/password", follow_redirects=True)
    assert r.status_code == 200 and "由单位统一身份认证系统管理" in r.get_data(as_text=True)
    admin = app.test_client()
    assert admin.post("/login", data={"username": "auditor", "password": PASSWORD}).status_code == 302
    assert "当前密码" in admin.get("/password").get_data(as_text=True)  # administrators keep theirs


def test_the_security_administrator_sees_whether_the_directory_is_on(app, bureau, directory):
    c = app.test_client()
    assert c.post("/login", data={"username": "secadmin", "password": PASSWORD}).status_code == 302
    assert f"已启用（{directory.url}）" in c.get("/admin/security").get_data(as_text=True)
    app.config.update(LDAP_URL="")
    assert "未启用（使用门户本地密码）" in c.get("/admin/security").get_data(as_text=True)
