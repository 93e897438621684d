"""Administration operations: the department tree and user accounts. Views call these; every change
is audited here, so the roster import and any future command share the same rules."""
import re

from peewee import JOIN, IntegrityError, fn

from .. import accounts, audit, clock, search
from ..errors import Conflict
from ..extensions import db
from ..models import Department, LeaderCharge, RoleAssignment, User
from ..models.org import new_session_token
from ..passwords import generate_password, hash_password
from ..permissions import ADMIN_ROLES, ROLES

# the kinds a sysadmin may choose; "bureau" is the root the seed creates
EDITABLE_KINDS = {"office": "科室", "unit": "事业单位", "leadership": "局领导班子", "bureau": "局机关"}

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")


class AdminError(Conflict):
    """A refused administration action; str(e) is the Chinese message."""


# --- departments -------------------------------------------------------------------------------

def department_tree(include_inactive=True):
    """[(dept, depth, member_count)] in tree order (parents before children, by sort order)."""
    counts = dict(User.select(User.department, fn.COUNT(User.id))
                  .where(User.is_active_flag == True).group_by(User.department).tuples())  # noqa: E712
    q = Department.select().order_by(Department.sort_order, Department.name)
    if not include_inactive:
        q = q.where(Department.is_active == True)  # noqa: E712
    depts = list(q)
    ids = {d.id for d in depts}
    children: dict = {}
    for d in depts:
        parent = d.parent_id if d.parent_id in ids else None
        children.setdefault(parent, []).append(d)
    out = []

    def walk(parent, depth):
        for d in children.get(parent, []):
            out.append((d, depth, counts.get(d.id, 0)))
            walk(d.id, depth + 1)
    walk(None, 0)
    return out


def descendants(dept_id) -> set:
    """Ids of every department below dept_id (not including it)."""
    parent_of = dict(Department.select(Department.id, Department.parent).tuples())
    out = set()
    for d in parent_of:
        p, seen = parent_of.get(d), set()
        while p is not None and p not in seen:
            if p == dept_id:
                out.add(d)
                break
            seen.add(p)
            p = parent_of.get(p)
    return out


def _check_department(name, kind, parent_id, dept=None):
    name = (name or "").strip()
    if not name:
        raise AdminError("请填写部门名称")
    if kind not in EDITABLE_KINDS:
        raise AdminError("部门类型无效")
    clash = Department.select().where(fn.LOWER(Department.name) == name.lower())
    if dept is not None:
        clash = clash.where(Department.id != dept.id)
    if clash.exists():
        raise AdminError(f"已有同名部门：{name}")
    parent = None
    if parent_id:
        parent = Department.get_or_none(Department.id == int(parent_id))
        if parent is None:
            raise AdminError("上级部门不存在")
        if dept is not None and (parent.id == dept.id or parent.id in descendants(dept.id)):
            raise AdminError("不能把部门移到它自己或它的下级部门之下")
        if not parent.is_active and (dept is None or parent.id != dept.parent_id):
            raise AdminError("上级部门已停用")
    return name, parent


def create_department(name, kind, parent_id=None, sort_order=0, actor=None) -> Department:
    name, parent = _check_department(name, kind, parent_id)
    with db.atomic():
        d = Department.create(name=name, kind=kind, parent=parent, sort_order=int(sort_order or 0))
        audit.record("department_create", "department", d.id, actor=actor,
                     detail={"name": name, "kind": kind, "parent": parent.id if parent else None})
    return d


def update_department(dept, name, kind, parent_id=None, sort_order=0, actor=None) -> Department:
    name, parent = _check_department(name, kind, parent_id, dept=dept)
    changes = {}
    new = {"name": name, "kind": kind, "parent": parent.id if parent else None, "sort_order": int(sort_order or 0)}
    old = {"name": dept.name, "kind": dept.kind, "parent": dept.parent_id, "sort_order": dept.sort_order}
    for k, v in new.items():
        if old[k] != v:
            changes[k] = [old[k], v]
    if not changes:
        return dept
    with db.atomic():
        Department.update(name=name, kind=kind, parent=parent, sort_order=new["sort_order"]) \
            .where(Department.id == dept.id).execute()
        if "name" in changes:  # its Problems are found by the search under the new name (portal/search.py)
            search.reindex_department(dept.id)
        audit.record("department_update", "department", dept.id, actor=actor, detail=changes)
    return Department.get_by_id(dept.id)


def set_department_active(dept, active: bool, actor=None) -> Department:
    if bool(dept.is_active) == active:
        return dept
    if not active:
        members = User.select().where((User.department == dept) & (User.is_active_flag == True)).count()  # noqa: E712
        if members:
            raise AdminError(f"“{dept.name}”还有 {members} 名在用人员，请先调整其部门后再停用")
        kids = Department.select().where((Department.parent == dept) & (Department.is_active == True)).count()  # noqa: E712
        if kids:
            raise AdminError(f"“{dept.name}”下还有 {kids} 个在用的下级部门，请先停用或移走")
    elif dept.parent_id and not Department.get_by_id(dept.parent_id).is_active:
        raise AdminError("上级部门已停用，请先启用上级部门")
    with db.atomic():
        Department.update(is_active=active).where(Department.id == dept.id).execute()
        audit.record("department_activate" if active else "department_deactivate", "department", dept.id,
                     actor=actor, detail={"name": dept.name})
    return Department.get_by_id(dept.id)


# --- users -------------------------------------------------------------------------------------

def filter_users(query, q="", department=None, role=""):
    """The people filters both user lists share: a name/login/employee-number search, a department and a
    role ("none": people without any role)."""
    q = (q or "").strip()
    if q:
        like = f"%{q}%"
        query = query.where(User.username.ilike(like) | User.real_name.ilike(like)
                            | User.employee_no.ilike(like))
    if department:
        query = query.where(User.department == int(department))
    if role == "none":
        query = query.where(~fn.EXISTS(RoleAssignment.select(RoleAssignment.id)
                                       .where(RoleAssignment.user == User.id)))
    elif role:
        query = query.where(fn.EXISTS(RoleAssignment.select(RoleAssignment.id)
                                      .where((RoleAssignment.user == User.id) & (RoleAssignment.role == role))))
    return query


def user_query(viewer, q="", department=None, role="", active="", locked=False):
    """Users matching the list filters, within the viewer's scope (in SQL)."""
    from ..permissions import scope_users
    query = (User.select(User, Department).join(Department)
             .where(scope_users(viewer)))
    query = filter_users(query, q, department, role)
    if active == "1":
        query = query.where(User.is_active_flag == True)  # noqa: E712
    elif active == "0":
        query = query.where(User.is_active_flag == False)  # noqa: E712
    if locked:
        query = query.where(User.locked_until > clock.now())
    return query.order_by(Department.sort_order, Department.name, User.sort_name, User.username)


def attach_roles(users):
    """Fill each user's role/charge cache with two queries instead of two per row."""
    ids = [u.id for u in users]
    if not ids:
        return users
    roles: dict = {}
    for uid, r in RoleAssignment.select(RoleAssignment.user, RoleAssignment.role) \
            .where(RoleAssignment.user.in_(ids)).tuples():
        roles.setdefault(uid, set()).add(r)
    charges: dict = {}
    for uid, d in LeaderCharge.select(LeaderCharge.leader, LeaderCharge.department) \
            .where(LeaderCharge.leader.in_(ids)).tuples():
        charges.setdefault(uid, set()).add(d)
    for u in users:
        u.__dict__["_roles"] = frozenset(roles.get(u.id, ()))
        u.__dict__["_charge"] = frozenset(charges.get(u.id, ()))
    return users


EMAIL_RE = re.compile(r"^[^@\s，；;,]+@[^@\s，；;,]+\.[^@\s，；;,]+$")


def normalise_phone(phone) -> str:
    """Spaces and dashes out, a +86 / 0086 country prefix off: "+86 138-0000-1111" -> "13800001111"."""
    p = re.sub(r"[\s-]", "", str(phone or ""))
    return re.sub(r"^(\+86|0086)(?=1\d{10}$)", "", p)


def check_unique(username=None, employee_no=None, exclude_id=None) -> dict:
    """{field: message} for values already taken by another account."""
    errors = {}
    if username:
        q = User.select().where(fn.LOWER(User.username) == username.lower())
        if exclude_id:
            q = q.where(User.id != exclude_id)
        if q.exists():
            errors["username"] = f"登录名“{username}”已被使用"
    if employee_no:
        q = User.select().where(User.employee_no == employee_no)
        if exclude_id:
            q = q.where(User.id != exclude_id)
        if q.exists():
            errors["employee_no"] = f"工号“{employee_no}”已被使用"
    return errors


def create_account(actor, username, real_name, department, roles, charges=(), **extra):
    """Create an account with a one-time password. Returns (user, password). A RoleConflict (三员分立,
    or a role the actor may not grant) is audited."""
    roles = set(roles)
    accounts.check_change(None, set(), roles, actor, username)
    password = generate_password()
    with db.atomic():
        user = accounts.create_user(username, real_name, department, password, roles=roles, actor=actor,
                                    must_change=True, **extra)
        if "leader" in roles and charges:
            accounts.set_charges(user, charges, actor=actor)
    return user, password


def update_account(actor, user, roles, charges, **fields):
    """Change a user's fields, roles and (for leaders) departments in charge.
    Roles go first: a 三员分立 refusal (RoleConflict, audited by set_roles) leaves everything unchanged."""
    roles = set(roles)
    if user.id == actor.id and "sysadmin" in user.roles and "sysadmin" not in roles:
        refuse(actor, user, "撤销角色", "不能撤销自己的系统管理员角色")
    if roles != set(user.roles):
        accounts.set_roles(user, roles, actor=actor)  # checks 三员分立 and audits a refusal
    changes = {}
    for k, v in fields.items():
        old = getattr(user, k + "_id") if k == "department" else getattr(user, k)
        new = v.id if k == "department" else v
        if old != new:
            changes[k] = [old, new]
    with db.atomic():
        if changes:
            try:
                User.update(**fields).where(User.id == user.id).execute()
            except IntegrityError:
                raise AdminError("登录名或工号已被使用")
            if "real_name" in changes:  # found by the search under the new name (portal/search.py)
                search.reindex_person(user.id)
            dept_change = changes.pop("department", None)
            if dept_change:
                audit.record("department_change", "user", user.id, actor=actor,
                             detail={"from": dept_change[0], "to": dept_change[1]})
            if changes:
                for private in ("phone", "email"):  # the trail must not become a phone book
                    if private in changes:
                        changes[private] = "已修改"
                audit.record("user_update", "user", user.id, actor=actor, detail=changes)
        accounts.set_charges(user, charges if "leader" in roles else [], actor=actor)
    fresh = User.get_by_id(user.id)
    return fresh


SEPARATION_MESSAGE = ("三员分立：不能{what}管理员（系统管理员、安全管理员、审计管理员）的账号，"
                      "请由单位授权人员在服务器上执行 flask --app app reset-password。")



def refuse(actor, user, what: str, message: str):
    """Audit a refused administration action on `user` and raise AdminError(message)."""
    audit.record_apart("admin_refused", "user", user.id, outcome="refused", actor=actor,
                 detail={"action": what, "reason": message})
    raise AdminError(message)


def guard_other_admin(actor, user, what: str, message: str | None = None):
    """Nobody resets, disables or enables another administrator's account from the web pages."""
    if user.id != actor.id and user.roles & ADMIN_ROLES:
        refuse(actor, user, what, message or SEPARATION_MESSAGE.format(what=what))


def set_user_active(actor, user, active: bool):
    if bool(user.is_active_flag) == active:
        return user
    if not active and user.id == actor.id:
        refuse(actor, user, "停用", "不能停用自己的账号")
    guard_other_admin(actor, user, "启用或停用")
    with db.atomic():
        values = {"is_active_flag": active}
        if not active:
            values["session_token"] = new_session_token()  # end every open session now
        User.update(**values).where(User.id == user.id).execute()
        audit.record("user_enable" if active else "user_disable", "user", user.id, actor=actor,
                     detail={"username": user.username})
    return User.get_by_id(user.id)


def reset_password(actor, user) -> str:
    """A new one-time password; the user must change it, and every open session ends."""
    if user.id == actor.id:
        refuse(actor, user, "重置", "不能重置自己的密码，请在“修改密码”中修改。")
    guard_other_admin(actor, user, "重置")
    password = generate_password()
    with db.atomic():
        User.update(password_hash=hash_password(password), must_change_password=True,
                    session_token=new_session_token(), failed_logins=0) \
            .where(User.id == user.id).execute()
        audit.record("password_reset", "user", user.id, actor=actor, detail={"username": user.username})
    return password


def locked_users(viewer):
    from ..permissions import scope_users
    return list(User.select(User, Department).join(Department)
                .where(scope_users(viewer) & (User.locked_until > clock.now()))
                .order_by(User.locked_until.desc()))


def unlock(actor, user):
    if not (user.locked_until and user.locked_until > clock.now()):
        raise AdminError("该账号当前未被锁定")
    with db.atomic():
        User.update(locked_until=None, failed_logins=0).where(User.id == user.id).execute()
        audit.record("user_unlock", "user", user.id, actor=actor, detail={"username": user.username})
    return User.get_by_id(user.id)


def role_choices():
    return list(ROLES.items())


def departments_for_select(active_only=True):
    """(id, indented name) in tree order for <select>s."""
    return [(d.id, ("　" * depth) + d.name + ("" if d.is_active else "（已停用）"))
            for d, depth, _n in department_tree(include_inactive=not active_only)]


def chargeable_departments():
    """(id, name) of the 科室 and 事业单位 a 分管局领导 may be in charge of."""
    return [(d.id, d.name) for d, _depth, _n in department_tree(include_inactive=False)
            if d.kind in ("office", "unit")]


def users_without_roles_count() -> int:
    return User.select().where((User.is_active_flag == True) & ~fn.EXISTS(  # noqa: E712
        RoleAssignment.select(RoleAssignment.id).where(RoleAssignment.user == User.id))).count()


def leaders_without_charges_count() -> int:
    return (User.select().join(RoleAssignment, on=(RoleAssignment.user == User.id))
            .switch(User).join(LeaderCharge, JOIN.LEFT_OUTER, on=(LeaderCharge.leader == User.id))
            .where((RoleAssignment.role == "leader") & (User.is_active_flag == True)  # noqa: E712
                   & LeaderCharge.id.is_null()).count())


def departments_without_head_count() -> int:
    heads = (User.select(User.department).join(RoleAssignment, on=(RoleAssignment.user == User.id))
             .where((RoleAssignment.role == "dept_head") & (User.is_active_flag == True)))  # noqa: E712
    return Department.select().where((Department.is_active == True)  # noqa: E712
                                     & Department.kind.in_(["office", "unit"])
                                     & Department.id.not_in(heads)).count()
