"""Self-check status as .xlsx (自查情况): one sheet per department (people by state in the one vocabulary of
models/selfcheck.py SELFCHECK_STATUSES, people returned as 敷衍应付, not submitted) and one per person, for the departments
the viewer oversees (scope in SQL, the same queries as /selfcheck/department), with that page's filters
(a department, leaders only)."""
from flask import abort, request
from flask_login import current_user

from .. import audit, clock, uploads, xlsx
from ..models import Campaign, Department, User
from ..models.selfcheck import PERFUNCTORY_LABEL, SELFCHECK_STATUSES
from ..permissions import can, deny, require, visible_departments
from . import bp, service
from .views import _int

DEPT_HEADERS = (["序号", "部门", "应参加人数"] + list(SELFCHECK_STATUSES.values())
                + [f"{PERFUNCTORY_LABEL}（人）", "未提交合计"])
DEPT_WIDTHS = [6, 20, 10] + [8] * len(SELFCHECK_STATUSES) + [12, 10]
PERSON_HEADERS = ["序号", "部门", "姓名", "工号", "职务", "自查状态", "最近提交时间", "被认定敷衍应付次数", "截止后未提交"]
PERSON_WIDTHS = [6, 18, 10, 10, 16, 10, 18, 16, 12]


def person_rows(people, late):
    for n, p in enumerate(people, 1):
        sc = getattr(p, "sc", None)
        sc = sc if sc is not None and sc.id else None
        status = sc.status if sc else "not_started"
        yield [n, p.department.name, p.real_name, p.employee_no or "", p.title or "",
               sc.status_label if sc else "未开始",
               sc.submitted_at.strftime("%Y-%m-%d %H:%M") if sc and sc.submitted_at else "",
               sc.perfunctory_count if sc else 0, "是" if late and status in service.UNSUBMITTED else ""]


def department_rows(summary):
    for n, (dept, r) in enumerate(summary, 1):
        yield [n, dept.name, r["people"]] + [r[k] for k in SELFCHECK_STATUSES] + [r["perfunctory"], r["unsubmitted"]]


@bp.get("/export.xlsx")
@require("selfcheck.oversee")
def export():
    campaign = Campaign.active() or abort(404)
    dept_id = _int(request.args.get("dept"))
    leaders_only = request.args.get("leaders") == "1" and can(current_user, "selfcheck.leaders")
    visible = visible_departments(current_user)
    dept = None
    if dept_id is not None:
        if visible is not None and dept_id not in visible:
            deny("department", dept_id, status=404)
        dept = Department.get_or_none(Department.id == dept_id) or abort(404)
    summary = service.department_summary(current_user, campaign)
    if dept is not None:
        summary = [(d, r) for d, r in summary if d.id == dept.id]
    everyone = list(service.people(current_user, campaign, dept_id, leaders_only)
                    .switch(User).join(Department).select_extend(Department))
    late = service.past_deadline(campaign)
    note = xlsx.filter_note({"dept": "部门", "leaders": "范围"},
                            {"dept": dept.name if dept else "", "leaders": "局领导班子成员" if leaders_only else ""})
    today = clock.today().isoformat()
    wb = xlsx.new_workbook()
    if not leaders_only:
        xlsx.add_table(wb, "按部门", DEPT_HEADERS, department_rows(summary), DEPT_WIDTHS,
                       title=f"{campaign.name}个人自查情况（按部门，{today}）", note=note)
    xlsx.add_table(wb, "按人员", PERSON_HEADERS, person_rows(everyone, late), PERSON_WIDTHS,
                   title=f"{campaign.name}个人自查情况（按人员，{today}）", note=note)
    audit.record("selfcheck_export", "selfcheck", "", detail={"department": dept.id if dept else "",
                                                              "rows": len(everyone)})
    return uploads.download(xlsx.to_bytes(wb), f"自查情况-{today}.xlsx", "xlsx")
