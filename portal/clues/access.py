"""Clue errors and who is who: reserved clues, handlers, the clue a person may open (the rules and
scopes themselves are in permissions.py)."""

from ..errors import IllegalTransition, Invalid, VersionConflict  # noqa: F401 - the shared errors
from ..models import Department, RoleAssignment, User
from ..models.tip import Clue, Tip
from ..permissions import can, found_or_404, scope_clues, scope_escalated_clues as scope_escalated


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
    return can(user, "clues.handle", clue)


def get_clue_for(user, clue_id: int, escalated: bool = False) -> Clue:
    scope = scope_escalated(user) if escalated else scope_clues(user)
    clue = (Clue.select(Clue, Tip).join(Tip).where((Clue.id == clue_id) & scope).first())
    return found_or_404(clue, Clue, clue_id, "clue")


def can_manage(user, clue: Clue | None = None) -> bool:
    return can(user, "clues.manage", clue)


def handler_candidates():
    """People a clue may be assigned to: the discipline office and department heads."""
    return (User.select(User, Department).join(Department, on=(User.department == Department.id))
            .switch(User).join(RoleAssignment)
            .where((RoleAssignment.role.in_(("discipline", "dept_head"))) & (User.is_active_flag == True))  # noqa: E712
            .distinct().order_by(Department.sort_order, User.id))
