"""催办 and 领导批示: who urged whom and when, who instructed what; each notifies the people concerned
(in-app notices, mailed by the notices job where mail is configured) and is audited."""
from flask import url_for

from .. import audit, clock
from ..errors import Invalid, Refused
from ..extensions import db
from ..models import Problem, User
from ..models.supervision import Instruction, Urge
from ..notify import notify
from ..permissions import can, scope_problems
from ..quoting import quoted
from . import people

MAX_TEXT = 1000


def _short(text, n=30):
    s = (text or "").strip().replace("\n", " ")
    return s[:n] + ("…" if len(s) > n else "")


def problem_url(pid) -> str:
    try:
        return url_for("ledger.detail", problem_id=pid)
    except RuntimeError:
        return f"/ledger/{pid}"


def urge_problems(actor, ids, note: str = "") -> tuple[int, list[str]]:
    """催办 the open problems `ids` the actor may urge: the responsible person and the department's heads
    are notified. Returns (urged, [reasons for the ones skipped])."""
    note = (note or "").strip()[:200]
    done, failed = 0, []
    rows = {p.id: p for p in Problem.select().where(Problem.id.in_(list(ids) or [0]) & scope_problems(actor))}
    now = clock.now()
    for pid in ids:
        p = rows.get(pid)
        if p is None:
            failed.append(f"#{pid}：无权查看或不存在")
            continue
        if not can(actor, "problem.urge", p):
            failed.append(f"#{pid}：无权催办该部门的问题")
            continue
        if not p.is_open:
            failed.append(f"#{pid}：{p.status_label}，无需催办")
            continue
        targets = people.unique(([p.person] if p.person_id else []) + people.heads(p.department_id))
        targets = [u for u in targets if u.id != actor.id]
        with db.atomic():
            u = Urge.create(kind="problem", problem=p.id, person=p.person_id, by=actor.id, at=now,
                            notified=people.names(targets), note=note)
            late = "（已逾期）" if p.is_overdue else ""
            text = (f"{actor.real_name}催办：问题{quoted(_short(p.description))}{late}请抓紧整改，"
                    f"整改时限 {p.deadline or '未设定'}。" + (f"{note}" if note else ""))
            for t in targets:
                notify(t, "urge", text, problem_url(p.id), key=f"urge:{u.id}:{t.id}")
            audit.record("problem_urge", "problem", p.id, actor=actor,
                         detail={"urge": u.id, "to": people.names(targets)})
        done += 1
    return done, failed


def urge_selfchecks(actor, user_ids, campaign) -> tuple[int, list[str]]:
    """催办 people who have not submitted their self-check (head: own department; 分管领导: theirs)."""
    from ..models.selfcheck import SelfCheck
    done, failed = 0, []
    now = clock.now()
    submitted = {s.user_id for s in SelfCheck.select(SelfCheck.user).where(
        (SelfCheck.campaign == campaign.id) & SelfCheck.user.in_(list(user_ids) or [0])
        & SelfCheck.status.in_(("submitted", "approved")))}
    for u in User.select().where(User.id.in_(list(user_ids) or [0])):
        if not can(actor, "selfcheck.urge", u):
            failed.append(f"{u.real_name}：无权催办")
            continue
        if u.id in submitted:
            failed.append(f"{u.real_name}：已提交，无需催办")
            continue
        with db.atomic():
            row = Urge.create(kind="selfcheck", person=u.id, by=actor.id, at=now, notified=u.real_name)
            notify(u, "urge", f"{actor.real_name}催办：请尽快完成并提交个人自查自纠（{campaign.name}）。",
                   "/selfcheck/", key=f"urge:{row.id}:{u.id}")
            audit.record("selfcheck_urge", "user", u.id, actor=actor, detail={"urge": row.id})
        done += 1
    return done, failed


def urge_counts(problem_ids) -> dict:
    from peewee import fn
    if not problem_ids:
        return {}
    return dict(Urge.select(Urge.problem, fn.COUNT(Urge.id)).where(Urge.problem.in_(list(problem_ids)))
                .group_by(Urge.problem).tuples())


# ------------------------------------------------------------------------ 领导批示
def instruct_problem(actor, p: Problem, text: str) -> Instruction:
    text = (text or "").strip()
    if not text:
        raise Invalid("请填写批示内容")
    if len(text) > MAX_TEXT:
        raise Invalid(f"批示内容不超过 {MAX_TEXT} 字")
    if not can(actor, "problem.instruct", p):
        raise Refused("只有分管领导（分管部门）和局长可以批示")
    with db.atomic():
        ins = Instruction.create(leader=actor.id, problem=p.id, text=text, at=clock.now())
        targets = people.unique(([p.person] if p.person_id else []) + people.heads(p.department_id)
                                + people.office())
        msg = f"{actor.real_name}批示（问题{quoted(_short(p.description, 20))}）：{_short(text, 60)}"
        for t in targets:
            if t.id != actor.id:
                notify(t, "instruction", msg, problem_url(p.id), key=f"instruction:{ins.id}:{t.id}")
        audit.record("instruction_create", "problem", p.id, actor=actor, detail={"instruction": ins.id})
    return ins


def instruct_clue(actor, clue, text: str) -> Instruction:
    text = (text or "").strip()
    if not text:
        raise Invalid("请填写批示内容")
    if len(text) > MAX_TEXT:
        raise Invalid(f"批示内容不超过 {MAX_TEXT} 字")
    with db.atomic():
        ins = Instruction.create(leader=actor.id, clue_id=clue.id, text=text, at=clock.now())
        targets = people.unique(([clue.handler] if clue.handler_id else []) + people.office())
        for t in targets:
            if t.id != actor.id and t.id != clue.subject_user_id:
                notify(t, "instruction", f"{actor.real_name}对线索 {clue.number} 作出批示：{_short(text, 60)}",
                       f"/clues/{clue.id}", key=f"instruction:{ins.id}:{t.id}")
        audit.record("instruction_create", "clue", clue.id, actor=actor, detail={"instruction": ins.id})
    return ins


def instructions_for_problem(pid) -> list:
    return list(Instruction.select(Instruction, User).join(User, on=(Instruction.leader == User.id))
                .where(Instruction.problem == pid).order_by(Instruction.at.desc(), Instruction.id.desc()))


def my_instructions(leader) -> list:
    """The leader's instructions, newest first, each with what happened since (.since: events after it)."""
    from ..models import ProblemEvent
    from ..models.tip import Clue, ClueEvent
    rows = list(Instruction.select().where(Instruction.leader == leader.id)
                .order_by(Instruction.at.desc(), Instruction.id.desc()).limit(200))
    pids = [i.problem_id for i in rows if i.problem_id]
    probs = {p.id: p for p in Problem.select().where(Problem.id.in_(pids or [0]))}
    cids = [i.clue_id for i in rows if i.clue_id]
    clues = {c.id: c for c in Clue.select().where(Clue.id.in_(cids or [0]))}
    from ..models import STATUSES
    from ..models.tip import CLUE_STATUSES
    for i in rows:
        i.target = probs.get(i.problem_id) if i.problem_id else clues.get(i.clue_id)
        if i.problem_id:
            events = (ProblemEvent.select().where((ProblemEvent.problem == i.problem_id) & (ProblemEvent.at > i.at))
                      .order_by(ProblemEvent.at, ProblemEvent.id))
            i.since = [(e.at, EVENT_WORDS.get(e.kind, "办理") + (f" → {STATUSES.get(e.to_status, e.to_status)}"
                                                               if e.to_status else "")) for e in events]
        elif i.clue_id:
            events = (ClueEvent.select().where((ClueEvent.clue == i.clue_id) & (ClueEvent.at > i.at))
                      .order_by(ClueEvent.at, ClueEvent.id))
            i.since = [(e.at, "线索办理" + (f" → {CLUE_STATUSES.get(e.to_status, e.to_status)}" if e.to_status else ""))
                       for e in events]
        else:
            i.since = []
        if i.problem_id:
            i.since += [(u.at, "催办") for u in Urge.select().where((Urge.problem == i.problem_id) & (Urge.at > i.at))]
            i.since.sort(key=lambda x: x[0])
    return rows


EVENT_WORDS = {"created": "登记", "status": "状态变更", "edit": "修改", "action": "处理方式", "withdrawn": "撤回",
               "deadline": "整改时限调整", "link": "关联", "evidence": "上传整改佐证", "extension": "延期申请"}
