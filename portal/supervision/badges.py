"""What a ledger row shows of 督办: how many times it was urged and its escalation level (one query each
for a whole page of rows)."""


def attach(rows):
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
