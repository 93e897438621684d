"""Account operations shared by the admin pages, the roster import and the CLI."""
from . import audit
from .extensions import db
from .models import LeaderCharge, RoleAssignment, User
from .passwords import hash_password
from .permissions import ADMIN_ROLES, ROLES, RoleConflict, check_role_set

SYSADMIN_REFUSED = ("三员分立：系统管理员只能分配业务角色，不能授予或撤销系统管理员、安全管理员、审计管理员角色，"
                    "请由安全管理员在“角色管理”中办理。")
OWN_ROLES_REFUSED = "三员分立：不能授予或撤销自己账号的角色。"
OTHER_ADMIN_REFUSED = ("三员分立：不能更改其他管理员账号的角色，"
                       "须由单位授权人员在服务器上办理。")


def check_authority(actor, user, old_roles, new_roles) -> None:
    """三员分立 between the people who change roles. Raises RoleConflict with the reason.

    - nobody changes the roles of their own account or of another administrator's account;
    - the security administrator grants and revokes any other role (an administrator role included);
    - the system administrator grants and revokes business roles only;
    - `actor` None is the server's command line (the operator of the machine), which may do anything."""
    if actor is None:
        return
    changed = set(old_roles) ^ set(new_roles)
    if not changed:
        return
    if user is not None and user.id == actor.id:
        raise RoleConflict(OWN_ROLES_REFUSED)
    if set(old_roles) & ADMIN_ROLES:
        raise RoleConflict(OTHER_ADMIN_REFUSED)
    roles = actor.roles
    if "secadmin" in roles:
        return
    if "sysadmin" in roles:
        if changed & ADMIN_ROLES:
            raise RoleConflict(SYSADMIN_REFUSED)
        return
    raise RoleConflict("无权分配角色。")


def check_change(user, old, roles, actor, object_id) -> None:
    """check_role_set and check_authority; a refusal is audited before RoleConflict is raised."""
    try:
        check_role_set(roles)
        check_authority(actor, user, old, roles)
    except RoleConflict as e:
        audit.record_apart("role_refused", "user", object_id, outcome="refused", actor=actor,
                     detail={"roles": sorted(roles), "reason": str(e)})
        raise


def set_roles(user: User, roles, actor=None) -> None:
    """Replace a user's roles; 三员分立 violations raise RoleConflict (and are audited)."""
    roles = set(roles)
    check_change(user, set(user.roles), roles, actor, user.id)
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
    check_authority(actor, None, set(), roles)
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


__all__ = ["ROLES", "RoleConflict", "check_authority", "create_user", "set_roles", "set_charges"]
