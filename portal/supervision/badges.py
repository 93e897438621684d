"""What a ledger row shows of 督办: how many times it was urged, its escalation level and the 多发频发 flag.
`columns()` adds them to the ledger's row query as correlated subqueries (no extra query per page);
`attach(rows)` fills any row loaded without them (one query each for a whole page)."""
from peewee import Case, fn

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

    def same_item(field):
        return (P.select(fn.COUNT(P.id))
                .where((P.withdrawn == False) & (P.item == Problem.item) & (getattr(P, field) == getattr(Problem, field))))  # noqa: E712
    return [urged.alias("urge_count"),
            Case(None, [(Problem.open_expr(), level)], 0).alias("escalation_level"),
            Case(None, [(same_item("person") >= n, 1)], 0).alias("frequent_person"),
            Case(None, [(same_item("department") >= n, 1)], 0).alias("frequent_department")]


def attach(rows):
    rows = list(rows)
    if rows and all(hasattr(p, "frequent_department") for p in rows):  # loaded with columns()
        for p in rows:
            p.urge_count = int(p.urge_count or 0)
            p.escalation_level = int(p.escalation_level or 0)
            p.frequent = bool(p.item_id and (int(p.frequent_person or 0) and p.person_id
                                             or int(p.frequent_department or 0)))
        return rows
    from .escalation import levels
    from .patterns import frequent_keys
    from .service import urge_counts
    ids = [p.id for p in rows]
    counts, lv = urge_counts(ids), levels(ids)
    freq = frequent_keys(rows) if rows else set()
    for p in rows:
        p.urge_count = counts.get(p.id, 0)
        p.escalation_level = lv.get(p.id, 0)
        p.frequent = bool(p.item_id and (("p", p.person_id, p.item_id) in freq
                                         or ("d", p.department_id, p.item_id) in freq))
    return rows
