"""典型问题: the office marks a problem or a clue as typical; the page shows each with its outcomes and the
circular(s) that named it (through the problem, or the clue's linked problems)."""
from .. import audit, clock
from ..errors import Conflict, NotFound
from ..models import Document, DocumentProblem, Problem
from ..models.outcome import TypicalCase
from ..models.tip import Clue, ClueProblem
from . import service


def mark(actor, summary: str, problem_id=None, clue_id=None) -> TypicalCase:
    if problem_id:
        if Problem.get_or_none(Problem.id == problem_id) is None:
            raise NotFound("问题不存在")
        existing = TypicalCase.get_or_none(TypicalCase.problem == problem_id)
    else:
        if Clue.get_or_none(Clue.id == clue_id) is None:
            raise NotFound("线索不存在")
        existing = TypicalCase.get_or_none(TypicalCase.clue == clue_id)
    if existing is not None:
        raise Conflict("已标记为典型问题")
    t = TypicalCase.create(problem=problem_id or None, clue=clue_id or None, summary=(summary or "").strip()[:2000],
                           marked_by=actor, marked_at=clock.now())
    audit.record("typical_mark", "typical_case", t.id, actor=actor,
                 detail={"problem": problem_id, "clue": clue_id})
    return t


def unmark(actor, typical_id: int) -> None:
    t = TypicalCase.get_or_none(TypicalCase.id == typical_id)
    if t is None:
        raise NotFound("典型问题不存在")
    t.delete_instance()
    audit.record("typical_unmark", "typical_case", typical_id, actor=actor,
                 detail={"problem": t.problem_id, "clue": t.clue_id})


def of_problem(problem_id):
    return TypicalCase.get_or_none(TypicalCase.problem == problem_id)


def of_clue(clue_id):
    return TypicalCase.get_or_none(TypicalCase.clue == clue_id)


def _problem_ids(t) -> list[int]:
    if t.problem_id:
        p = Problem.get_by_id(t.problem_id)
        return [p.id] + ([p.partner_id] if p.partner_id else [])
    return [cp.problem_id for cp in ClueProblem.select(ClueProblem.problem).where(ClueProblem.clue == t.clue_id)]


def cases(user) -> list[dict]:
    """Every typical case with its outcomes (as the user may see them) and the issued circulars naming it."""
    out = []
    for t in TypicalCase.select().order_by(TypicalCase.marked_at.desc(), TypicalCase.id.desc()):
        pids = _problem_ids(t)
        problems = list(Problem.select().where(Problem.id.in_(pids)).order_by(Problem.id)) if pids else []
        docs = list(Document.select().join(DocumentProblem, on=(DocumentProblem.document == Document.id))
                    .where(DocumentProblem.problem.in_(pids) & (Document.kind == "circular")
                           & (Document.status == "issued")).distinct().order_by(Document.id)) if pids else []
        if t.clue_id:
            outcomes = service.for_clue(user, t.clue)
        else:
            outcomes = service.for_problems(user, pids)
        out.append({"case": t, "problems": problems, "circulars": docs, "outcomes": outcomes})
    return out
