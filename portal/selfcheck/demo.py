"""Demo self-checks for `flask seed-demo`: a realistic mix of approved, submitted, returned (some as
perfunctory), drafts and not started, built through the service so the ledger is fed as in real use."""
import datetime as dt

from ..demo import demo_hook
from ..models import Campaign, User
from . import service
from .forms import new_key

# (category seq, aspect, description, measure, fixed at once)
BANK = [
    (1, "工作", "落实局党组部署的公共机构节能年度任务时行动偏慢，季度统计报表两次延期报送。",
     "建立任务清单和周调度台账，报表提前两个工作日完成初稿并由科长审核。", False),
    (1, "思想", "对“三基”建设年活动的紧迫感不强，存在“等一等、看一看”的想法。",
     "重新学习活动方案，制定个人推进计划，每月向科室负责人汇报一次进度。", False),
    (1, "工作", "办理基层单位报修申请时答复不及时，个别申请超过五个工作日未回复。",
     "实行报修申请当日登记、三日内答复，超期自动提醒。", True),
    (2, "学习", "业务学习不系统，对新修订的政府采购相关规定掌握不全面。",
     "每周安排不少于两小时专题学习，年底前完成政府采购业务培训并通过测试。", False),
    (2, "工作", "起草的资产清查报告数据核对不细，出现两处口径不一致。",
     "建立数据“双人核对”制度，报告报出前逐项核对口径。", True),
    (2, "思想", "面对资产处置中的矛盾有畏难情绪，存在好人主义倾向。",
     "坚持按制度办事，遇到矛盾及时请示报告，不回避、不推诿。", False),
    (3, "作风", "到基层单位调研次数偏少，对后勤服务对象的实际需求了解不深。",
     "每季度至少深入基层单位调研一次，形成调研报告和问题清单。", False),
    (3, "工作", "对巡察反馈的“新官不理旧账”问题整改跟进不够，个别历史遗留合同未及时清理。",
     "梳理历史合同台账，逐项明确责任人和完成时限。", False),
    (4, "学习", "理论学习存在“以读代学”现象，学习笔记内容较少，联系实际不够。",
     "结合分管工作撰写学习体会，每月至少一篇，在科室学习会上交流。", False),
    (4, "工作", "与财务科就公务用车费用核算的职责边界沟通不够，出现推诿情况。",
     "与相关科室共同梳理职责清单，建立联席会商机制。", False),
    (5, "生活", "参加同学聚会时未严格把关聚会性质和费用来源。",
     "严格执行廉洁自律规定，参加聚会前了解性质和费用，做到事前报告。", True),
    (5, "作风", "单位内部食堂接待来访人员时未严格执行接待标准。",
     "严格按公务接待标准执行，建立接待审批和登记台账。", True),
    (6, "作风", "上班期间偶有使用手机浏览与工作无关内容的情况。",
     "严格遵守工作纪律，上班期间手机静音放置，接受科室监督。", True),
    (6, "工作", "外出办事未按规定在考勤系统中登记报告。",
     "外出前一律在考勤系统登记并报告科室负责人，回来后及时销假。", True),
    (6, "生活", "值班期间有一次离岗超过半小时未交接。",
     "严格执行值班制度，临时离岗须经带班领导同意并做好交接。", True),
]


def _fill(sc, user, campaign, cl, rng, problem_share, perfunctory=False, upto=None):
    """Save all (or `upto`) steps: some items with problems from the bank, the rest 未发现问题."""
    aspect_ids = {name: aid for aid, name in cl.aspects.items()}
    start = max(campaign.start_date, dt.date(2026, 11, 15))
    for st in cl.steps[:upto]:
        values = {}
        for it in st.items:
            candidates = [b for b in BANK if b[0] == st.no]
            if not perfunctory and candidates and rng.random() < problem_share:
                cat, aspect, desc, measure, fixed = rng.choice(candidates)
                deadline = start + dt.timedelta(days=rng.randint(5, 70))
                values[it.id] = {"answer": "problem", "problems": [{
                    "key": new_key(), "aspect_id": aspect_ids[aspect], "description": desc, "measure": measure,
                    "deadline": deadline.isoformat(), "fixed_at_once": fixed}]}
            else:
                values[it.id] = {"answer": "no_problem", "problems": []}
        sc = service.save_step(sc, st, values, sc.draft_version, user, campaign, next_step=st.no + 1)
    return sc


@demo_hook
def selfcheck_demo(ctx):
    rng = ctx["rng"]
    campaign = Campaign.active()
    if campaign is None:
        return
    cl = service.checklist(campaign)
    accounts = ctx["accounts"]
    discipline = accounts["demo-discipline"]
    people = list(User.select().where(User.username.not_in(["demo-sysadmin", "demo-secadmin", "demo-auditor",
                                                             "demo-staff"])).order_by(User.id))
    if True:
        for i, user in enumerate(people):
            if not user.roles or user.has_role("sysadmin", "secadmin", "auditor"):
                continue
            kind = rng.random()
            sc = service.get_or_create(user, campaign)
            if kind < 0.12:
                continue  # not started
            if kind < 0.30:
                _fill(sc, user, campaign, cl, rng, 0.3, upto=rng.randint(1, 5))
                continue
            perfunctory = kind < 0.40
            sc = _fill(sc, user, campaign, cl, rng, 0.35, perfunctory=perfunctory)
            service.submit(sc, user, campaign, sc.draft_version)
            reviewer = _reviewer_for(user, accounts, discipline)
            if reviewer is None or kind < 0.55 and not perfunctory:
                continue  # awaiting review
            if perfunctory:
                service.review(sc, reviewer, "returned",
                               "20 项全部填写“未发现问题”，未结合本人岗位实际查摆，自查不深入，请重新对照检查。",
                               True, sc.versions_count)
            elif kind < 0.62:
                service.review(sc, reviewer, "returned", "问题查摆较笼统，请把整改措施写具体、可检验。", False,
                               sc.versions_count)
                if rng.random() < 0.6:
                    _resubmit(sc, user, campaign, cl)
            else:
                service.review(sc, reviewer, "approved", "查摆问题具体，整改措施可行。", False, sc.versions_count)
        # demo-staff: a returned draft mid-way, the classic case to show
        staff = accounts.get("demo-staff")
        if staff is not None:
            sc = service.get_or_create(staff, campaign)
            _fill(sc, staff, campaign, cl, rng, 0.5, upto=3)


def _resubmit(sc, user, campaign, cl):
    """Version 2: the measures made concrete, and one more problem found under the last item."""
    sc = service.find(user, campaign)
    for st in cl.steps:
        values = service.load_values(sc, [it.id for it in st.items])
        values = {it.id: values.get(it.id) or {"answer": "no_problem", "problems": []} for it in st.items}
        for v in values.values():
            for p in v["problems"]:
                p["measure"] = p["measure"].rstrip("。") + "；每月底对照台账自查一次，结果报科室负责人。"
        if st.no == len(cl.steps):
            last = st.items[-1].id
            values[last] = {"answer": "problem", "problems": values[last]["problems"] + [{
                "key": new_key(), "aspect_id": min(cl.aspects), "description": "对同事迟到早退等现象碍于情面不提醒、不报告。",
                "measure": "带头遵守考勤纪律，发现问题及时提醒并报告。", "deadline": "2026-12-31", "fixed_at_once": False}]}
        sc = service.save_step(sc, st, values, sc.draft_version, user, campaign, next_step=st.no + 1)
    service.submit(sc, user, campaign, sc.draft_version)


def _reviewer_for(user, accounts, discipline):
    if user.has_role("leader", "chief"):
        return discipline if user.id != discipline.id else None
    from ..models import RoleAssignment
    head = (User.select().join(RoleAssignment, on=(RoleAssignment.user == User.id))
            .where((User.department == user.department_id) & (RoleAssignment.role == "dept_head")
                   & (User.id != user.id)).first())
    if head is not None:
        return head
    return discipline if user.id != discipline.id else accounts.get("demo-leader")
