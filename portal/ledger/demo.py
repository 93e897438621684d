"""Demo ledger for `flask seed-demo`: a few hundred Problems across departments, sources and statuses,
with actions, extension requests, a 一案双查 pair and a 长效机制 covering common problems."""
import datetime as dt

from .. import clock, problems
from ..demo import demo_hook
from ..extensions import db
from ..models import Campaign, Item, Problem, RoleAssignment, User
from ..models.ledger import DeadlineExtension, Mechanism, MechanismProblem, ProblemAction

PROBLEMS = {  # category code -> (description, measures)
    "tuo": [("公文办理超时限，{n}件来文平均延误3个工作日", "建立公文办理时限台账，每周通报超时情况"),
            ("重点项目推进缓慢，季度目标完成率不足六成", "倒排工期、挂图作战，分管领导每周调度"),
            ("群众来电诉求回复不及时，个别诉求超期未办结", "落实首问负责制，超期件逐件督办销号")],
    "yong": [("业务学习不主动，对新出台的政府采购政策掌握不全面", "制定个人学习计划，参加专题培训并考试"),
             ("工作标准不高，报送材料多次出现数据差错", "实行材料报送双人复核制度"),
             ("遇到矛盾推诿回避，信访件转办后未跟踪", "明确专人跟踪，建立转办件回访机制")],
    "fu": [("调研报告照搬往年内容，未深入基层了解实际情况", "重新开展实地调研，形成问题清单"),
           ("会议多、文件多，以会议落实会议", "精简会议文件，能合并的会议一律合并"),
           ("服务窗口存在“门难进、脸难看”现象", "开展窗口服务规范培训，设置群众评议器")],
    "jiang": [("理论学习流于形式，学习笔记抄写应付", "改进学习方式，开展交流研讨"),
              ("“等靠要”思想严重，节能改造方案迟迟未提交", "明确时间节点，主动对接专业机构"),
              ("墨守成规，资产处置流程繁琐影响效率", "梳理优化资产处置流程，压缩办理时限")],
    "she": [("公务接待超标准，陪餐人数超规定", "退缴超标准费用，重新学习公务接待规定"),
            ("公务用车私用，节假日未按规定封存", "落实车辆节假日封存和GPS轨迹检查"),
            ("违规接受管理服务对象宴请", "作出深刻检查，退还相关费用")],
    "san": [("上班时间迟到早退，考勤记录异常{n}次", "严格考勤管理，每月通报考勤情况"),
            ("值班期间脱岗，未按规定请假报告", "完善值班带班制度，实行电话随机抽查"),
            ("工作时间浏览与工作无关的网页、玩手机游戏", "开展作风纪律专项教育，部门负责人每日巡查")],
}
# no "selfcheck" here: the ledger's self-check problems come only from the submitted self-checks
# (portal/selfcheck/demo.py feeds them), so every page tells the same numbers
SOURCE_WEIGHTS = [("tip", 12), ("inspection", 20), ("review", 15), ("patrol", 15), ("assigned", 10),
                  ("leader_comment", 10), ("public", 10), ("other", 5)]
SEVERITY_WEIGHTS = [("general", 60), ("serious", 15), ("frequent", 10), ("common", 15)]
STATUS_WEIGHTS = [("pending", 25), ("in_progress", 35), ("rectified", 15), ("closed", 25)]


def _pick(rng, weights):
    total = sum(w for _, w in weights)
    r = rng.uniform(0, total)
    for value, w in weights:
        r -= w
        if r <= 0:
            return value
    return weights[-1][0]


@demo_hook
def seed_ledger(ctx, count=320):
    rng = ctx["rng"]
    campaign = Campaign.active()
    if campaign is None or Problem.select().where(Problem.origin.startswith("demo-ledger:")).exists():
        return
    office = ctx["accounts"].get("demo-discipline")
    items = list(Item.select().where(Item.campaign == campaign).order_by(Item.seq))
    people = [u for u in User.select().where(User.username != "demo-sysadmin")
              if u.department.kind != "leadership"]
    people = [u for u in people if not (u.roles & {"sysadmin", "secadmin", "auditor"})]
    heads = {r.user.department_id: r.user for r in RoleAssignment.select().where(RoleAssignment.role == "dept_head")}
    today = clock.today()
    created = []
    with db.atomic():
        for n in range(count):
            item = rng.choice(items)
            desc, meas = rng.choice(PROBLEMS[item.category.code])
            person = rng.choice(people)
            source = _pick(rng, SOURCE_WEIGHTS)
            status = _pick(rng, STATUS_WEIGHTS)
            severity = _pick(rng, SEVERITY_WEIGHTS)
            deadline = today + dt.timedelta(days=rng.randint(-40, 60))
            p = problems.create(
                actor=office, campaign=campaign, item=item, person=person, department=person.department_id,
                source=source, self_reported=False, severity=severity, status="pending",
                description=desc.format(n=rng.randint(2, 9)), measures=meas, deadline=deadline,
                remark=rng.choice(["", "", "", "已在科室会议上作说明", "纳入年度考核"]),
                origin=f"demo-ledger:{n}", fixed_at_once=severity == "general" and rng.random() < 0.1,
                aspect=None)
            actor = heads.get(person.department_id, office)
            path = {"pending": [], "in_progress": ["in_progress"], "rectified": ["in_progress", "rectified"],
                    "closed": ["in_progress", "rectified", "closed"]}[status]
            notes = {"in_progress": "已制定整改方案，正在落实", "rectified": "整改措施已落实到位，附佐证材料",
                     "closed": "经核查整改到位，同意销号"}
            for to in path:
                p = problems.transition(p.id, to, office if to == "closed" else actor, p.version, note=notes[to])
            created.append(p)
            if severity in ("serious", "frequent") and rng.random() < 0.7:
                kind = rng.choice(["circular", "reminder", "talk"])
                a = ProblemAction.create(problem=p, kind=kind, date=today - dt.timedelta(days=rng.randint(1, 30)),
                                         by=office, note="领导小组办公室按程序处理")
                problems.add_event(p, office, "action", note="领导小组办公室按程序处理", action_id=a.id, action_kind=kind)
            if status in ("pending", "in_progress") and rng.random() < 0.06:
                e = DeadlineExtension.create(problem=p, requested_by=actor, old_deadline=p.deadline,
                                             new_deadline=p.deadline + dt.timedelta(days=30),
                                             reason="涉及跨部门协调，需延长整改时间", created_at=clock.now())
                problems.add_event(p, actor, "extension", note=f"申请延期至 {e.new_deadline}", extension_id=e.id)
        mech = Mechanism.create(
            title="机关工作人员考勤与请销假管理办法（修订）",
            content="实行上下班电子考勤，外出须填写去向登记；值班期间随机电话抽查，结果每月通报，纳入年度考核。",
            owner=ctx["accounts"].get("demo-inspector"), department=ctx["departments"]["人事教育科"].id,
            date=today - dt.timedelta(days=10), created_by=office)
        for p in created:
            if p.severity == "common" and p.item.category.code == "san":
                MechanismProblem.create(mechanism=mech, problem=p)
                problems.add_event(p, office, "link", note=f"纳入长效机制：{mech.title}", mechanism_id=mech.id)
        # 一案双查: a serious case and the responsible leader's accountability entry
        serious = [p for p in created if p.severity == "serious" and p.person_id]
        leader = ctx["accounts"].get("demo-leader")
        if serious and leader:
            case = serious[0]
            duty = problems.create(actor=office, campaign=campaign, item=case.item, person=leader,
                                   department=case.department_id, source="review", severity="serious",
                                   description=f"对 #{case.id} 所涉问题负有领导责任，监督管理不到位",
                                   measures="作出书面检查，加强分管领域日常监督", deadline=today + dt.timedelta(days=20),
                                   origin="demo-ledger:duty", is_accountability=True, partner=case.id)
            problems.update(case.id, office, Problem.get_by_id(case.id).version, kind="link",
                            note="一案双查：关联领导责任", partner=duty.id)
