"""Users: list with search/filters/pagination, create/edit with htmx partials, roles (三员分立),
分管 departments, disable/enable, password reset."""
import re

from portal.models import AuditRecord, LeaderCharge, User
from portal.passwords import verify_password
from tests.factories import PASSWORD, make_department, make_user


def _actions():
    return [r.action for r in AuditRecord.select().order_by(AuditRecord.seq)]


def _form(dept, **over):
    data = {"username": "liming", "real_name": "李明", "employee_no": "E1001", "department": str(dept.id),
            "title": "科员", "phone": "13812345678", "is_active": "y", "roles": ["staff"]}
    data.update(over)
    return data


def test_list_masks_phone_and_filters(client, sysadmin, office):
    fin = make_department("财务科")
    make_user("wang", fin, real_name="王芳", phone="13900001111", employee_no="E7")
    make_user("zhao", office, real_name="赵强", roles=("dept_head", "staff"))
    gone = make_user("old", fin, real_name="离职者")
    gone.is_active_flag = False
    gone.save()
    html = client.get("/admin/").get_data(as_text=True)
    assert "139****1111" in html and "13900001111" not in html
    html = client.hx_get("/admin/?q=王芳").get_data(as_text=True)
    assert "王芳" in html and "赵强" not in html and "<html" not in html
    assert "王芳" in client.hx_get("/admin/?q=E7").get_data(as_text=True)
    html = client.hx_get(f"/admin/?department={fin.id}").get_data(as_text=True)
    assert "王芳" in html and "离职者" in html and "赵强" not in html
    html = client.hx_get("/admin/?role=dept_head").get_data(as_text=True)
    assert "赵强" in html and "王芳" not in html
    html = client.hx_get("/admin/?active=0").get_data(as_text=True)
    assert "离职者" in html and "王芳" not in html
    assert "HX-Request" in client.hx_get("/admin/").headers["Vary"]


def test_users_without_roles_filter(client, sysadmin, office):
    make_user("norole", office, roles=(), real_name="无角色者")
    html = client.hx_get("/admin/?role=none").get_data(as_text=True)
    assert "无角色者" in html and "钱志远" not in html


def test_pagination(client, sysadmin, office, app):
    app.config["PAGE_SIZE"] = 5
    for i in range(11):
        make_user(f"p{i:02d}", office)
    html = client.get("/admin/").get_data(as_text=True)
    assert "共 12 条，第 1 / 3 页" in html
    html = client.hx_get("/admin/?page=3").get_data(as_text=True)
    assert "第 3 / 3 页" in html and html.count('<tr id="user-') == 2
    assert "第 3 / 3 页" in client.get("/admin/?page=99").get_data(as_text=True)


def test_create_user_shows_one_time_password(client, sysadmin, office):
    r = client.hx_get("/admin/users/new")
    assert r.status_code == 200 and "新建用户" in r.get_data(as_text=True)
    r = client.hx_post("/admin/users/new", data=_form(office))
    assert r.status_code == 200, r.get_data(as_text=True)
    assert "users-changed" in r.headers["HX-Trigger"]
    html = r.get_data(as_text=True)
    password = re.search(r'data-onetime>([^<]+)<', html).group(1)
    u = User.get(User.username == "liming")
    assert (u.real_name, u.employee_no, u.department_id, u.title, u.phone) == ("李明", "E1001", office.id, "科员",
                                                                               "13812345678")
    assert u.must_change_password and u.roles == {"staff"}
    assert verify_password(u.password_hash, password)
    assert "user_create" in _actions() and "role_grant" in _actions()


def test_create_user_validation_keeps_input(client, sysadmin, office):
    make_user("taken", office, employee_no="E1")
    r = client.hx_post("/admin/users/new", data=_form(office, username="taken", employee_no="E1",
                                                      phone="12345", real_name="保留我"))
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "登录名“taken”已被使用" in html and "工号“E1”已被使用" in html
    assert "11 位大陆手机号码" in html and 'value="保留我"' in html
    assert User.select().count() == 2


def test_create_user_role_conflict_is_refused(client, sysadmin, office):
    r = client.hx_post("/admin/users/new", data=_form(office, roles=["sysadmin", "auditor"]))
    assert r.status_code == 422
    assert "三员分立" in r.get_data(as_text=True)
    assert not User.select().where(User.username == "liming").exists()
    assert "role_refused" in _actions()


def test_edit_row_partial_and_save(client, sysadmin, office):
    fin = make_department("财务科")
    u = make_user("li", office, real_name="李四", phone="13700000000")
    r = client.hx_get(f"/admin/users/{u.id}/edit")
    html = r.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tr id="user-{u.id}" class="editing">')
    assert 'value="13700000000"' in html  # the editor shows the full number
    r = client.hx_post(f"/admin/users/{u.id}/edit", data=_form(fin, username="li", real_name="李四",
                                                               employee_no="", title="科长", phone="",
                                                               roles=["dept_head", "staff"]))
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tr id="user-{u.id}">') and "科长" in html and "科室（单位）负责人" in html
    u = User.get_by_id(u.id)
    assert (u.department_id, u.title, u.phone, u.employee_no) == (fin.id, "科长", "", None)
    assert u.roles == {"dept_head", "staff"}
    acts = _actions()
    assert "department_change" in acts and "user_update" in acts and "role_grant" in acts
    # the trail records that the phone changed, not the number
    upd = AuditRecord.get(AuditRecord.action == "user_update")
    assert "13700000000" not in upd.detail
    # cancel gives back the read-only row
    assert "editing" not in client.hx_get(f"/admin/users/{u.id}/row").get_data(as_text=True)


def test_edit_email_checked_and_kept_out_of_the_trail(client, sysadmin, office):
    u = make_user("li", office, real_name="李四")
    base = dict(username="li", real_name="李四", employee_no="", title="", phone="", roles=["staff"])
    r = client.hx_post(f"/admin/users/{u.id}/edit", data=_form(office, email="li@", **base))
    assert r.status_code == 422 and "电子邮箱格式不正确" in r.get_data(as_text=True)
    assert 'value="li@"' in r.get_data(as_text=True)                 # what was typed stays in the form
    assert User.get_by_id(u.id).email == ""
    r = client.hx_post(f"/admin/users/{u.id}/edit", data=_form(office, email="li.si@bureau.example", **base))
    assert r.status_code == 200 and User.get_by_id(u.id).email == "li.si@bureau.example"
    upd = AuditRecord.get(AuditRecord.action == "user_update")
    assert "li.si@bureau.example" not in upd.detail and "email" in upd.detail
    assert 'value="li.si@bureau.example"' in client.hx_get(f"/admin/users/{u.id}/edit").get_data(as_text=True)


def test_three_admins_separation_through_the_ui(client, sysadmin, office):
    u = make_user("biz", office, roles=("staff",))
    for roles, word in ((["secadmin", "staff"], "业务角色"), (["auditor", "secadmin"], "不得由同一人兼任"),
                        (["sysadmin", "discipline"], "业务角色")):
        r = client.hx_post(f"/admin/users/{u.id}/edit", data=_form(office, username="biz", real_name="某人",
                                                                   title="新职务", roles=roles))
        assert r.status_code == 422
        html = r.get_data(as_text=True)
        assert "三员分立" in html and word in html and "data-error-message" in html
    u = User.get_by_id(u.id)
    assert u.roles == {"staff"} and u.title == ""  # nothing of the refused save was kept
    assert _actions().count("role_refused") == 3


def test_leader_charges(client, sysadmin, office):
    a, b = make_department("财务科"), make_department("资产管理科")
    u = make_user("leader", office, roles=("staff",))
    r = client.hx_post(f"/admin/users/{u.id}/edit", data=_form(office, username="leader", real_name="吴局",
                                                               roles=["leader", "staff"],
                                                               charges=[str(a.id), str(b.id)]))
    assert r.status_code == 200
    assert {c.department_id for c in LeaderCharge.select().where(LeaderCharge.leader == u.id)} == {a.id, b.id}
    assert "分管 2 个部门" in r.get_data(as_text=True)
    assert "charge_change" in _actions()
    # no longer a leader: the charges go too
    client.hx_post(f"/admin/users/{u.id}/edit", data=_form(office, username="leader", real_name="吴局",
                                                           roles=["staff"], charges=[str(a.id)]))
    assert not LeaderCharge.select().where(LeaderCharge.leader == u.id).exists()


def test_disable_and_enable(client, sysadmin, office, app):
    u = make_user("dis", office)
    other = app.test_client()
    other.post("/login", data={"username": "dis", "password": PASSWORD, "csrf_token": other.csrf_token()})
    assert other.get("/").status_code == 200
    r = client.hx_post(f"/admin/users/{u.id}/disable")
    assert r.status_code == 200 and "停用" in r.get_data(as_text=True)
    assert not User.get_by_id(u.id).is_active
    assert other.get("/").status_code == 302  # their open session ended
    r = client.hx_post(f"/admin/users/{u.id}/enable")
    assert r.status_code == 200 and User.get_by_id(u.id).is_active
    assert "user_disable" in _actions() and "user_enable" in _actions()


def test_cannot_disable_self(client, sysadmin):
    r = client.hx_post(f"/admin/users/{sysadmin.id}/disable")
    assert r.status_code == 409
    assert "不能停用自己的账号" in r.get_data(as_text=True)
    assert User.get_by_id(sysadmin.id).is_active


def test_reset_password_flow(client, sysadmin, office, app):
    u = make_user("forgot", office, real_name="忘密码")
    other = app.test_client()
    other.post("/login", data={"username": "forgot", "password": PASSWORD, "csrf_token": other.csrf_token()})
    assert other.get("/").status_code == 200
    old_token = u.session_token
    r = client.hx_post(f"/admin/users/{u.id}/reset-password")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    password = re.search(r'data-onetime>([^<]+)<', html).group(1)
    assert f'<tr id="user-{u.id}">' in html and "只显示这一次" in html
    u = User.get_by_id(u.id)
    assert u.must_change_password and u.session_token != old_token
    assert verify_password(u.password_hash, password) and not verify_password(u.password_hash, PASSWORD)
    assert other.get("/").status_code == 302  # the old session is gone
    rec = AuditRecord.get(AuditRecord.action == "password_reset")
    assert rec.object_id == str(u.id) and password not in rec.detail
    # the person logs in with the one-time password and is sent to change it
    fresh = app.test_client()
    r = fresh.post("/login", data={"username": "forgot", "password": password, "csrf_token": fresh.csrf_token()})
    assert r.status_code == 302
    assert fresh.get("/").headers["Location"].endswith("/password")
    # the one-time password is not shown again anywhere
    assert password not in client.get("/admin/").get_data(as_text=True)


def test_reset_password_without_js_shows_a_page(client, sysadmin, office):
    u = make_user("plain", office)
    r = client.post(f"/admin/users/{u.id}/reset-password")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "<html" in html and "data-onetime" in html and r.headers["Cache-Control"] == "no-store"


def test_unknown_user_is_404(client, sysadmin):
    assert client.hx_get("/admin/users/9999/edit").status_code == 404
    assert client.hx_post("/admin/users/9999/disable").status_code == 404


def test_pages_work_without_javascript(client, sysadmin, office):
    u = make_user("plainjane", office, real_name="无脚本")
    for path in ("/admin/users/new", f"/admin/users/{u.id}/edit", f"/admin/departments/{office.id}/edit",
                 "/admin/departments", "/admin/roster", "/admin/?q=无脚本&page=1"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert "<html" in r.get_data(as_text=True), path
    r = client.post("/admin/users/new", data=_form(office, username="nojs", real_name="新人甲"))
    assert r.status_code == 200 and "<html" in r.get_data(as_text=True) and "data-onetime" in r.get_data(as_text=True)
    r = client.post(f"/admin/users/{u.id}/edit", data=_form(office, username="plainjane", real_name="改名了",
                                                             employee_no="E555"))
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/")
    assert User.get_by_id(u.id).real_name == "改名了"
    r = client.post(f"/admin/users/{u.id}/disable")
    assert r.status_code == 302 and not User.get_by_id(u.id).is_active


def test_cannot_remove_own_sysadmin_role_or_disable_self_in_the_form(client, sysadmin, office):
    r = client.hx_post(f"/admin/users/{sysadmin.id}/edit", data=_form(office, username="sys", real_name="钱志远",
                                                                      employee_no="", roles=["staff"]))
    assert r.status_code == 422 and "不能撤销自己的系统管理员角色" in r.get_data(as_text=True)
    data = _form(office, username="sys", real_name="钱志远", employee_no="", roles=["sysadmin"])
    del data["is_active"]
    r = client.hx_post(f"/admin/users/{sysadmin.id}/edit", data=data)
    assert r.status_code == 422 and "不能停用自己的账号" in r.get_data(as_text=True)
    assert User.get_by_id(sysadmin.id).is_active and User.get_by_id(sysadmin.id).roles == {"sysadmin"}
