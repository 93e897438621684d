"""Choices for the ledger's filter and action forms (departments in scope, categories, mechanisms, heads)."""

from collections import defaultdict

from .. import cache
from ..models import Category, Department, Item, User
from ..models.ledger import Mechanism
from ..permissions import visible_departments


def department_choices(user):
    depts = visible_departments(user)
    q = Department.select(Department.id, Department.name).where(Department.is_active == True)  # noqa: E712
    if depts is not None:
        if not depts:
            return []
        q = q.where(Department.id.in_(sorted(depts)))
    return list(q.order_by(Department.sort_order, Department.id).tuples())


def category_choices():
    """[(Category, [Item…])] of the active campaign, kept in portal/cache.py like the self-check checklist."""
    from ..models import Campaign
    c = Campaign.active()
    if c is None:
        return []

    def load():
        items = defaultdict(list)
        for it in (Item.select(Item.id, Item.seq, Item.text, Item.category).where(Item.campaign == c)
                   .order_by(Item.seq)):
            items[it.category_id].append(it)
        return [(cat, items[cat.id]) for cat in Category.select().where(Category.campaign == c).order_by(Category.seq)]
    return cache.memo("checklist", cache.content_key("categories", c.id, c.content_hash), load)


def aspect_choices():
    """[(id, name)] of the active campaign's aspects (方面)."""
    from ..models import Aspect, Campaign
    c = Campaign.active()
    if c is None:
        return []
    return list(Aspect.select(Aspect.id, Aspect.name).where(Aspect.campaign == c).order_by(Aspect.seq).tuples())


def mechanism_choices():
    return list(Mechanism.select(Mechanism.id, Mechanism.title).order_by(Mechanism.date.desc(), Mechanism.id.desc())
                .tuples())


def heads_choices(user):
    """People a Problem may be assigned to: department heads within the user's reach."""
    from ..models import RoleAssignment
    heads = RoleAssignment.select(RoleAssignment.user).where(RoleAssignment.role == "dept_head")
    q = (User.select(User.id, User.real_name, Department.name).join(Department)
         .where(User.id.in_(heads) & (User.is_active_flag == True)))  # noqa: E712
    depts = visible_departments(user)
    if depts is not None:
        q = q.where(User.department.in_(sorted(depts) or [0]))
    return list(q.order_by(Department.sort_order, User.sort_name, User.id).tuples())
