"""Account operations shared by the admin pages, the roster import and the CLI."""
from . import audit
from .extensions import db
from .models import LeaderCharge, RoleAssignment, User
from .passwords import hash_password
from .permissions import ROLES, RoleConflict, check_role_set


def set_roles(user: User, roles, actor=None) -> None:
    """Replace a user's roles; 三员分立 violations raise RoleConflict (and are audited)."""
    roles = set(roles)
    try:
        check_role_set(roles)
    except RoleConflict as e:
        audit.record_apart("role_refused", "user", user.id, outcome="refused", actor=actor,
                           detail={"roles": sorted(roles), "reason": str(e)})
        raise
    with db.atomic():
        current = set(user.roles)
        for r in sorted(roles - current):
            RoleAssignment.create(user=user, role=r)
            audit.record("role_grant", "user", user.id, actor=actor, detail={"role": r})
        for r in sorted(current - roles):
            RoleAssignment.delete().where((RoleAssignment.user == user) & (RoleAssignment.role == r)).execute()
            audit.record("role_revoke", "user", user.id, actor=actor, detail={"role": r})
    user.forget_roles()


def set_charges(leader: User, department_ids, actor=None) -> None:
    department_ids = set(int(d) for d in department_ids)
    with db.atomic():
        current = set(leader.departments_in_charge)
        for d in department_ids - current:
            LeaderCharge.create(leader=leader, department=d)
        if current - department_ids:
            LeaderCharge.delete().where((LeaderCharge.leader == leader)
                                        & (LeaderCharge.department.in_(list(current - department_ids)))).execute()
        if current != department_ids:
            audit.record("charge_change", "user", leader.id, actor=actor,
                         detail={"departments": sorted(department_ids)})
    leader.forget_roles()


def create_user(username, real_name, department, password, roles=(), actor=None, must_change=True,
                password_hash=None, **extra) -> User:
    """`password_hash` lets a caller that creates many accounts with one password (the demo) hash
    it once; Argon2 salts make each hash unique, so sharing one only reveals that they are equal."""
    check_role_set(roles)
    hashed = password_hash or hash_password(password)  # slow on purpose: outside the transaction
    with db.atomic():
        user = User.create(username=username, real_name=real_name, department=department,
                           password_hash=hashed, must_change_password=must_change,
                           **extra)
        audit.record("user_create", "user", user.id, actor=actor, detail={"username": username})
        for r in sorted(set(roles)):
            RoleAssignment.create(user=user, role=r)
            audit.record("role_grant", "user", user.id, actor=actor, detail={"role": r})
    return user


__all__ = ["ROLES", "RoleConflict", "create_user", "set_roles", "set_charges"]
