"""Home panels and page blocks of 督办: the 分管领导's 分管部门 panel, the 局长's ranking and reporting panel,
the dashboard's ranking, the block at the top of a problem's page."""
from flask import render_template, url_for
from markupsafe import Markup

from .. import clock
from ..models import Campaign, Department, Problem
from ..models.supervision import ESCALATION_LEVELS, Urge
from ..nav import home_panel, register_nav
from ..permissions import can
from . import bp, rag

register_nav("我的批示", "supervision.instructions", lambda u: bool(u.roles & {"leader", "chief"}), order=81)
register_nav("红黄绿", "supervision.rag_page", lambda u: can(u, "supervision.view"), order=82)


def unsubmitted_by_department(viewer) -> dict:
    campaign = Campaign.active()
    if campaign is None:
        return {}
    from ..selfcheck.department import department_summary
    return {d.id: r["unsubmitted"] for d, r in department_summary(viewer, campaign)}


def department_rows(leader, today=None) -> list[dict]:
    """Per department in the leader's charge: open, overdue, due soon, unsubmitted self-checks, colour."""
    ids = sorted(leader.departments_in_charge)
    if not ids:
        return []
    counts = {r["id"]: r for r in rag.by_department(leader, today)}
    unsub = unsubmitted_by_department(leader)
    out = []
    for d in Department.select().where(Department.id.in_(ids)).order_by(Department.sort_order, Department.id):
        r = counts.get(d.id) or dict(open=0, overdue=0, due_soon=0, returned=0, colour="green")
        out.append(dict(id=d.id, name=d.name, open=r["open"], overdue=r["overdue"], due_soon=r["due_soon"],
                        returned=r["returned"], colour=r["colour"], colour_label=rag.COLOURS[r["colour"]],
                        unsubmitted=unsub.get(d.id, 0)))
    return out


def ledger_link(dept_id, which="open"):
    return url_for("ledger.index", **rag.ledger_args(dept_id, which))


@home_panel(order=8)
def leader_panel(user):
    if "leader" not in user.roles or not user.departments_in_charge:
        return None
    return render_template("supervision/_leader_panel.html", rows=department_rows(user),
                           legend=rag.legend(), ledger_link=ledger_link)


@home_panel(order=9)
def chief_panel(user):
    if "chief" not in user.roles:
        return None
    from .reporting import coming_reports
    return render_template("supervision/_ranking.html", rows=rag.by_department(user), leaders=rag.by_leader(user),
                           legend=rag.legend(), ledger_link=ledger_link, title="各部门整改红黄绿排名",
                           reports=coming_reports(), home=True)


@bp.app_template_global("supervision_dashboard")
def dashboard_block(user):
    if not can(user, "supervision.view"):
        return ""
    from .. import cache
    from .patterns import common
    rows = rag.by_department(user)
    leaders = rag.by_leader(user, dept_rows=rows) if "leader" not in user.roles else []
    legend, items, may = rag.legend(), common(user), can(user, "ledger.mechanism")
    today = clock.today()
    # the HTML is kept by content: every number and name it shows, and the day its 临期 links start from
    key = cache.content_key("supervision", today, rag.soon_until(today), repr(rows), repr(leaders), repr(legend), may,
                            repr([(g["item"], g["item_obj"].text if g["item_obj"] else "", g["departments"],
                                   g["persons"], g["n"], g["share"], [(m.id, m.title) for m in g["mechanisms"]])
                                  for g in items]))
    return cache.memo("dashboard_parts", key, lambda: Markup(
        render_template("supervision/_ranking.html", rows=rows, leaders=leaders, legend=legend,
                        ledger_link=ledger_link, title="红黄绿排名（问题最多者在前）", reports=None, home=False)
        + render_template("supervision/_common.html", common=items, may_mechanism=may)))


@bp.app_template_global("supervision_top")
def problem_top(p, user):
    """The block at the top of a problem's page: 批示 (newest first), 催办 count, escalation level, and the
    forms the user may use."""
    from .escalation import levels
    from .service import instructions_for_problem
    ins = instructions_for_problem(p.id)
    urges = list(Urge.select().where(Urge.problem == p.id).order_by(Urge.at.desc()).limit(20))
    level = levels([p.id]).get(p.id, 0)
    may_instruct, may_urge = can(user, "problem.instruct", p), can(user, "problem.urge", p) and p.is_open
    if not (ins or urges or level or may_instruct or may_urge):
        return ""
    return Markup(render_template("supervision/_problem_top.html", p=p, instructions=ins, urges=urges,
                                  level=level, level_label=ESCALATION_LEVELS.get(level, ""),
                                  may_instruct=may_instruct, may_urge=may_urge,
                                  may_notice=can(user, "supervision.notice") and p.is_overdue))


@bp.app_template_global("supervision_clue_top")
def clue_top(clue, user):
    """领导批示 at the top of a clue's page (the clue ledger shows it to whoever may open the clue)."""
    from ..models import User
    from ..models.supervision import Instruction
    ins = list(Instruction.select(Instruction, User).join(User, on=(Instruction.leader == User.id))
               .where(Instruction.clue_id == clue.id).order_by(Instruction.at.desc()))
    may = "chief" in user.roles and clue.subject_user_id != user.id
    if not ins and not may:
        return ""
    return Markup(render_template("supervision/_clue_top.html", clue=clue, instructions=ins, may_instruct=may))


@bp.app_template_global("esc_label")
def esc_label(level):
    return ESCALATION_LEVELS.get(level, "")


def overdue_problems(dept_id):
    return Problem.select(Problem.id).where((Problem.department == dept_id) & Problem.overdue_expr())


def today():
    return clock.today()
