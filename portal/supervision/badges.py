"""What a ledger row shows of 督办: how many times it was urged, its escalation level and the 多发频发 flag.
`columns()` adds them to the ledger's row query as correlated subqueries (no extra query per page);
`attach(rows)` turns them into the row's badges, loading them in one query for rows read without them."""
from peewee import SQL, Case, fn

from .. import campaign_settings
from ..models import Problem
from ..models.supervision import Escalation, Urge


def columns() -> list:
    """Select-list expressions for the row query: urge_count, escalation_level, frequent_person,
    frequent_department (each aliased; a row then carries them as attributes)."""
    n = int(campaign_settings.get("repeat_threshold"))
    U, E, P = Urge.alias(), Escalation.alias(), Problem.alias()
    urged = U.select(fn.COUNT(U.id)).where(U.problem == Problem.id)
    level = E.select(fn.MAX(E.level)).where((E.problem == Problem.id) & (E.deadline == Problem.deadline))

    def repeated(field):
        """At least n Problems of the same item and person/department: stops at the n-th (EXISTS of the n-th
        row, not a count of them all), through migration 0043's indexes."""
        return fn.EXISTS(P.select(SQL("1"))
                         .where((getattr(P, field) == getattr(Problem, field)) & (P.item == Problem.item)
                                & (P.withdrawn == False)).limit(1).offset(n - 1))  # noqa: E712
    return [urged.alias("urge_count"),
            Case(None, [(Problem.open_expr(), level)], 0).alias("escalation_level"),
            Case(None, [(repeated("person"), 1)], 0).alias("frequent_person"),
            Case(None, [(repeated("department"), 1)], 0).alias("frequent_department")]


def attach(rows):
    rows = list(rows)
    missing = [p for p in rows if not hasattr(p, "frequent_department")]
    if missing:  # rows loaded without columns(): the same expressions, one query for all of them
        loaded = {r["id"]: r for r in Problem.select(Problem.id, *columns())
                  .where(Problem.id.in_([p.id for p in missing])).dicts()}
        for p in missing:
            for k, v in loaded.get(p.id, {}).items():
                if k != "id":
                    setattr(p, k, v)
    for p in rows:
        p.urge_count = int(getattr(p, "urge_count", 0) or 0)
        p.escalation_level = int(getattr(p, "escalation_level", 0) or 0)
        p.frequent = bool(p.item_id and (int(getattr(p, "frequent_person", 0) or 0) and p.person_id
                                         or int(getattr(p, "frequent_department", 0) or 0)))
    return rows
