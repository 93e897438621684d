"""The Problem status machine and every write to a Problem, each in one transaction with its history
event and audit record. Feeders (self-check, tips, inspections) and the ledger call these."""
import json

from . import audit, clock, search
from .errors import IllegalTransition, VersionConflict  # noqa: F401 - raised here, caught by callers
from .extensions import db
from .models import STATUSES, TRANSITIONS, Problem, ProblemEvent

EDITABLE = ("description", "measures", "deadline", "severity", "remark", "person", "department",
            "item", "aspect", "partner", "is_accountability")


def _plain(v):
    if hasattr(v, "id"):
        return v.id
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def create(actor=None, note: str = "", **fields) -> Problem:
    """Create a Problem with its 'created' event. `status` may be given (立行立改 starts rectified)."""
    now = clock.now()
    with db.atomic():
        p = Problem.create(created_by=actor, created_at=now, updated_at=now, **fields)
        ProblemEvent.create(problem=p, actor=actor, kind="created", to_status=p.status, note=note, at=now)
        search.index_problem(p)
        audit.record("problem_create", "problem", p.id, actor=actor,
                     detail={"source": p.source, "department": p.department_id})
    return p


def _locked_update(p: Problem, expected_version: int, **changes) -> Problem:
    """Optimistic lock: UPDATE … WHERE version = expected. Zero rows -> VersionConflict."""
    changes["version"] = Problem.version + 1
    changes["updated_at"] = clock.now()
    n = (Problem.update(**changes)
         .where((Problem.id == p.id) & (Problem.version == expected_version)).execute())
    if n != 1:
        raise VersionConflict(Problem.get_by_id(p.id))
    return Problem.get_by_id(p.id)


def transition(problem_id: int, to: str, actor, expected_version: int, note: str = "",
               stage: str | None = None) -> Problem:
    """Move a Problem along TRANSITIONS; `stage` sets its review_stage in the same update (None: cleared
    when it leaves 已整改, kept otherwise)."""
    if to not in STATUSES:
        raise IllegalTransition("未知的整改状态")
    refused = None
    with db.atomic():
        p = Problem.get_by_id(problem_id)
        if p.version != expected_version:
            raise VersionConflict(p)
        if (p.status, to) not in TRANSITIONS:
            refused = p.status
        else:
            return _apply_transition(p, to, actor, expected_version, note, stage)
    # in its own transaction: a caller's enclosing transaction rolls back, the refusal record stays
    audit.record_apart("problem_refused", "problem", problem_id, outcome="refused", actor=actor,
                       detail={"from": refused, "to": to})
    raise IllegalTransition(f"不能从“{STATUSES[refused]}”直接变为“{STATUSES[to]}”")


def _apply_transition(p: Problem, to: str, actor, expected_version: int, note: str,
                      stage: str | None = None) -> Problem:
    extra = {"closed_at": clock.now()} if to == "closed" else {}
    if stage is not None:
        extra["review_stage"] = stage
    elif p.status == "rectified" or to == "closed":
        extra["review_stage"] = ""
    new = _locked_update(p, expected_version, status=to, **extra)
    ProblemEvent.create(problem=new, actor=actor, kind="status", from_status=p.status,
                        to_status=to, note=note)
    audit.record("problem_status", "problem", p.id, actor=actor, detail={"from": p.status, "to": to})
    return new


def set_stage(problem_id: int, stage: str, actor, expected_version: int, note: str = "") -> Problem:
    """Move a 已整改 Problem to the next reviewer without changing its status (the head's confirmation)."""
    with db.atomic():
        p = Problem.get_by_id(problem_id)
        if p.version != expected_version:
            raise VersionConflict(p)
        new = _locked_update(p, expected_version, review_stage=stage)
        ProblemEvent.create(problem=new, actor=actor, kind="review", from_status=p.status, to_status=p.status,
                            note=note, changes=json.dumps({"review_stage": [p.review_stage, stage]}))
    return new


def update(problem_id: int, actor, expected_version: int, note: str = "", kind: str = "edit",
           **fields) -> Problem:
    """Change editable fields; the event records old and new values."""
    bad = set(fields) - set(EDITABLE) - {"withdrawn", "self_reported", "fixed_at_once"}
    if bad:
        raise ValueError(f"not editable: {bad}")
    with db.atomic():
        p = Problem.get_by_id(problem_id)
        if p.version != expected_version:
            raise VersionConflict(p)
        changes = {}
        for k, v in fields.items():
            old = getattr(p, k + "_id") if hasattr(p, k + "_id") else getattr(p, k)
            if _plain(old) != _plain(v):
                changes[k] = [_plain(old), _plain(v)]
        if not changes:
            return p
        new = _locked_update(p, expected_version, **fields)
        if set(changes) & {*search.FIELDS, *search.NAMED_BY}:
            search.index_problem(new)
        ProblemEvent.create(problem=new, actor=actor, kind=kind, note=note,
                            changes=json.dumps(changes, ensure_ascii=False, default=str))
        audit.record("problem_update", "problem", p.id, actor=actor, detail=changes)
    return new


def add_event(problem: Problem, actor, kind: str, /, note: str = "", **data) -> ProblemEvent:
    """A history event that changes no column (an action taken, a link, an extension request)."""
    return ProblemEvent.create(problem=problem, actor=actor, kind=kind, note=note,
                               changes=json.dumps(data, ensure_ascii=False, default=str) if data else "")
