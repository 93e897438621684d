"""Spot checks as .xlsx (明察暗访): the draws (who drew, when, witnesses, the roster's hash, the result) and
the findings, for the plans the user may see (scope_plans in SQL), all of them or the one plan whose page the
link was on."""
from flask import request
from flask_login import current_user

from .. import audit, clock, uploads, xlsx
from ..models import SEVERITIES, Department, User
from ..models.inspection import Draw, Finding, InspectionPlan, InspectionTarget
from ..params import to_int
from ..permissions import require, scope_plans
from . import bp

DRAW_HEADERS = ["序号", "检查计划", "计划日期", "抽取类型", "抽取编号", "抽取时间", "抽取人", "见证人", "见证数字",
                "候选数", "排除数", "抽取数", "抽取结果（按顺序）", "重新抽取原因", "名单哈希"]
DRAW_WIDTHS = [6, 20, 11, 9, 14, 18, 9, 14, 10, 7, 7, 7, 36, 18, 20]
FINDING_HEADERS = ["序号", "检查计划", "检查对象", "所在科室（单位）", "检查内容", "检查结果", "问题描述", "问题性质",
                   "检查时间", "地点", "检查人员", "问题编号"]
FINDING_WIDTHS = [6, 20, 12, 16, 18, 10, 40, 9, 17, 14, 10, 10]
OUTCOMES = {"problem": "发现问题", "clean": "未发现问题"}


def _plans():
    q = InspectionPlan.select(InspectionPlan.id, InspectionPlan.title, InspectionPlan.planned_date) \
        .where(scope_plans(current_user))
    plan_id = to_int(request.args.get("plan"))
    if plan_id:
        q = q.where(InspectionPlan.id == plan_id)
    return {p.id: p for p in q}, plan_id


def draw_rows(draws, plans):
    for n, d in enumerate(draws, 1):
        labels = {row[0]: row[1] for row in d.roster_rows()}
        p = plans[d.plan_id]
        yield [n, p.title, p.planned_date.isoformat(), d.purpose_label, d.public_id, d.drawn_at_text,
               d.drawn_by_name, d.witnesses, d.witness_number, len(d.roster_rows()), len(d.exclusion_rows()),
               d.requested, "、".join(labels.get(k, k) for k in d.result_keys()), d.redraw_reason, d.roster_hash]


def finding_rows(findings, plans):
    targets = {t.id: t for t in InspectionTarget.select(InspectionTarget, Department).join(Department)
               .where(InspectionTarget.id.in_([f.target_id for f in findings] or [0]))}
    ids = {t.user_id for t in targets.values()} | {f.inspector_id for f in findings}
    names = dict(User.select(User.id, User.real_name).where(User.id.in_([i for i in ids if i] or [0])).tuples())
    for n, f in enumerate(findings, 1):
        t = targets[f.target_id]
        yield [n, plans[f.plan_id].title, names.get(t.user_id, "") if t.user_id else t.department.name,
               t.department.name, f.check_label, OUTCOMES.get(f.outcome, f.outcome), f.description,
               SEVERITIES.get(f.severity, f.severity) if f.outcome == "problem" else "",
               f.found_at.strftime("%Y-%m-%d %H:%M"), f.place, names.get(f.inspector_id, ""),
               f.problem_id or ""]


@bp.route("/export.xlsx")
@require("inspections.view")
def export():
    plans, plan_id = _plans()
    ids = list(plans) or [0]
    draws = list(Draw.select().where(Draw.plan.in_(ids)).order_by(Draw.plan, Draw.id))
    findings = list(Finding.select().where(Finding.plan.in_(ids)).order_by(Finding.plan, Finding.found_at))
    note = xlsx.filter_note({"plan": "检查计划"}, {"plan": plans[plan_id].title if plan_id in plans else ""})
    today = clock.today().isoformat()
    wb = xlsx.new_workbook()
    xlsx.add_table(wb, "抽取记录", DRAW_HEADERS, draw_rows(draws, plans), DRAW_WIDTHS,
                   title=f"明察暗访随机抽取记录（{today}）", note=note)
    xlsx.add_table(wb, "检查结果", FINDING_HEADERS, finding_rows(findings, plans), FINDING_WIDTHS,
                   title=f"明察暗访检查结果（{today}）", note=note)
    audit.record("inspection_export", "inspection_plan", plan_id or "",
                 detail={"rows": len(findings), "total": len(draws)})
    return uploads.download(xlsx.to_bytes(wb), f"明察暗访-{today}.xlsx", "xlsx")
