"""The status of clues in a 分管领导's departments, read-only: number, dates, item, status, deadlines — never
the reporter's identity or the tip's content, never a clue about the leader, about another member of the
leadership, or reserved for the higher body (回避). The 局长 sees the clues of the whole bureau that the
clue ledger shows them."""
from peewee import JOIN

from ..models import RoleAssignment, User
from ..models.tip import Clue
from ..permissions import found_or_404, scope_clues

Subject = User.alias("subject")


def scope(user):
    """Where-expression over Clue (joined with the subject as `Subject`)."""
    if "chief" in user.roles:
        return scope_clues(user)
    depts = sorted(user.departments_in_charge) or [0]
    leadership = RoleAssignment.select(RoleAssignment.user).where(RoleAssignment.role.in_(("leader", "chief")))
    mine = (Clue.subject_department.in_(depts) | Subject.department.in_(depts)
            | Clue.handler_department.in_(depts))
    not_me = Clue.subject_user.is_null() | ((Clue.subject_user != user.id) & Clue.subject_user.not_in(leadership))
    return (Clue.escalated == False) & mine & not_me  # noqa: E712


def _query(user):
    return (Clue.select(Clue.id, Clue.number, Clue.status, Clue.item, Clue.subject_department, Clue.subject_user,
                        Clue.handler_department, Clue.accept_due, Clue.handle_due, Clue.created_at,
                        Clue.concluded_at, Clue.conclusion, Clue.escalated, Clue.handler)
            .join(Subject, JOIN.LEFT_OUTER, on=(Clue.subject_user == Subject.id))
            .where(scope(user)))


def listing(user) -> list:
    return list(_query(user).order_by(Clue.created_at.desc(), Clue.id.desc()).limit(500))


def get_for(user, clue_id):
    return found_or_404(_query(user).where(Clue.id == clue_id).first(), Clue, clue_id, "clue")
