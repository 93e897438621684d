"""Small factories for tests: real rows in the real test database."""
import itertools

from portal import campaigns, problems
from portal.accounts import create_user, set_charges
from portal.models import Campaign, Department, Item

PASSWORD = "Test@Pass2026"
_seq = itertools.count(1)


def make_department(name=None, kind="office", parent=None) -> Department:
    return Department.create(name=name or f"测试科室{next(_seq)}", kind=kind, parent=parent)


def make_user(username=None, department=None, roles=("staff",), password=PASSWORD, must_change=False,
              real_name=None, charges=(), **extra):
    n = next(_seq)
    department = department or make_department()
    user = create_user(username or f"user{n}", real_name or f"测试人员{n}", department, password,
                       roles=roles, must_change=must_change, **extra)
    if charges:
        set_charges(user, [d.id if hasattr(d, "id") else d for d in charges])
    return user


def default_campaign() -> Campaign:
    return Campaign.active() or campaigns.load_default()


def make_problem(person=None, department=None, source="review", status="pending", actor=None,
                 item=None, **fields):
    department = department or (person.department if person else make_department())
    if item is None:
        c = default_campaign()
        item = Item.select().where(Item.campaign == c).order_by(Item.seq).first()
    fields.setdefault("description", "测试问题描述")
    fields.setdefault("measures", "测试整改措施")
    return problems.create(actor=actor, person=person, department=department, source=source,
                           status=status, item=item, campaign=item.campaign_id, **fields)
