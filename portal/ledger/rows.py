"""Rendered ledger rows: the operations a user may perform on each row, and the cached row HTML."""



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


# -- row rendering memo ------------------------------------------------------------------------------
# A row's HTML is a pure function of what it shows; the key below holds every shown value, so a change
# anywhere (a field, an action, a link, the date, the viewer's buttons) is a new key, never a stale row
# (a content-addressed entry of portal/cache.py).
def _row_key(p, seq, office, base, today):
    item = p.item if p.item_id else None
    return (
        p.id, p.version, seq, office, base, today, p.status, p.review_stage, p.severity, p.source, p.self_reported,
        p.description, p.measures, p.remark, p.deadline, p.fixed_at_once, p.closed_at, p.withdrawn,
        p.department.name, p.person.real_name if p.person_id else None,
        (item.id, item.seq, item.text, item.category.name) if item else None,
        tuple((a.id, a.kind, a.date, a.document_id) for a in p.action_list),
        tuple((m.id, m.title) for m in p.mechanism_list),
        (p.pending_ext.id, p.pending_ext.new_deadline) if p.pending_ext else None,
        tuple(p.ops), p.due_soon,
        getattr(p, "urge_count", 0), getattr(p, "escalation_level", 0), getattr(p, "frequent", False),
    )


def render_row(p, seq, office, base, today, actor=True):
    from flask import render_template
    from markupsafe import Markup
    from .. import cache
    return cache.memo("ledger_rows", (_row_key(p, seq, office, base, today), actor), lambda: Markup(
        render_template("ledger/_row.html", p=p, seq=seq, office=office, today=today, error=None,
                        actor=actor)))
