"""Who is who: reserved clues, handlers, the clue scopes and the clue a person may open."""

from functools import reduce
import operator

from peewee import Value

from ..errors import IllegalTransition, Invalid, VersionConflict  # noqa: F401 - the shared errors
from ..models import Department, RoleAssignment, User
from ..models.tip import Clue, Tip
from ..permissions import found_or_404


def discipline_department_ids() -> set[int]:
    """Departments where the discipline office's people sit (机关党委（纪委）)."""
    rows = (User.select(User.department).join(RoleAssignment)
            .where(RoleAssignment.role == "discipline").distinct())
    return {u.department_id for u in rows}


def reserved_reason(user: User | None) -> str:
    """Why a clue about `user` goes to the higher body, or "" when it is handled locally:
    the bureau's chief, and the discipline office's head (its dept_head, or its 书记)."""
    if user is None:
        return ""
    if "chief" in user.roles:
        return "反映局党组书记、局长"
    if user.department_id in discipline_department_ids() and (
            "dept_head" in user.roles or "书记" in (user.title or "")):
        return "反映机关党委（纪委）负责人"
    return ""


def is_handler(user, clue: Clue) -> bool:
    if clue.handler_id == user.id:
        return True
    return bool(clue.handler_department_id and "dept_head" in user.roles
                and user.department_id == clue.handler_department_id)


def scope_clues(user):
    """Where-expression for the clues `user` may see. Escalated clues and clues about the user are
    never in it; the discipline office (and the chief, read-only) see the rest; a handler sees what
    was assigned to them or to the department they head."""
    not_me = Clue.subject_user.is_null() | (Clue.subject_user != user.id)
    base = (Clue.escalated == False) & not_me  # noqa: E712
    if user.roles & {"discipline", "chief"}:
        return base
    mine = [Clue.handler == user.id]
    if "dept_head" in user.roles:
        mine.append(Clue.handler_department == user.department_id)
    return base & reduce(operator.or_, mine)


def scope_escalated(user):
    if "discipline" not in user.roles:
        return Value(1) == Value(0)
    return (Clue.escalated == True) & (Clue.subject_user.is_null() | (Clue.subject_user != user.id))  # noqa: E712


def get_clue_for(user, clue_id: int, escalated: bool = False) -> Clue:
    scope = scope_escalated(user) if escalated else scope_clues(user)
    clue = (Clue.select(Clue, Tip).join(Tip).where((Clue.id == clue_id) & scope).first())
    return found_or_404(clue, Clue, clue_id, "clue")


def can_manage(user, clue: Clue | None = None) -> bool:
    if "discipline" not in user.roles:
        return False
    return clue is None or clue.subject_user_id != user.id


def can_view_any(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.roles & {"discipline", "chief"}:
        return True
    return Clue.select().where(scope_clues(user)).exists()


def handler_candidates():
    """People a clue may be assigned to: the discipline office and department heads."""
    return (User.select(User, Department).join(Department, on=(User.department == Department.id))
            .switch(User).join(RoleAssignment)
            .where((RoleAssignment.role.in_(("discipline", "dept_head"))) & (User.is_active_flag == True))  # noqa: E712
            .distinct().order_by(Department.sort_order, User.id))
