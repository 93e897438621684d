"""Administration: roster import, export, the users list and the audit page with a long audit chain.

    .venv/bin/python bench/admin.py                  # 500-row import, 5,000 people, 5,000 audit records
    .venv/bin/python bench/admin.py --big            # 2,000-row import, 100,000 audit records

On SQLite and PostgreSQL (bench/common.py). Prints seconds for: the roster import (validation + one-time
passwords + write), the export, one page of the users list (htmx fragment) and the audit page (which walks
the whole chain), each also as a multiple of the login page's time measured in the same run.
Production Argon2 parameters are used, as on a real server.
"""
import argparse
import io
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import backends, database, label, workdir  # noqa: E402

from openpyxl import Workbook  # noqa: E402

from portal import audit, create_app  # noqa: E402
from portal import db as portal_db  # noqa: E402
from portal.extensions import db  # noqa: E402


BASE = {}


def timed(text, fn):
    t = time.perf_counter()
    out = fn()
    took = time.perf_counter() - t
    ratio = f"   {took / BASE['login']:8.1f} × the login page" if BASE.get("login") else ""
    print(f"  {text:<52} {took:8.2f} s{ratio}")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", action="store_true")
    args = ap.parse_args()
    for kind in backends():
        with workdir("admin") as tmp, database(kind, tmp) as url:
            print(f"== admin bench, {label(kind)}")
            run(args, tmp, url)


def run(args, tmp, url):
    BASE.clear()
    rows, people, records = (2000, 5000, 100_000) if args.big else (500, 5000, 5_000)
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": url,
                      "INSTANCE_PATH": os.path.join(tmp, "instance"), "RATELIMIT_ENABLED": False,
                      "WTF_CSRF_ENABLED": False, "TOTP_ENFORCED": False})
    with app.app_context():
        portal_db.upgrade()
    client = app.test_client()  # the baseline first, so every figure below is also a multiple of it
    login_page = []
    client.get("/login")
    for _ in range(20):
        t = time.perf_counter()
        client.get("/login")
        login_page.append(time.perf_counter() - t)
    BASE["login"] = statistics.median(login_page)
    print(f"  {'login page (the baseline, median of 20)':<52} {BASE['login'] * 1000:8.2f} ms")
    from portal.accounts import create_user
    from portal.admin import roster
    from portal.models import Department, RoleAssignment, User
    with app.app_context(), db.connection_context():
        depts = [Department.create(name=f"科室{i:02d}", kind="office", sort_order=i) for i in range(30)]
        sysadmin = create_user("sys", "系统管理员", depts[0], "Bench@2026x", roles=["sysadmin"], must_change=False)
        auditor = create_user("aud", "审计管理员", depts[0], "Bench@2026x", roles=["auditor"], must_change=False)
        with db.atomic():
            for i in range(people):
                u = User.create(username=f"p{i}", real_name=f"人员{i}", employee_no=f"P{i:06d}",
                                department=depts[i % 30], phone=f"139{i:08d}", password_hash="x")
                RoleAssignment.create(user=u, role="staff")
        t = time.perf_counter()
        with db.atomic():
            for i in range(records - audit.count()):
                audit.record("roster_export", "roster", str(i), actor=sysadmin)
        took = time.perf_counter() - t
        print(f"  {'audit records written (' + str(records) + ')':<52} {took:8.2f} s   {took / BASE['login']:8.1f} × the login page")
        wb = Workbook()
        ws = wb.active
        ws.append(roster.HEADERS)
        for i in range(rows):  # by column name: the roster's columns grow (邮箱)
            values = {"登录名": f"new{i}", "姓名": f"新人{i}", "工号": f"N{i:06d}", "部门": f"科室{i % 30:02d}",
                      "职务": "科员", "手机号": f"138{i:08d}", "邮箱": f"new{i}@example.gov.cn", "角色": "干部职工"}
            ws.append([values.get(h, "") for h in roster.HEADERS])
        buf = io.BytesIO()
        wb.save(buf)
        data = buf.getvalue()
        result = timed(f"roster import ({rows} rows)", lambda: roster.import_roster(data, sysadmin, "bench.xlsx"))
        assert result.ok, result.errors[:3]
        timed(f"roster export ({people + rows} people)", lambda: roster.export_bytes(sysadmin))
    assert client.post("/login", data={"username": "sys", "password": "Bench@2026x"}).status_code == 302
    timed("users list, page 1 (htmx)", lambda: client.get("/admin/?q=人员", headers={"HX-Request": "true"}))
    timed("users list, filtered by department", lambda: client.get(f"/admin/?department={depts[3].id}"))
    client.post("/logout")
    client.post("/login", data={"username": "aud", "password": "Bench@2026x"})
    r = timed(f"audit page incl. chain verify ({records} records)", lambda: client.get("/admin/audit"))
    assert r.status_code == 200 and "审计链校验通过" in r.get_data(as_text=True), r.status_code
    timed("audit filter change (htmx fragment, no chain walk)",
          lambda: client.get("/admin/audit?action=user_create&outcome=ok", headers={"HX-Request": "true"}))


if __name__ == "__main__":
    main()
