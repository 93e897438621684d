"""Recording accountability outcomes per person on a ledger Problem (and through it its founded clue):
四种形态 with the measure, 组织处理, 政务处分, date, deciding body and 文号; 一案双查 links the violator's outcome
with the responsible leader's (主体责任 / 监督责任); 自查从宽 / 从严 is fixed when the outcome is recorded.
Every read goes through permissions.scope_outcomes."""
import datetime as dt

from .. import audit, clock
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..models import Problem, User
from ..models.outcome import Outcome, RESPONSIBILITIES
from ..models.selfcheck import SelfCheck
from ..models.tip import SUBSTANTIATED, Clue, ClueProblem
from ..permissions import scope_outcomes
from . import options

LEADER_RESPONSIBILITIES = ("main", "supervision")
EARLIEST = dt.date(2000, 1, 1)


def founded_clue_of(problem) -> Clue | None:
    """The concluded, founded (属实 / 部分属实) clue the problem is linked to, if any."""
    return (Clue.select().join(ClueProblem, on=(ClueProblem.clue == Clue.id))
            .where((ClueProblem.problem == problem.id) & (Clue.status == "concluded")
                   & Clue.conclusion.in_(SUBSTANTIATED)).order_by(Clue.id).first())


def leniency_for(problem) -> str:
    """自查从宽 for a self-reported problem; 从严 when the person's self-check was returned as 敷衍 and the
    problem was found by others; otherwise none."""
    if problem.self_reported or problem.source == "selfcheck":
        return "lenient"
    perfunctory = SelfCheck.select().where((SelfCheck.user == problem.person_id)
                                           & (SelfCheck.perfunctory_count > 0))
    if problem.campaign_id:
        perfunctory = perfunctory.where(SelfCheck.campaign == problem.campaign_id)
    return "strict" if perfunctory.exists() else ""


def check(problem, data: dict) -> dict:
    """The cleaned values, or Invalid with {field: message}."""
    errs = {}
    form, measure = None, ""
    raw = (data.get("form_measure") or "").strip()
    picked = {f"{o.form}:{o.code}": o for o in options.options("form_measure", problem.campaign_id)}
    if raw not in picked:
        errs["form_measure"] = "请选择四种形态及处理方式"
    else:
        form, measure = picked[raw].form, picked[raw].code
    org = (data.get("org_measure") or "").strip()
    if org and org not in {o.code for o in options.options("org_measure", problem.campaign_id)}:
        errs["org_measure"] = "请从列表中选择组织处理方式"
    sanction = (data.get("sanction") or "").strip()
    if sanction and sanction not in {o.code for o in options.options("sanction", problem.campaign_id)}:
        errs["sanction"] = "请从列表中选择政务处分"
    day = data.get("decided_on")
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day.strip()) if day.strip() else None
        except ValueError:
            day = None
    if not isinstance(day, dt.date):
        errs["decided_on"] = "请填写处理决定日期"
    elif day > clock.today():
        errs["decided_on"] = "处理决定日期不能晚于今天"
    elif day < EARLIEST:
        errs["decided_on"] = "处理决定日期有误"
    body = (data.get("decided_by_body") or "").strip()
    if not body:
        errs["decided_by_body"] = "请填写决定机关"
    elif len(body) > 64:
        errs["decided_by_body"] = "决定机关不超过 64 字"
    number = (data.get("doc_number") or "").strip()
    if len(number) > 48:
        errs["doc_number"] = "文号不超过 48 字"
    resp = (data.get("responsibility") or "").strip()
    if problem.is_accountability:
        if resp not in LEADER_RESPONSIBILITIES:
            errs["responsibility"] = "请选择领导责任类型：主体责任或监督责任"
    else:
        resp = "direct"
    note = (data.get("note") or "").strip()
    if len(note) > 2000:
        errs["note"] = "说明不超过 2000 字"
    if errs:
        raise Invalid("请按提示修改标出的内容", fields=errs)
    return dict(form=form, form_measure=measure, org_measure=org, sanction=sanction, decided_on=day,
                decided_by_body=body, doc_number=number, responsibility=resp, note=note)


def record(problem_id: int, actor, data: dict) -> Outcome:
    problem = Problem.get_or_none(Problem.id == problem_id)
    if problem is None or problem.withdrawn:
        raise NotFound("问题不存在")
    if not problem.person_id:
        raise Conflict("该问题未落实到具体责任人，不能登记个人处理结果")
    values = check(problem, data)
    clue = founded_clue_of(problem)
    with db.atomic():
        partner = None
        if problem.partner_id:
            partner = (Outcome.select().where((Outcome.problem == problem.partner_id) & (Outcome.void == False))  # noqa: E712
                       .order_by(Outcome.id.desc()).first())
        o = Outcome.create(problem=problem.id, clue=clue.id if clue else None, person=problem.person_id,
                           partner=partner.id if partner else None, leniency=leniency_for(problem),
                           created_by=actor, created_at=clock.now(), **values)
        if partner is not None and partner.partner_id is None:
            Outcome.update(partner=o.id).where(Outcome.id == partner.id).execute()
        audit.record("outcome_record", "outcome", o.id, actor=actor,
                     detail={"problem": problem.id, "person": problem.person_id, "form": o.form,
                             "measure": o.form_measure, "org": o.org_measure, "sanction": o.sanction,
                             "responsibility": o.responsibility, "partner": o.partner_id,
                             "number": o.doc_number})
    return o


def void(outcome_id: int, actor, reason: str) -> Outcome:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("请填写作废原因", fields={"reason": "请填写作废原因"})
    n = Outcome.update(void=True).where((Outcome.id == outcome_id) & (Outcome.void == False)).execute()  # noqa: E712
    if n != 1:
        raise Conflict("该处理结果已作废")
    Outcome.update(partner=None).where(Outcome.partner == outcome_id).execute()
    audit.record("outcome_void", "outcome", outcome_id, actor=actor, detail={"reason": reason[:255]})
    return Outcome.get_by_id(outcome_id)


def _labelled(rows):
    """Labels from the campaign lists, and the 一案双查 partner as "name（责任）"."""
    labels = {k: options.labels(k) for k in ("form_measure", "org_measure", "sanction")}
    pids = {o.partner_id for o in rows if o.partner_id}
    partners = {p.id: f"{p.person.real_name}（{p.responsibility_label}）" for p in
                Outcome.select(Outcome, User).join(User, on=(Outcome.person == User.id))
                .where(Outcome.id.in_(sorted(pids)))} if pids else {}
    for o in rows:
        o.measure_label = labels["form_measure"].get(o.form_measure, o.form_measure)
        o.org_label = labels["org_measure"].get(o.org_measure, o.org_measure)
        o.sanction_label = labels["sanction"].get(o.sanction, o.sanction)
        o.partner_label = partners.get(o.partner_id, "")
    return rows


def visible(user):
    """Outcomes `user` may see, with the person and the problem."""
    return (Outcome.select(Outcome, User, Problem).join(User, on=(Outcome.person == User.id))
            .switch(Outcome).join(Problem, on=(Outcome.problem == Problem.id))
            .where(scope_outcomes(user)))


def for_problem(user, problem) -> list[Outcome]:
    return _labelled(list(visible(user).where(Outcome.problem == problem.id).order_by(Outcome.id)))


def for_problems(user, problem_ids) -> list[Outcome]:
    rows = list(visible(user).where(Outcome.problem.in_(list(problem_ids))).order_by(Outcome.id))
    rows.sort(key=lambda o: (o.responsibility != "direct", o.id))
    return _labelled(rows)


def for_clue(user, clue) -> list[Outcome]:
    """The case's outcomes (both sides of 一案双查) the user may see: violator first, then the leaders."""
    linked = ClueProblem.select(ClueProblem.problem).where(ClueProblem.clue == clue.id)
    rows = list(visible(user).where((Outcome.clue == clue.id) | Outcome.problem.in_(linked)).order_by(Outcome.id))
    rows.sort(key=lambda o: (o.responsibility != "direct", o.id))
    return _labelled(rows)


def responsibility_choices():
    return [(k, RESPONSIBILITIES[k]) for k in LEADER_RESPONSIBILITIES]
