"""Low-level clue writes: numbering, opening a clue from a tip, events, optimistic versions and refusals."""

import datetime as dt

from flask import current_app
from peewee import IntegrityError, fn

from .. import audit, clock, workdays
from ..errors import Conflict, IllegalTransition, VersionConflict
from ..extensions import db
from ..models.tip import Clue, ClueEvent, Tip
from ..tips import service as tips
from .access import reserved_reason

CHANGED = "该线索已被他人更新，页面已刷新，请核对后重新操作。"


def allocate(year: int) -> tuple[str, int]:
    """Next number in `year`: max + 1. Called inside open_clue's savepoint; the unique (year, seq)
    index turns a concurrent duplicate into an IntegrityError and open_clue retries."""
    last = Clue.select(fn.MAX(Clue.seq)).where(Clue.year == year).scalar() or 0
    seq = last + 1
    return f"XS-{year}-{seq:04d}", seq


def _event(clue, actor, kind, note="", from_status="", to_status=""):
    return ClueEvent.create(clue=clue, actor=actor, kind=kind, note=note, from_status=from_status,
                            to_status=to_status, at=clock.now())


@tips.opens_case
def open_clue(tip: Tip, subject_user=None, subject_department=None, actor=None) -> Clue:
    year = tip.received_on.year
    accept_due = workdays.add_workdays(tip.received_on, current_app.config.get("TIP_ACCEPT_WORKDAYS", 15))
    reason = reserved_reason(subject_user)
    # a tip left online keeps only its day, here too (the time could be matched with access logs)
    at = clock.now() if actor is not None else dt.datetime.combine(clock.today(), dt.time())
    for _attempt in range(50):
        try:
            with db.atomic():
                number, seq = allocate(year)
                clue = Clue.create(number=number, year=year, seq=seq, tip=tip, channel=tip.channel,
                                   item=tip.item_id, subject_user=subject_user,
                                   subject_department=subject_department or (
                                       subject_user.department_id if subject_user else None),
                                   escalated=bool(reason), escalation_reason=reason,
                                   accept_due=accept_due, created_by=actor, created_at=at)
                break
        except IntegrityError:
            continue
    else:  # pragma: no cover
        raise Conflict("线索编号分配冲突，请重试。")
    ClueEvent.create(clue=clue, actor=actor, kind="created", to_status="pending", at=at)
    if reason:
        ClueEvent.create(clue=clue, actor=None, kind="escalate", note=reason, at=at)
        audit.record("clue_escalated", "clue", clue.id, anonymous=actor is None, actor=actor,
                     detail={"reason": reason})
    return clue


def _locked_update(clue: Clue, expected_version: int, **changes) -> Clue:
    changes["version"] = Clue.version + 1
    n = Clue.update(**changes).where((Clue.id == clue.id) & (Clue.version == expected_version)).execute()
    if n != 1:
        raise VersionConflict(message=CHANGED)
    return Clue.select(Clue, Tip).join(Tip).where(Clue.id == clue.id).get()


def _check_version(clue, expected_version):
    if expected_version is not None and int(expected_version) != clue.version:
        raise VersionConflict(message=CHANGED)


def _refuse(clue, actor, to, message):
    """Refuse (409) and audit in its own transaction: a rollback around the refusal keeps the record."""
    audit.record_apart("clue_refused", "clue", clue.id, outcome="refused", actor=actor,
                       detail={"from": clue.status, "to": to, "reason": message})
    raise IllegalTransition(message)
