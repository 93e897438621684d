"""The department tree: create, rename, move, kind, sort order, deactivate — with htmx partials."""
from portal.models import AuditRecord, Department
from tests.factories import make_department, make_user


def _audits(action):
    return list(AuditRecord.select().where(AuditRecord.action == action).order_by(AuditRecord.seq))


def test_tree_page_lists_departments_in_tree_order(client, sysadmin, office):
    root = make_department("××市机关事务管理局", kind="bureau")
    a = make_department("财务科", parent=root)
    b = make_department("机关后勤服务中心", kind="unit", parent=root)
    Department.update(sort_order=2).where(Department.id == a.id).execute()
    Department.update(sort_order=1).where(Department.id == b.id).execute()
    html = client.get("/admin/departments").get_data(as_text=True)
    assert html.index("××市机关事务管理局") < html.index("机关后勤服务中心") < html.index("财务科")
    assert "indent-1" in html and "事业单位" in html


def test_create_department_htmx_returns_the_tree(client, sysadmin, office):
    root = make_department("局机关", kind="bureau")
    r = client.hx_post("/admin/departments/new", data={"name": " 资产管理科 ", "kind": "office",
                                                       "parent": str(root.id), "sort_order": "5"})
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'id="dept-area"' in html and "资产管理科" in html and "<html" not in html
    assert "toast" in r.headers["HX-Trigger"]
    d = Department.get(Department.name == "资产管理科")
    assert (d.parent_id, d.kind, d.sort_order, d.is_active) == (root.id, "office", 5, True)
    rec = _audits("department_create")[-1]
    assert rec.object_id == str(d.id) and rec.actor_id == sysadmin.id


def test_create_department_errors_are_422_fragments(client, sysadmin, office):
    r = client.hx_post("/admin/departments/new", data={"name": "", "kind": "office"})
    assert r.status_code == 422
    assert "请填写部门名称" in r.get_data(as_text=True)
    r = client.hx_post("/admin/departments/new", data={"name": "办公室", "kind": "office"})
    assert r.status_code == 422
    assert "已有同名部门" in r.get_data(as_text=True)
    r = client.hx_post("/admin/departments/new", data={"name": "怪类型", "kind": "secret"})
    assert r.status_code == 422
    assert Department.select().count() == 1  # only the fixture's 办公室
    assert not _audits("department_create")


def test_create_department_without_js_redirects(client, sysadmin, office):
    r = client.post("/admin/departments/new", data={"name": "人事教育科", "kind": "office", "sort_order": "0"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/admin/departments")
    assert Department.get_or_none(Department.name == "人事教育科")


def test_edit_row_rename_move_and_kind(client, sysadmin, office):
    root = make_department("局机关", kind="bureau")
    leaders = make_department("局领导班子", kind="leadership", parent=root)
    d = make_department("节能科", parent=root)
    r = client.hx_get(f"/admin/departments/{d.id}/edit")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tr id="dept-{d.id}" class="editing">')
    r = client.hx_post(f"/admin/departments/{d.id}/edit", data={
        "name": "公共机构节能科", "kind": "unit", "parent": str(leaders.id), "sort_order": "3"})
    assert r.status_code == 200
    assert r.headers["HX-Retarget"] == "#dept-area"
    d = Department.get_by_id(d.id)
    assert (d.name, d.kind, d.parent_id, d.sort_order) == ("公共机构节能科", "unit", leaders.id, 3)
    rec = _audits("department_update")[-1]
    assert "公共机构节能科" in rec.detail and "parent" in rec.detail
    # cancel returns the read-only row
    r = client.hx_get(f"/admin/departments/{d.id}/row")
    assert f'id="dept-{d.id}"' in r.get_data(as_text=True) and "editing" not in r.get_data(as_text=True)


def test_cannot_move_under_itself_or_a_descendant(client, sysadmin, office):
    top = make_department("上级")
    mid = make_department("中间", parent=top)
    low = make_department("下级", parent=mid)
    for parent in (top, low):
        r = client.hx_post(f"/admin/departments/{top.id}/edit",
                           data={"name": "上级", "kind": "office", "parent": str(parent.id), "sort_order": "0"})
        assert r.status_code == 422
    assert Department.get_by_id(top.id).parent_id is None
    # descendants are not even offered in the edit form
    html = client.hx_get(f"/admin/departments/{top.id}/edit").get_data(as_text=True)
    assert f'value="{low.id}"' not in html and f'value="{mid.id}"' not in html


def test_deactivate_refused_while_people_remain(client, sysadmin, office):
    d = make_department("财务科")
    person = make_user("zhang", d)
    r = client.hx_post(f"/admin/departments/{d.id}/deactivate")
    assert r.status_code == 409
    assert "还有 1 名在用人员" in r.get_data(as_text=True)
    assert Department.get_by_id(d.id).is_active
    person.is_active_flag = False
    person.save()
    r = client.hx_post(f"/admin/departments/{d.id}/deactivate")
    assert r.status_code == 200
    assert not Department.get_by_id(d.id).is_active
    assert _audits("department_deactivate")
    r = client.hx_post(f"/admin/departments/{d.id}/activate")
    assert r.status_code == 200 and Department.get_by_id(d.id).is_active
    assert _audits("department_activate")


def test_deactivate_refused_with_active_children(client, sysadmin, office):
    top = make_department("后勤中心", kind="unit")
    make_department("食堂", parent=top)
    r = client.hx_post(f"/admin/departments/{top.id}/deactivate")
    assert r.status_code == 409 and "下级部门" in r.get_data(as_text=True)


def test_edit_child_of_an_inactive_parent(client, sysadmin, office):
    top = make_department("旧中心", kind="unit")
    child = make_department("旧班组", parent=top)
    Department.update(is_active=False).where(Department.id.in_([top.id, child.id])).execute()
    html = client.hx_get(f"/admin/departments/{child.id}/edit").get_data(as_text=True)
    assert "旧中心（已停用）" in html
    r = client.hx_post(f"/admin/departments/{child.id}/edit",
                       data={"name": "旧班组改名", "kind": "office", "parent": str(top.id), "sort_order": "1"})
    assert r.status_code == 200
    assert Department.get_by_id(child.id).name == "旧班组改名"
    # but nothing new may be put under an inactive department
    r = client.hx_post("/admin/departments/new", data={"name": "新班组", "kind": "office", "parent": str(top.id)})
    assert r.status_code == 422 and "不是有效的选择" in r.get_data(as_text=True)
