"""Demo data for spot checks: a plan, its inspectors, a witnessed draw of five people, findings."""
import datetime as dt
import json

from .. import clock
from ..demo import demo_hook
from ..models import Campaign, RoleAssignment, User
from ..models.inspection import InspectionTarget
from . import service


@demo_hook
def inspections_demo(ctx):
    accounts, depts = ctx["accounts"], ctx["departments"]
    discipline, inspector = accounts["demo-discipline"], accounts["demo-inspector"]
    # the plan names 人事教育科、办公室、机关党委 for spot checks: the office's head inspects too
    office_head = (User.select().where((User.department == depts["办公室"].id) & (User.username.startswith("head")))
                   .first())
    if office_head is not None and "inspector" not in office_head.roles:
        RoleAssignment.create(user=office_head, role="inspector")
        office_head.forget_roles()
    today = clock.today()
    # No time travel here: the audit trail's timestamps must stay in order, so the demo draw and
    # its visits happen "now".
    plan, d = _plan_and_draw(discipline, inspector, office_head, today)
    _findings(plan, d, discipline, inspector, office_head, today)


def _plan_and_draw(discipline, inspector, office_head, today):
    campaign = Campaign.active()
    picks = ["preset:0", "preset:1", "preset:4", "preset:2"]  # 迟到早退、脱岗串岗、中午饮酒、值班在岗
    plan = service.create_plan(
        discipline, campaign=campaign, title=f"{today.year}年{today.month}月工作纪律明察暗访",
        checks=json.dumps(service.build_checks(campaign, picks, "公务用车停放和使用登记"), ensure_ascii=False),
        planned_date=today, planned_end=today + dt.timedelta(days=5),
        cycle=today.strftime("%Y-%m"), target_kind="person", target_count=5, inspector_count=2,
        pool_kind="all", note="上午8:30、下午2:30前后两个时段，不打招呼、直奔现场。")
    service.assign_inspector(plan, inspector, discipline)
    if office_head is not None:
        service.assign_inspector(plan, office_head, discipline)
    prep = service.prepare(plan, "targets")
    d = service.do_draw(plan, "targets", discipline, witness_number="38291",
                        witnesses="办公室 赵文静、工会 刘玉兰", manual={}, count=5,
                        expected_roster_hash=prep["roster_hash"])
    return plan, d


def _findings(plan, d, discipline, inspector, office_head, today):
    targets = list(InspectionTarget.select().where(InspectionTarget.draw == d.id).order_by(InspectionTarget.rank))
    checks = plan.check_list
    found = clock.now()
    if targets:
        service.record_finding(targets[0], inspector, "problem", checks[0],
                               "8:47 仍未到岗，未履行请假手续，经电话联系称“路上堵车”。", found, "办公区",
                               "general", today + dt.timedelta(days=10), [])
    for t in targets[1:3]:
        service.record_finding(t, inspector, "clean", None, "", found, "办公区",
                               "general", None, [])
    own = {inspector.department_id, office_head.department_id if office_head else None}
    for f in service.flagged_departments():
        if f["department"].id not in own:
            service.add_target(plan, f["department"], discipline, f["reason"])
            break
