"""Feeding a submitted self-check's problems into the Problem ledger (idempotent by Problem.origin)."""

import datetime as dt

from .. import problems
from ..errors import Conflict
from ..models import Problem


def origin_of(sc_id: int, key: str) -> str:
    return f"selfcheck:{sc_id}:{key}"


def sync_ledger(sc, user, campaign, cl, content, actor):
    """Each problem of the submitted content ↔ exactly one Problem (origin selfcheck:<sc>:<key>).
    New → create; existing → update; missing → withdrawn with a history event (never deleted)."""
    prefix = f"selfcheck:{sc.id}:"
    existing = {p.origin: p for p in Problem.select().where(Problem.origin.startswith(prefix))}
    aspect_ids = {name: aid for aid, name in cl.aspects.items()}
    seen = set()
    number = content["number"]
    for item in content["items"]:
        for p in item["problems"]:
            origin = origin_of(sc.id, p["key"])
            seen.add(origin)
            fields = {"item": item["item_id"], "aspect": aspect_ids.get(p["aspect"]),
                      "description": p["description"], "measures": p["measure"],
                      "deadline": dt.date.fromisoformat(p["deadline"]), "fixed_at_once": p["fixed_at_once"]}
            old = existing.get(origin)
            if old is None:
                problems.create(actor=actor, note=f"个人自查第 {number} 版", campaign=campaign.id,
                                person=user.id, department=user.department_id, source="selfcheck",
                                self_reported=True, status="rectified" if p["fixed_at_once"] else "pending",
                                origin=origin, **fields)
            else:
                if old.withdrawn:
                    fields["withdrawn"] = False
                _update_problem(old, actor, note=f"个人自查第 {number} 版修改", **fields)
    for origin, old in existing.items():
        if origin not in seen and not old.withdrawn:
            _update_problem(old, actor, note=f"个人自查第 {number} 版已删除此问题", kind="withdrawn",
                            withdrawn=True)


def _update_problem(p, actor, **fields):
    """problems.update with the row's current version; if the ledger changed it meanwhile, re-read
    and apply again (our fields are the person's own submission, they win)."""
    version = p.version
    for _attempt in range(3):
        try:
            return problems.update(p.id, actor, version, **fields)
        except problems.VersionConflict as e:
            version = e.current.version
    raise Conflict("整改台账正被他人修改，请稍后重新提交。")
