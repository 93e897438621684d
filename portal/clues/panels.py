"""What the clue ledger adds to the rest of the portal: navigation, the home panel, the panel on a
Problem's page."""
from flask import render_template

from .. import clock
from ..models.tip import Clue, ClueProblem, Tip
from ..nav import home_panel, problem_panel, register_nav
from ..permissions import can
from . import queries, service

register_nav("举报箱", "tips.index", lambda u: True, order=34)
register_nav("问题线索", "clues.index", lambda u: can(u, "clues.view"), order=35)


@home_panel(order=15)
def clue_panel(user):
    if can(user, "clues.manage"):
        c = queries.counts(user)
        urgent = list(Clue.select(Clue, Tip).join(Tip)
                      .where(service.scope_clues(user) & (Clue.overdue_expr() | (Clue.status == "pending")))
                      .order_by(Clue.overdue_expr().desc(), Clue.accept_due, Clue.id).limit(6))
        escalated = (Clue.select().where(service.scope_escalated(user) & Clue.forwarded_at.is_null()).count())
        return render_template("clues/_home_panel.html", counts=c, urgent=urgent, escalated=escalated,
                               office=True)
    # "交办给我的": assigned to the user, or to the department the user heads — not every clue the user may
    # read (the 局长 reads them all)
    to_me = Clue.handler == user.id
    if "dept_head" in user.roles:
        to_me = to_me | (Clue.handler_department == user.department_id)
    mine = list(Clue.select(Clue, Tip).join(Tip)
                .where(service.scope_clues(user) & to_me & (Clue.status.in_(("assigned", "verifying"))))
                .order_by(Clue.handle_due, Clue.id).limit(6))
    if not mine:
        return None
    return render_template("clues/_home_panel.html", urgent=mine, office=False, counts=None, escalated=0)


@problem_panel(order=20)
def problem_clue_panel(problem, user):
    links = list(ClueProblem.select(ClueProblem, Clue).join(Clue)
                 .where((ClueProblem.problem == problem.id) & service.scope_clues(user)))
    if not links:
        return None
    return render_template("clues/_problem_panel.html", links=links, today=clock.today())


from . import demo  # noqa: E402,F401


register_nav("身份审批", "clues.identity_requests", lambda u: can(u, "clues.identity_decide"), order=36)
register_nav("身份查看记录", "clues.identity_log", lambda u: can(u, "clues.identity_log"), order=93)


@home_panel(order=14)
def identity_panel(user):
    """The custodian's queue of requests to see a named reporter's identity."""
    if not can(user, "clues.identity_decide"):
        return None
    from .identity import pending
    n = pending().count()
    return render_template("clues/_identity_panel.html", pending=n)
