"""Who may do what, and who may see what. Every rule of the portal is in this file.

Read RULES below like a permission list: each action (an area and a verb, e.g. "ledger.view") maps to
a rule `(user, roles, obj) -> bool`. Use them in exactly three ways:

    @require("ledger.view")                 a view: login first, then the rule, or 403 (audited)
    can(user, "problem.rectify", p)         a yes/no question in Python or a template ({{ can(...) }})
    scope_problems(user)                    a where-expression: the rows of a listed model a user sees
                                            (portal/scopes.py, imported from here)

A record loaded through a scope that comes back empty goes through found_or_404 (404, and an attempt on a
row that exists is audited); a refusal found after loading calls deny(). No other module changes RULES.
"""
from functools import wraps

from .errors import Invalid

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


class RoleConflict(Invalid):
    """A role set that breaks 三员分立 (shown at the form, 422)."""


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


# ---------------------------------------------------------------------------------- departments seen
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


def scope_signature(user) -> tuple:
    """Everything that decides what `user` sees: two users with the same signature see the same rows
    (cache keys use it)."""
    depts = visible_departments(user)
    return (user.id, user.department_id, tuple(sorted(user.roles)),
            None if depts is None else tuple(sorted(depts)))


def _oversees(user, dept_id) -> bool:
    depts = visible_departments(user)
    return depts is None or dept_id in depts


def _reviews(viewer, owner) -> bool:
    """Heads review their department, leaders the departments in their charge, the discipline office
    everyone; the leaders' (and the chief's) own self-checks only the discipline office. Never one's own."""
    if viewer is None or owner is None or viewer.id == owner.id:
        return False
    roles = viewer.roles
    if owner.roles & {"leader", "chief"}:
        return "discipline" in roles
    if "discipline" in roles:
        return True
    if "dept_head" in roles and owner.department_id == viewer.department_id:
        return True
    return "leader" in roles and owner.department_id in viewer.departments_in_charge


def _inspects(user, plan) -> bool:
    from .models.inspection import PlanInspector
    return PlanInspector.select().where((PlanInspector.plan == plan.id)
                                        & (PlanInspector.user == user.id)).exists()


def _not_about_me(u, clue) -> bool:
    return clue is None or clue.subject_user_id != u.id


def _handles(u, clue) -> bool:
    """The clue's handler, or the head of the department it was assigned to."""
    if clue.handler_id == u.id:
        return True
    return bool(clue.handler_department_id and "dept_head" in u.roles
                and u.department_id == clue.handler_department_id)


def _any_clue(u) -> bool:
    from .models.tip import Clue
    return Clue.select().where(scope_clues(u)).exists()


# ---------------------------------------------------------------------------------- the rules
# (user, roles, obj): obj is the record the question is about, or None for "any such record"
RULES = {
    # administration: 三员分立
    "admin.manage": lambda u, r, o: "sysadmin" in r,
    "admin.security": lambda u, r, o: "secadmin" in r,
    "audit.read": lambda u, r, o: "auditor" in r,
    "user.view": lambda u, r, o: (o is not None and (o.id == u.id or bool(r & {"sysadmin", "secadmin"})
                                                     or _oversees(u, o.department_id))),
    # 整改台账 and the Problem status machine
    "ledger.view": lambda u, r, o: bool(r & BUSINESS_ROLES),
    "ledger.operate": lambda u, r, o: bool(r & {"discipline", "dept_head"}),  # the rows' buttons column
    "ledger.office": lambda u, r, o: "discipline" in r,  # the office: select rows, bulk actions, edit every field
    "ledger.mine_only": lambda u, r, o: not (r & {"discipline", "dept_head", "leader"}),  # home panel
    "ledger.mechanism": lambda u, r, o: "discipline" in r,
    "problem.view": lambda u, r, o: o is not None and (o.person_id == u.id or _oversees(u, o.department_id)),
    # the named responsible person works their own item (progress, evidence, 已整改, extension request)
    "problem.rectify": lambda u, r, o: o is not None and (
        ("dept_head" in r and o.department_id == u.department_id) or "discipline" in r
        or (o.person_id is not None and o.person_id == u.id)),
    "problem.confirm": lambda u, r, o: o is not None and "dept_head" in r and o.department_id == u.department_id,
    # entering a problem by hand (o: the department): the office for all, a head for their own
    "problem.create": lambda u, r, o: "discipline" in r or (
        "dept_head" in r and (o is None or o.id == u.department_id)),
    "problem.verify": lambda u, r, o: "discipline" in r,
    "problem.act": lambda u, r, o: "discipline" in r,
    "problem.extend": lambda u, r, o: o is not None and (
        ("dept_head" in r and o.department_id == u.department_id)
        or (o.person_id is not None and o.person_id == u.id)),
    "problem.extend_decide": lambda u, r, o: "discipline" in r,
    "problem.edit": lambda u, r, o: o is not None and (
        "discipline" in r or ("dept_head" in r and o.department_id == u.department_id)),
    "problem.assign": lambda u, r, o: "discipline" in r,
    # 个人自查自纠 (obj: the owner for review_person, the department for report)
    "selfcheck.fill": lambda u, r, o: bool(r & BUSINESS_ROLES),
    "selfcheck.review": lambda u, r, o: bool(r & {"dept_head", "leader", "discipline"}),
    "selfcheck.review_person": lambda u, r, o: _reviews(u, o),
    "selfcheck.oversee": lambda u, r, o: bool(r & {"dept_head", "leader", "discipline", "chief"}),
    "selfcheck.leaders": lambda u, r, o: "discipline" in r,  # the leaders' own self-checks
    "selfcheck.reopen": lambda u, r, o: "discipline" in r,
    "selfcheck.report": lambda u, r, o: "dept_head" in r and o is not None and o.id == u.department_id,
    # 举报箱 and 问题线索 (obj: the clue; nobody handles a clue about themselves)
    "tips.handle": lambda u, r, o: "discipline" in r,
    "clues.view": lambda u, r, o: bool(r & {"discipline", "chief"}) or _any_clue(u),
    "clues.manage": lambda u, r, o: "discipline" in r and _not_about_me(u, o),
    "clues.identity": lambda u, r, o: "discipline" in r and _not_about_me(u, o),
    "clues.handle": lambda u, r, o: o is not None and _handles(u, o),
    "clues.verify": lambda u, r, o: o is not None and ("discipline" in r or _handles(u, o)),
    "clues.files": lambda u, r, o: o is not None and (
        ("discipline" in r and _not_about_me(u, o)) or _handles(u, o)),
    # 公文
    "documents.write": lambda u, r, o: bool(r & {"clerk", "discipline"}),
    "documents.read": lambda u, r, o: bool(r & {"clerk", "discipline", "leader", "chief"}),  # leaders: issued only
    "documents.drafts": lambda u, r, o: "clerk" in r,  # the home panel of unissued drafts
    "documents.seal": lambda u, r, o: "secadmin" in r,
    "documents.seal_image": lambda u, r, o: bool(r & {"secadmin", "clerk", "discipline"}),
    "documents.batch": lambda u, r, o: bool(r & {"discipline", "dept_head"}),
    # 通知公告: the office publishes, reads receipts and reminds; leaders and the chief read everything published
    "publications.board": lambda u, r, o: bool(r & BUSINESS_ROLES),
    "publications.manage": lambda u, r, o: bool(r & {"clerk", "discipline"}),
    "publications.read_all": lambda u, r, o: bool(r & {"clerk", "discipline", "leader", "chief"}),
    # 追责问责 (四种形态): the discipline office records; it and the chief see all, the person their own
    "outcomes.record": lambda u, r, o: "discipline" in r,
    "outcomes.view_all": lambda u, r, o: bool(r & {"discipline", "chief"}),
    "typical.mark": lambda u, r, o: "discipline" in r,
    "typical.view": lambda u, r, o: bool(r & {"discipline", "chief"}),
    # 明察暗访 (obj: the plan for record)
    "inspections.view": lambda u, r, o: bool(r & {"discipline", "inspector", "chief"}),
    "inspections.run": lambda u, r, o: "discipline" in r,
    "inspections.inspect": lambda u, r, o: "inspector" in r,  # always has the home panel of own checks
    "inspections.record": lambda u, r, o: "discipline" in r or (
        "inspector" in r and (o is None or _inspects(u, o))),
    # 工作看板, 定期报送
    "dashboard.view": lambda u, r, o: bool(r & {"discipline", "leader", "chief"}),
    "reports.view": lambda u, r, o: bool(r & {"discipline", "chief"}),
    "reports.generate": lambda u, r, o: "discipline" in r,
    # a report on its way to sign-off (o: the ReportDraft): the office and the chief, and its named reviewer
    # and signer; deciding is for the one whose step it is (审核人 while reviewing, 签发人 — a chief — while signing)
    "report.read": lambda u, r, o: bool(r & {"discipline", "chief"}) or (
        o is not None and u.id in (o.reviewer_id, o.signer_id)),
    "report.decide": lambda u, r, o: o is not None and (
        (o.status == "reviewing" and o.reviewer_id == u.id)
        or (o.status == "signing" and o.signer_id == u.id and "chief" in r)),
    "campaign.settings": lambda u, r, o: "discipline" in r,
    # a named reporter's identity: handlers ask (o = the clue), a custodian decides, the auditor reads the log
    "clues.identity_request": lambda u, r, o: o is not None and o.subject_user_id != u.id and (
        "discipline" in r or _handles_clue(u, o)),
    "clues.identity_decide": lambda u, r, o: "custodian" in r and (
        o is None or (o.requester_id != u.id and o.clue.subject_user_id != u.id)),
    "clues.identity_log": lambda u, r, o: "auditor" in r,
    # 督办 (portal/supervision): 催办, 督办单, 领导批示, the 分管领导's panel, red-amber-green
    "problem.urge": lambda u, r, o: bool(r & {"discipline", "chief"}) or (o is not None and (
        ("leader" in r and o.department_id in u.departments_in_charge)
        or ("dept_head" in r and o.department_id == u.department_id))),
    "selfcheck.urge": lambda u, r, o: o is not None and o.id != u.id and (
        "discipline" in r or ("dept_head" in r and o.department_id == u.department_id)
        or ("leader" in r and o.department_id in u.departments_in_charge)),
    "problem.instruct": lambda u, r, o: "chief" in r or (
        "leader" in r and (o is None or o.department_id in u.departments_in_charge)),
    "clue.instruct": lambda u, r, o: "chief" in r or "leader" in r,
    "supervision.notice": lambda u, r, o: "discipline" in r,  # 督办通知单
    "supervision.view": lambda u, r, o: bool(r & {"discipline", "chief", "leader"}),
    "supervision.leader_clues": lambda u, r, o: "leader" in r,
}


def _handles_clue(user, clue) -> bool:
    from .clues.access import is_handler
    return is_handler(user, clue)


def can(user, action: str, obj=None) -> bool:
    """The one place for yes/no permission questions (templates call it as `can(current_user, ...)`)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    rule = RULES.get(action)
    if rule is None:
        raise KeyError(f"unknown action {action!r}")
    return bool(rule(user, user.roles, obj))


def deny(object_type: str = "page", object_id=None, status: int = 403, **detail):
    """Refuse the current request: the attempt is audited in its own transaction (errors.deny), then
    403 (or `status`, e.g. 404 for a record whose existence is not to be told)."""
    from .errors import deny as denial
    raise denial(object_type, object_id, status=status, **detail)


def require(action: str):
    """The view decorator: login (Flask-Login's answer for anonymous requests), then
    `can(current_user, action)`, or 403 with the attempt audited."""
    if action not in RULES:
        raise KeyError(f"unknown action {action!r}")

    def deco(fn):
        from flask_login import current_user, login_required

        @wraps(fn)
        @login_required
        def wrapper(*args, **kwargs):
            if not can(current_user, action):
                deny("page", need=action)
            return fn(*args, **kwargs)
        wrapper.permission = action
        return wrapper
    return deco


def found_or_404(row, model, object_id, object_type: str):
    """`row` comes from a scoped query. None → 404; an attempt on a row that exists outside the
    user's scope is audited as access_denied (a missing row is just a 404)."""
    if row is None:
        if model.select().where(model.id == object_id).exists():
            deny(object_type, object_id, status=404)
        from flask import abort
        abort(404)
    return row


# the SQL scopes live in portal/scopes.py (imported last: they use the rules above)
from .scopes import (  # noqa: E402,F401
    scope_expr, scope_entry_departments, scope_problems, scope_users, scope_notices,
    scope_clues, scope_escalated_clues, scope_plans, scope_documents, scope_publications,
    scope_outcomes, scope_citable_problems, scope_print_jobs, print_departments)
