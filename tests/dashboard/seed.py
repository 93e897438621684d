"""A small bureau with problems of every status, source, category and aspect, some overdue and some
withdrawn, for the dashboard and report tests."""
import datetime as dt
import random

from portal import problems
from portal.models import Aspect, Item
from tests.factories import default_campaign, make_department, make_user

TODAY = dt.date(2026, 5, 20)


def seed(n=120, rng_seed=5):
    """Returns a dict: departments (list), discipline, chief, leader (in charge of the first two
    departments), head, staff users."""
    c = default_campaign()
    items = list(Item.select().where(Item.campaign == c).order_by(Item.seq))
    aspects = list(Aspect.select().where(Aspect.campaign == c).order_by(Aspect.seq))
    depts = [make_department(name) for name in ("综合科", "财务科", "资产管理科", "后勤服务中心")]
    discipline = make_user("office", depts[0], roles=("discipline", "staff"), real_name="郑清源")
    chief = make_user("chief", depts[0], roles=("chief", "staff"), real_name="周正华")
    leader = make_user("leader", depts[0], roles=("leader", "staff"), real_name="吴建国",
                       charges=depts[:2])
    head = make_user("head", depts[1], roles=("dept_head", "staff"), real_name="王立新")
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
