"""Administration: roster import, export, the users list and the audit page with a long audit chain.

    .venv/bin/python bench/admin.py                  # 500-row import, 5,000 people, 20,000 audit records
    .venv/bin/python bench/admin.py --big            # 2,000-row import, 100,000 audit records

Temp SQLite in /tmp. Prints seconds for: the roster import (validation + one-time passwords + write),
the export, one page of the users list (htmx fragment) and the audit page (which walks the whole chain).
Production Argon2 parameters are used, as on a real server.
"""
import argparse
import io
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from openpyxl import Workbook  # noqa: E402

from portal import audit, create_app  # noqa: E402
from portal import db as portal_db  # noqa: E402
from portal.extensions import db  # noqa: E402


def timed(label, fn):
    t = time.perf_counter()
    out = fn()
    print(f"{label:<46} {time.perf_counter() - t:8.2f} s")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", action="store_true")
    args = ap.parse_args()
    rows, people, records = (2000, 5000, 100_000) if args.big else (500, 5000, 20_000)
    tmp = tempfile.mkdtemp(prefix="fengji-bench-admin-", dir="/tmp")
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{tmp}/b.sqlite3",
                      "INSTANCE_PATH": tmp, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False})
    portal_db.upgrade()
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
        print(f"{'audit records written (' + str(records) + ')':<46} {time.perf_counter() - t:8.2f} s")
        wb = Workbook()
        ws = wb.active
        ws.append(roster.HEADERS)
        for i in range(rows):
            ws.append([f"new{i}", f"新人{i}", f"N{i:06d}", f"科室{i % 30:02d}", "科员", f"138{i:08d}", "干部职工"])
        buf = io.BytesIO()
        wb.save(buf)
        data = buf.getvalue()
        result = timed(f"roster import ({rows} rows)", lambda: roster.import_roster(data, sysadmin, "bench.xlsx"))
        assert result.ok, result.errors[:3]
        timed(f"roster export ({people + rows} people)", lambda: roster.export_bytes(sysadmin))
    client = app.test_client()
    client.post("/login", data={"username": "sys", "password": "Bench@2026x"})
    timed("users list, page 1 (htmx)", lambda: client.get("/admin/?q=人员", headers={"HX-Request": "true"}))
    timed("users list, filtered by department", lambda: client.get(f"/admin/?department={depts[3].id}"))
    client.post("/logout")
    client.post("/login", data={"username": "aud", "password": "Bench@2026x"})
    r = timed(f"audit page incl. chain verify ({records} records)", lambda: client.get("/admin/audit"))
    assert "审计链校验通过" in r.get_data(as_text=True)
    timed("audit filter change (htmx fragment, no chain walk)",
          lambda: client.get("/admin/audit?action=user_create&outcome=ok", headers={"HX-Request": "true"}))


if __name__ == "__main__":
    main()
