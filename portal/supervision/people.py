"""Who is told: a department's heads, its 分管领导, the 局长, the discipline office."""
from ..models import LeaderCharge, RoleAssignment, User


def _with_role(role, *where):
    q = (User.select().join(RoleAssignment, on=(RoleAssignment.user == User.id))
         .where((RoleAssignment.role == role) & (User.is_active_flag == True), *where))  # noqa: E712
    return list(q.order_by(User.id))


def heads(dept_id) -> list:
    return _with_role("dept_head", User.department == dept_id)


def leaders_of(dept_id) -> list:
    return list(User.select().join(LeaderCharge, on=(LeaderCharge.leader == User.id))
                .where((LeaderCharge.department == dept_id) & (User.is_active_flag == True))  # noqa: E712
                .order_by(User.id))


def chiefs() -> list:
    return _with_role("chief")


def office() -> list:
    return _with_role("discipline")


def names(users) -> str:
    return "、".join(u.real_name for u in users)


def unique(users) -> list:
    seen, out = set(), []
    for u in users:
        if u is not None and u.id not in seen:
            seen.add(u.id)
            out.append(u)
    return out
