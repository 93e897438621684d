"""Shared set-up for the spot-check tests: a small bureau, a plan, inspectors."""
import datetime as dt
import json

from portal.inspections import service
from portal.models import Campaign, User
from tests.factories import make_bureau, make_department, make_user


def bureau(people_per_dept=4):
    """The shared bureau, plus four departments (科室甲乙丙丁) of `people_per_dept` people, the discipline
    office's spot-check team (纪委办) and two inspectors; the bureau's own inspector is away (inactive), so
    the inspector draws choose between these two."""
    o = make_bureau()
    User.update(is_active_flag=False).where(User.id == o.inspector.id).execute()
    depts = [make_department(f"科室{c}") for c in "甲乙丙丁"]
    staff = {d.id: [make_user(f"s{d.id}_{i}", d, real_name=f"{d.name}人员{i}") for i in range(people_per_dept)]
             for d in depts}
    office = make_department("纪委办")
    discipline = make_user("disc", office, roles=("discipline", "staff"), real_name="纪委书记")
    insp_a = make_user("inspA", depts[0], roles=("inspector", "staff"), real_name="检查员甲")
    insp_b = make_user("inspB", office, roles=("inspector", "staff"), real_name="检查员乙")
    return {"depts": depts, "staff": staff, "discipline": discipline, "insp_a": insp_a, "insp_b": insp_b,
            "office": office, "bureau": o}


def plan(actor, title="工作纪律抽查", kind="person", count=5, pool="all", pool_departments=(), cycle="2026-11",
         inspectors=2):
    campaign = Campaign.active()
    return service.create_plan(
        actor, campaign=campaign, title=title,
        checks=json.dumps(service.build_checks(campaign, ["preset:0", "preset:4"], "车辆停放"), ensure_ascii=False),
        planned_date=dt.date(2026, 11, 20), cycle=cycle, target_kind=kind, target_count=count,
        inspector_count=inspectors, pool_kind=pool, pool_departments=json.dumps(list(pool_departments)))


def draw(p, actor, purpose="targets", witness="123456", count=None, manual=None, supersedes=None, reason=""):
    prep = service.prepare(p, purpose, replacing=supersedes)
    return service.do_draw(p, purpose, actor, witness_number=witness, witnesses="见证人甲", manual=manual or {},
                           count=count or (p.target_count if purpose == "targets" else 1),
                           expected_roster_hash=prep["roster_hash"], supersedes=supersedes, reason=reason)
