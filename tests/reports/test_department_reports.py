"""Who has not reported their 单位自查自纠情况 for a period."""
import datetime as dt

import pytest

from portal.reports import service
from portal.models import Department
from portal.models.selfcheck import DepartmentReport
from tests.factories import default_campaign, make_bureau, make_department


@pytest.fixture
def bureau(ctx, travel):
    """The shared bureau under its root, with 后勤服务中心 added."""
    travel(dt.datetime(2026, 6, 8, 9, 0))
    b = make_bureau()
    root = make_department("××市机关事务管理局", kind="bureau")
    depts = [b.office_dept, b.fin, b.asset, make_department("后勤服务中心", kind="unit", parent=root)]
    for d in (b.lead, *depts[:3]):
        Department.update(parent=root).where(Department.id == d.id).execute()
    return {"campaign": default_campaign(), "depts": depts, "root": root, "lead": b.lead, "office": b.office}


def test_who_has_not_reported(bureau, client, auth):
    c, d = bureau["campaign"], bureau["depts"]
    auth.login(bureau["office"])
    assert client.post("/reports/departments", data={
        "code": "2026-05", "name": "2026年5月", "start": "2026-05-01", "end": "2026-05-31",
        "due": "2026-06-05"}).status_code == 303
    # 办公室 on time, 财务科 late, 资产管理科 only a draft, 后勤服务中心 nothing
    DepartmentReport.create(department=d[0], campaign=c, period="2026-05", status="submitted",
                            submitted_at=dt.datetime(2026, 6, 3, 10, 0))
    DepartmentReport.create(department=d[1], campaign=c, period="2026-05", status="submitted",
                            submitted_at=dt.datetime(2026, 6, 7, 10, 0))
    DepartmentReport.create(department=d[2], campaign=c, period="2026-05", status="draft")
    DepartmentReport.create(department=d[3], campaign=c, period="2026-04", status="submitted",
                            submitted_at=dt.datetime(2026, 5, 3, 10, 0))
    rows = service.reporting_status("2026-05", dt.date(2026, 6, 5))
    got = {r["department"].name: (r["status"], r["late"]) for r in rows}
    assert got == {"办公室": ("submitted", False), "财务科": ("submitted", True),
                   "资产管理科": ("draft", True), "后勤服务中心": ("missing", True)}
    assert [x.name for x in service.missing_departments("2026-05")] == ["资产管理科", "后勤服务中心"]
    html = client.get("/reports/departments?period=2026-05").get_data(as_text=True)
    assert "尚有 2 个单位未报送" in html and "资产管理科、后勤服务中心" in html
    assert "局领导班子" not in html  # the leadership and the bureau itself do not report
    # htmx: the status fragment alone
    frag = client.hx_get("/reports/departments?period=2026-05").get_data(as_text=True)
    assert frag.lstrip().startswith('<section class="card" id="dept-status">')
    # home panel tells the office
    assert "尚有 2 个单位未报送" in client.get("/").get_data(as_text=True)
