"""The ledger table: decorating a page of Problems with their relations (one query each), the official
columns and each cell's text (shared by the screen and the .xlsx export).
"""

from collections import defaultdict

from peewee import DoesNotExist, fn

from ..models import SEVERITIES, SOURCES, STATUSES
from ..models.ledger import DeadlineExtension, Mechanism, MechanismProblem, ProblemAction, ProblemEvidence


def decorate(rows, with_evidence=True, with_extensions=True):
    """Attach to each Problem: .action_list, .mechanism_list, .evidence_count, .pending_ext — in a
    few queries for the whole list (no query per row)."""
    ids = [p.id for p in rows]
    acts, mechs, evid, exts = defaultdict(list), defaultdict(list), defaultdict(int), {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for a in (ProblemAction.select().where(ProblemAction.problem.in_(chunk))
                  .order_by(ProblemAction.date, ProblemAction.id)):
            acts[a.problem_id].append(a)
        for mp in (MechanismProblem.select(MechanismProblem.problem, Mechanism.id, Mechanism.title)
                   .join(Mechanism).where(MechanismProblem.problem.in_(chunk))):
            mechs[mp.problem_id].append(mp.mechanism)
        if with_evidence:  # only the row editor shows the evidence count
            for pid, n in (ProblemEvidence.select(ProblemEvidence.problem, fn.COUNT(ProblemEvidence.id))
                           .where(ProblemEvidence.problem.in_(chunk))
                           .group_by(ProblemEvidence.problem).tuples()):
                evid[pid] = n
        if with_extensions:
            for e in DeadlineExtension.select().where(DeadlineExtension.problem.in_(chunk)
                                                      & (DeadlineExtension.status == "pending")):
                exts[e.problem_id] = e
    for p in rows:
        p.action_list = acts.get(p.id, [])
        p.mechanism_list = mechs.get(p.id, [])
        p.evidence_count = evid.get(p.id, 0)
        if with_extensions:  # otherwise the caller loaded it with the rows (queries.page_of)
            p.pending_ext = exts.get(p.id)
    from ..supervision.badges import attach
    attach(rows)  # 催办 count, escalation level, 多发频发 flag
    return rows


COLUMNS = ("序号", "问题来源", "责任单位", "责任人", "问题类别", "问题描述", "严重程度", "整改措施",
           "整改时限", "整改状态", "处理方式", "销号情况", "备注")


def _rel(p, name):
    """A related row if it was loaded with the query (or is cheap to load)."""
    try:
        return getattr(p, name)
    except DoesNotExist:  # a missing relation shows as empty
        return None


def source_text(p):
    return "自查（主动查摆）" if p.self_reported or p.source == "selfcheck" else SOURCES.get(p.source, p.source)


def category_text(p):
    item = _rel(p, "item")
    if item is None:
        return ""
    cat = _rel(item, "category")
    return f"{cat.name if cat else ''} {item.seq}. {item.text}".strip()


def status_text(p):
    s = STATUSES.get(p.status, p.status)
    return s + "（逾期）" if p.is_overdue else s


def actions_text(p):
    return "；".join(f"{a.kind_label} {a.date.isoformat()}" for a in getattr(p, "action_list", []))


def closing_text(p):
    if p.status == "closed":
        return f"已销号 {p.closed_at.date().isoformat()}" if p.closed_at else "已销号"
    return "未销号"


def remark_text(p):
    parts = [p.remark] if p.remark else []
    if p.fixed_at_once:
        parts.append("立行立改")
    for m in getattr(p, "mechanism_list", []):
        parts.append(f"长效机制：{m.title}")
    return "；".join(parts)


def cells(p, seq: int) -> list:
    """One ledger line as text, in COLUMNS order."""
    dept = _rel(p, "department")
    person = _rel(p, "person")
    return [
        seq, source_text(p), dept.name if dept else "", person.real_name if person else "",
        category_text(p), p.description, SEVERITIES.get(p.severity, p.severity), p.measures,
        p.deadline.isoformat() if p.deadline else "", status_text(p), actions_text(p),
        closing_text(p), remark_text(p),
    ]
