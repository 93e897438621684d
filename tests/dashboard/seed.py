"""The shared bureau (with 综合科 and 后勤服务中心 added) and problems of every status, source, category and
aspect, some overdue and some withdrawn, for the dashboard and report tests."""
import datetime as dt
import random

from portal import problems
from portal.models import Aspect, Item
from portal.accounts import set_charges
from tests.factories import default_campaign, make_bureau, make_department, make_user

TODAY = dt.date(2026, 5, 20)


def seed(n=120, rng_seed=5):
    """Returns a dict: departments (list), discipline, chief, leader (in charge of the first two
    departments), head, staff users."""
    c = default_campaign()
    items = list(Item.select().where(Item.campaign == c).order_by(Item.seq))
    aspects = list(Aspect.select().where(Aspect.campaign == c).order_by(Aspect.seq))
    b = make_bureau()
    depts = [make_department("综合科"), b.fin, b.asset, make_department("后勤服务中心", kind="unit")]
    discipline, chief, leader, head = b.office, b.chief, b.leader, b.head_a
    set_charges(leader, [d.id for d in depts[:2]])
    staff = [make_user(f"s{i}", depts[i % 4], roles=("staff",)) for i in range(8)]
    rng = random.Random(rng_seed)
    sources = ["selfcheck", "selfcheck", "tip", "inspection", "review", "other"]
    created = []
    for i in range(n):
        person = rng.choice(staff)
        src = rng.choice(sources)
        status = rng.choice(["pending", "in_progress", "rectified", "closed"])
        deadline = TODAY + dt.timedelta(days=rng.randint(-30, 30)) if rng.random() < 0.9 else None
        p = problems.create(
            actor=discipline, person=person, department=person.department, source=src,
            self_reported=(src == "selfcheck"), status=status, item=rng.choice(items),
            aspect=rng.choice(aspects) if rng.random() < 0.9 else None, campaign=c,
            description=f"问题描述{i}", measures="整改措施", deadline=deadline,
            severity=rng.choice(["general", "serious", "frequent", "common"]),
            withdrawn=(i % 17 == 0))
        created.append(p)
    return {"departments": depts, "discipline": discipline, "chief": chief, "leader": leader,
            "head": head, "staff": staff, "problems": created, "campaign": c}
