"""Small factories for tests: real rows in the real test database."""
import itertools
from types import SimpleNamespace

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


class Bureau(SimpleNamespace):
    """The shared bureau; `bureau["fin"]` works as well as `bureau.fin`."""

    def __getitem__(self, name):
        return getattr(self, name)


def make_bureau() -> Bureau:
    """The bureau every area's tests start from (the `bureau` fixture): 财务科, 资产管理科, 办公室 (where the
    discipline office, 机关党委（纪委）, sits) and the leadership; one person of each role — the chief, a leader in
    charge of 财务科 and 资产管理科, two of the discipline office and its head (机关纪委书记), a head and staff
    in each department, an inspector, a clerk and the three administrators. Areas add what they need."""
    default_campaign()
    b = Bureau()
    b.fin, b.asset, b.office_dept = (make_department(n) for n in ("财务科", "资产管理科", "办公室"))
    b.disc = b.office_dept  # the discipline office (机关党委（纪委）) sits in 办公室
    b.lead = make_department("局领导班子", kind="leadership")
    b.chief = make_user("chief", b.lead, roles=("chief", "staff"), real_name="周正华", title="局党组书记、局长")
    b.leader = make_user("leader", b.lead, roles=("leader", "staff"), real_name="吴建国", title="副局长",
                         charges=[b.fin, b.asset])
    b.office = make_user("office", b.disc, roles=("discipline", "staff"), real_name="郑清源", title="副主任")
    b.office2 = make_user("discipline2", b.disc, roles=("discipline", "staff"), real_name="林秀清", title="科员")
    b.disc_head = make_user("dischead", b.disc, roles=("dept_head", "staff"), real_name="马正义",
                            title="机关纪委书记")
    b.head_a = make_user("head_a", b.fin, roles=("dept_head", "staff"), real_name="王立新", title="科长")
    b.staff_a = make_user("staff_a", b.fin, roles=("staff",), real_name="李明", title="科员")
    b.staff_a2 = make_user("staff_a2", b.fin, roles=("staff",), real_name="张华", title="科员")
    b.head_b = make_user("head_b", b.asset, roles=("dept_head", "staff"), real_name="孙海", title="科长")
    b.staff_b = make_user("staff_b", b.asset, roles=("staff",), real_name="孙丽", title="科员")
    b.inspector = make_user("inspector", b.office_dept, roles=("inspector", "staff"), real_name="罗检")
    b.clerk = make_user("clerk", b.office_dept, roles=("clerk", "staff"), real_name="文秘书")
    b.sysadmin = make_user("sysadmin", b.office_dept, roles=("sysadmin",), real_name="钱志远")
    b.secadmin = make_user("secadmin", b.office_dept, roles=("secadmin",), real_name="安保平")
    b.auditor = make_user("auditor", b.disc, roles=("auditor",), real_name="陈审之")
    return b
