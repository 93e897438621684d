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
