"""The operations a user may perform on each ledger row (the row itself is the macro in ledger/_row.html)."""



def attach_ops(rows, user):
    """The row buttons each Problem offers this user: [(mode, label, primary)], decided once in Python."""
    from ..permissions import can
    verify, decide, act = (can(user, a) for a in ("problem.verify", "problem.extend_decide", "problem.act"))
    for p in rows:
        ops = []
        st = p.status
        if st == "pending" and can(user, "problem.rectify", p):
            ops.append(("start", "开始整改", True))
        if st == "in_progress" and can(user, "problem.rectify", p):
            ops.append(("rectify", "报告已整改", True))
        if st == "rectified" and p.review_stage == "head":
            if can(user, "problem.confirm", p):
                ops += [("confirm", "确认整改", True), ("return", "退回", False)]
        elif st == "rectified" and verify:
            ops += [("close", "销号", True), ("return", "退回", False)]
        if getattr(p, "pending_ext", None) and decide:
            ops.append(("decide", "审批延期", False))
        if p.is_open and not getattr(p, "pending_ext", None) and can(user, "problem.extend", p):
            ops.append(("extend", "申请延期", False))
        if st != "closed" and act:
            ops.append(("action", "通报提醒约谈", False))
        if st != "closed" and can(user, "problem.edit", p):
            ops.append(("edit", "编辑", False))
        p.ops = ops
    return rows


def _shown(p) -> tuple:
    """Everything a row's markup is made from (the row macro reads nothing else from the Problem): its loaded
    columns, its relations' shown names, actions, mechanisms, pending extension, 督办 badges and buttons."""
    item, ext = p.item if p.item_id else None, p.pending_ext
    return (tuple(p.__data__.items()), p.department.id, p.department.name,
            p.person.real_name if p.person_id else None,
            (item.seq, item.text, item.category.name if item.category_id else None) if item else None,
            tuple((a.id, a.kind, a.date, a.document_id) for a in p.action_list),
            tuple((m.id, m.title) for m in p.mechanism_list),
            (ext.id, ext.new_deadline) if ext else None, p.urge_count, p.escalation_level, p.frequent, tuple(p.ops))


def rendered_rows(pg, office, actor, today, base, hl=()) -> list:
    """Each row of a page as markup (the macro in ledger/_row.html), kept in the "ledger_rows" cache under
    everything it shows (cache.content_key): after a write only the changed rows are rendered again."""
    from flask import get_template_attribute
    from .. import cache
    from ..models.problem import due_soon_days
    macro, out, days = None, [], due_soon_days()
    for i, p in enumerate(pg.rows):
        seq = pg.offset + i + 1
        k = cache.content_key(_shown(p), seq, office, actor, today, days, base, tuple(hl))
        html = cache.get("ledger_rows", k)
        if html is None:
            macro = macro or get_template_attribute("ledger/_row.html", "row")
            html = cache.put("ledger_rows", k, macro(p, seq, office, today, None, actor, base, list(hl) or None))
        out.append(html)
    return out
