"""The demo bureau for `flask seed-demo`. Areas add their own demo data with @demo_hook."""
import random

from . import campaigns
from .accounts import create_user as _create_user, set_charges
from .extensions import db
from .models import Campaign, Department, User

_HOOKS = []


def demo_hook(fn):
    if fn.__qualname__ not in {h.__qualname__ for h in _HOOKS}:
        _HOOKS.append(fn)
    return fn


BUREAU = "××市机关事务管理局"
DEPARTMENTS = [  # name, kind
    ("局领导班子", "leadership"),
    ("办公室", "office"),
    ("人事教育科", "office"),
    ("机关党委（纪委）", "office"),
    ("财务科", "office"),
    ("资产管理科", "office"),
    ("公共机构节能科", "office"),
    ("机关后勤服务中心", "unit"),
    ("公务用车服务中心", "unit"),
]
DEMO_ACCOUNTS = [  # username, name, department, title, roles
    ("demo-chief", "周正华", "局领导班子", "局党组书记、局长", ["chief", "staff"]),
    ("demo-leader", "吴建国", "局领导班子", "副局长", ["leader", "staff"]),
    ("demo-discipline", "郑清源", "机关党委（纪委）", "机关纪委书记", ["discipline", "staff"]),
    ("demo-head", "王立新", "财务科", "科长", ["dept_head", "staff"]),
    ("demo-staff", "李明", "财务科", "科员", ["staff"]),
    ("demo-inspector", "孙晓峰", "人事教育科", "副科长", ["inspector", "staff"]),
    ("demo-clerk", "赵文静", "办公室", "文秘", ["clerk", "staff"]),
    ("demo-custodian", "高明德", "局领导班子", "局党组成员、机关党委书记", ["custodian", "staff"]),
    ("demo-sysadmin", "钱志远", "办公室", "系统管理员", ["sysadmin"]),
    ("demo-secadmin", "冯安平", "办公室", "安全管理员", ["secadmin"]),
    ("demo-auditor", "陈审之", "机关党委（纪委）", "审计管理员", ["auditor"]),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红鹏辉建国新宇晨阳欣怡博文子轩浩然思远"
TITLES = ["科员", "科员", "科员", "一级主任科员", "二级主任科员", "四级调研员", "办事员"]


def seed(password: str, people: int = 60) -> str:
    if User.select().where(User.username == "demo-staff").exists():
        return "演示数据已存在，未重复创建。"
    rng = random.Random(2026)
    from .passwords import hash_password
    hashed = hash_password(password)  # one hash for every demo account: seeding takes seconds, not a minute

    def create_user(*args, **kwargs):
        return _create_user(*args, password_hash=hashed, **kwargs)
    with db.atomic():
        if Campaign.active() is None:
            campaigns.load_default()
        root = Department.get_or_none(Department.name == BUREAU) or Department.create(
            name=BUREAU, kind="bureau", sort_order=0)
        depts = {}
        for i, (name, kind) in enumerate(DEPARTMENTS, 1):
            depts[name] = Department.get_or_none(Department.name == name) or Department.create(
                name=name, kind=kind, parent=root, sort_order=i)
        accounts = {}
        for username, name, dept, title, roles in DEMO_ACCOUNTS:
            accounts[username] = create_user(username, name, depts[dept], password, roles=roles,
                                             must_change=False, title=title,
                                             employee_no=f"D{len(accounts) + 1:04d}",
                                             phone=f"1390000{len(accounts) + 1:04d}")
        set_charges(accounts["demo-leader"], [depts["财务科"].id, depts["资产管理科"].id,
                                              depts["机关后勤服务中心"].id])
        # a second leader and a head for every other department
        second = create_user("leader2", "许国平", depts["局领导班子"], password, roles=["leader", "staff"],
                             must_change=False, title="副局长", employee_no="E0001")
        set_charges(second, [depts[n].id for n in ("办公室", "人事教育科", "公共机构节能科", "公务用车服务中心")])
        created = len(accounts) + 1
        others = [n for n, _k in DEPARTMENTS if n not in ("局领导班子", "财务科")]
        n = 2
        for dname in others:
            create_user(f"head{n}", _name(rng), depts[dname], password, roles=["dept_head", "staff"],
                        must_change=False, title="科长" if dname.endswith("科") else "主任",
                        employee_no=f"E{n:04d}", phone=f"1380000{n:04d}")
            n += 1
            created += 1
        staff_depts = [n for n, _k in DEPARTMENTS if n != "局领导班子"]
        while created < people:
            dname = staff_depts[created % len(staff_depts)]
            create_user(f"staff{n}", _name(rng), depts[dname], password, roles=["staff"],
                        must_change=False, title=rng.choice(TITLES), employee_no=f"E{n:04d}",
                        phone=f"1370000{n:04d}")
            n += 1
            created += 1
        ctx = {"rng": rng, "departments": depts, "accounts": accounts, "password": password}
        for hook in sorted(_HOOKS, key=lambda h: getattr(h, "demo_order", 50)):  # stable: import order within
            hook(ctx)
    return f"已创建演示单位：{len(depts)} 个部门，{created} 人，演示账号 {len(DEMO_ACCOUNTS)} 个。"


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
