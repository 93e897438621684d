"""The SQL half of portal/permissions.py: one where-expression per listed model, which every list,
detail, export and partial puts in its query, so a user's rows are chosen by the database, never by a
template. The rules they follow are permissions.RULES; import these through portal.permissions."""
import operator
from functools import reduce

from peewee import Expression, Value

from .permissions import ALL_SEEING, can, visible_departments

_ALL = Value(1) == Value(1)
_NONE = Value(1) == Value(0)


def scope_expr(user, dept_field, person_field=None) -> Expression:
    """Where-expression: rows of the departments the user oversees, plus the user's own rows."""
    depts = visible_departments(user)
    if depts is None:
        return _ALL
    parts = []
    if depts:
        parts.append(dept_field.in_(sorted(depts)))
    if person_field is not None:
        parts.append(person_field == user.id)
    if not parts:
        return _NONE
    return reduce(operator.or_, parts)


def scope_entry_departments(user):
    """Departments a user may enter problems for (problem.create): all for the discipline office, a
    head's own, none otherwise. A where-expression on Department."""
    from .models import Department
    if "discipline" in user.roles:
        return _ALL
    if "dept_head" in user.roles:
        return Department.id == user.department_id
    return _NONE


def scope_problems(user):
    from .models import Problem
    return scope_expr(user, Problem.department, Problem.person)


def scope_users(user):
    """People the user may look up: themselves, the departments they oversee; admins see all users."""
    from .models import User
    if user.roles & {"sysadmin", "secadmin"}:
        return _ALL
    return scope_expr(user, User.department, User.id)


def scope_notices(user):
    """One's own notices only."""
    from .models import Notice
    return Notice.user == user.id


def scope_clues(user):
    """Clues `user` may see. Escalated clues and clues about the user are never in it; the discipline
    office (and the chief, read-only) see the rest; a handler sees what was assigned to them or to the
    department they head."""
    from .models.tip import Clue
    not_me = Clue.subject_user.is_null() | (Clue.subject_user != user.id)
    base = (Clue.escalated == False) & not_me  # noqa: E712
    if user.roles & {"discipline", "chief"}:
        return base
    mine = [Clue.handler == user.id]
    if "dept_head" in user.roles:
        mine.append(Clue.handler_department == user.department_id)
    return base & reduce(operator.or_, mine)


def scope_escalated_clues(user):
    """Clues reserved for the higher body: the discipline office keeps their hand-over, unless about itself."""
    from .models.tip import Clue
    if "discipline" not in user.roles:
        return _NONE
    return (Clue.escalated == True) & (Clue.subject_user.is_null() | (Clue.subject_user != user.id))  # noqa: E712


def scope_plans(user):
    """Spot-check plans: the discipline office and the chief see all, inspectors the plans they are on."""
    from .models.inspection import InspectionPlan, PlanInspector
    if user.roles & ALL_SEEING:
        return _ALL
    mine = PlanInspector.select(PlanInspector.plan).where(PlanInspector.user == user.id)
    return InspectionPlan.id.in_(mine)


def scope_documents(user):
    """The document register: all of it for the writers; every issued document, read-only, for leaders
    and the chief; nothing for anyone else (they meet documents through the ledger's panels and the
    notices published to them)."""
    from .models import Document
    if can(user, "documents.write"):
        return _ALL
    return (Document.status == "issued") if can(user, "documents.read") else _NONE


def scope_publications(user):
    """通知公告: the office sees every publication (withdrawn too); leaders and the chief every one in
    force; anyone else the ones in force addressed to them."""
    from .models.publication import Publication, PublicationRecipient
    if can(user, "publications.manage"):
        return _ALL
    live = Publication.status == "published"
    if can(user, "publications.read_all"):
        return live
    mine = PublicationRecipient.select(PublicationRecipient.publication).where(PublicationRecipient.user == user.id)
    return live & Publication.id.in_(mine)


def scope_outcomes(user):
    """Accountability outcomes: the discipline office and the chief see all; anyone else only their own."""
    from .models.outcome import Outcome
    if can(user, "outcomes.view_all"):
        return _ALL
    return Outcome.person == user.id


def scope_citable_problems(user):
    """Problems a 通报 may name: the register's writers pick from the whole ledger (a 通报 is bureau-wide);
    everyone else has nothing to pick."""
    return _ALL if can(user, "documents.write") else _NONE


def scope_print_jobs(user):
    """Batch print jobs: one's own; the discipline office sees all."""
    from .models import PrintJob
    return _ALL if "discipline" in user.roles else PrintJob.requested_by == user.id


def print_departments(user):
    """Departments whose self-check reports a user may batch-print: None = any department and the
    whole bureau (the discipline office); a head their own; nobody else any."""
    if "discipline" in user.roles:
        return None
    if "dept_head" in user.roles:
        return {user.department_id}
    return set()
