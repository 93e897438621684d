"""Roles, what each may do, and what each may see — as SQL where-expressions.

can(user, action, obj=None) answers a yes/no question; visible_departments(user) and the scope_*
functions turn "what may this user see" into expressions that every list, detail, export and
partial puts into its query.
"""
from functools import reduce
import operator

from peewee import Expression, Value

ROLES = {
    "staff": "干部职工",
    "dept_head": "科室（单位）负责人",
    "leader": "分管局领导",
    "chief": "局党组书记、局长",
    "discipline": "机关党委（纪委）",
    "inspector": "明察暗访人员",
    "clerk": "办公室文书",
    "custodian": "身份保管人",  # approves or refuses requests to see a named reporter's identity
    "sysadmin": "系统管理员",
    "secadmin": "安全管理员",
    "auditor": "审计管理员",
}
ADMIN_ROLES = frozenset({"sysadmin", "secadmin", "auditor"})
BUSINESS_ROLES = frozenset(ROLES) - ADMIN_ROLES
# who sees every department's business data
ALL_SEEING = frozenset({"discipline", "chief"})


class RoleConflict(ValueError):
    pass


def check_role_set(roles) -> None:
    """三员分立: the three admin roles exclude each other and every business role."""
    roles = set(roles)
    unknown = roles - set(ROLES)
    if unknown:
        raise RoleConflict(f"未知角色：{'、'.join(sorted(unknown))}")
    admins = roles & ADMIN_ROLES
    if len(admins) > 1:
        names = "、".join(ROLES[r] for r in sorted(admins))
        raise RoleConflict(f"三员分立：{names}不得由同一人兼任")
    if admins and roles & BUSINESS_ROLES:
        a = ROLES[next(iter(admins))]
        b = "、".join(ROLES[r] for r in sorted(roles & BUSINESS_ROLES))
        raise RoleConflict(f"三员分立：{a}不得兼任业务角色（{b}）")


def visible_departments(user):
    """None = all departments; otherwise the set of department ids whose business data the user sees
    beyond their own records."""
    roles = user.roles
    if roles & ALL_SEEING:
        return None
    depts = set()
    if "dept_head" in roles:
        depts.add(user.department_id)
    if "leader" in roles:
        depts |= set(user.departments_in_charge)
    return depts


def scope_expr(user, dept_field, person_field=None) -> Expression:
    """Where-expression: rows of the departments the user oversees, plus the user's own rows."""
    depts = visible_departments(user)
    if depts is None:
        return Value(1) == Value(1)
    parts = []
    if depts:
        parts.append(dept_field.in_(sorted(depts)))
    if person_field is not None:
        parts.append(person_field == user.id)
    if not parts:
        return Value(1) == Value(0)
    return reduce(operator.or_, parts)


def scope_problems(user):
    from .models import Problem
    return scope_expr(user, Problem.department, Problem.person)


def scope_users(user):
    """People the user may look up: themselves, the departments they oversee; admins see all users."""
    from .models import User
    if user.roles & {"sysadmin", "secadmin"}:
        return Value(1) == Value(1)
    return scope_expr(user, User.department, User.id)


def can(user, action: str, obj=None) -> bool:
    """The one place for yes/no permission questions."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    roles = user.roles
    rule = RULES.get(action)
    if rule is None:
        raise KeyError(f"unknown action {action!r}")
    return bool(rule(user, roles, obj))


def _oversees(user, dept_id) -> bool:
    depts = visible_departments(user)
    return depts is None or dept_id in depts


RULES = {
    "admin.manage": lambda u, r, o: "sysadmin" in r,
    "admin.security": lambda u, r, o: "secadmin" in r,
    "audit.read": lambda u, r, o: "auditor" in r,
    "user.view": lambda u, r, o: (o is not None and (o.id == u.id or bool(r & {"sysadmin", "secadmin"})
                                                     or _oversees(u, o.department_id))),
    "problem.view": lambda u, r, o: o is not None and (o.person_id == u.id or _oversees(u, o.department_id)),
    "problem.rectify": lambda u, r, o: o is not None and (
        ("dept_head" in r and o.department_id == u.department_id) or "discipline" in r),
    "problem.verify": lambda u, r, o: "discipline" in r,
    "problem.act": lambda u, r, o: "discipline" in r,
    "selfcheck.fill": lambda u, r, o: bool(r & BUSINESS_ROLES),
    "selfcheck.review": lambda u, r, o: bool(r & {"dept_head", "leader", "discipline"}),
    "tips.handle": lambda u, r, o: "discipline" in r,
    "ledger.view": lambda u, r, o: bool(r & BUSINESS_ROLES),
    "documents.write": lambda u, r, o: bool(r & {"clerk", "discipline"}),
    "documents.seal": lambda u, r, o: "secadmin" in r,
    "inspections.run": lambda u, r, o: "discipline" in r,
    "inspections.record": lambda u, r, o: bool(r & {"inspector", "discipline"}),
    "dashboard.view": lambda u, r, o: bool(r & {"discipline", "leader", "chief"}),
    "reports.generate": lambda u, r, o: "discipline" in r,
    # a named reporter's identity: handlers ask (o = the clue), a custodian decides, the auditor reads the log
    "clues.identity_request": lambda u, r, o: o is not None and o.subject_user_id != u.id and (
        "discipline" in r or _handles_clue(u, o)),
    "clues.identity_decide": lambda u, r, o: "custodian" in r and (
        o is None or (o.requester_id != u.id and o.clue.subject_user_id != u.id)),
    "clues.identity_log": lambda u, r, o: "auditor" in r,
}


def _handles_clue(user, clue) -> bool:
    from .clues.access import is_handler
    return is_handler(user, clue)


def found_or_404(row, model, object_id, object_type: str):
    """`row` comes from a scoped query. None → 404; an attempt on a row that exists outside the
    user's scope is audited as access_denied (a missing row is just a 404)."""
    if row is None:
        if model.select().where(model.id == object_id).exists():
            from . import audit
            audit.record("access_denied", object_type, object_id, outcome="denied")
        from flask import abort
        abort(404)
    return row
