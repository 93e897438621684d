"""A small bureau for the ledger tests: three departments, the office, a leader, heads and staff."""
import datetime as dt
import re
from types import SimpleNamespace

import pytest

from tests.factories import make_department, make_problem, make_user


@pytest.fixture
def org(ctx):
    a, b, c, d = (make_department(n) for n in ("财务科", "资产管理科", "办公室", "机关党委（纪委）"))
    o = SimpleNamespace(a=a, b=b, c=c, d=d)
    o.office = make_user("office", d, roles=("discipline", "staff"), real_name="郑清源")
    o.leader = make_user("leader", c, roles=("leader", "staff"), real_name="吴建国", charges=[a])
    o.head_a = make_user("head_a", a, roles=("dept_head", "staff"), real_name="王立新")
    o.head_b = make_user("head_b", b, roles=("dept_head", "staff"), real_name="赵海")
    o.staff_a = make_user("staff_a", a, roles=("staff",), real_name="李明")
    o.staff_a2 = make_user("staff_a2", a, roles=("staff",), real_name="张华")
    o.staff_b = make_user("staff_b", b, roles=("staff",), real_name="孙丽")
    o.auditor = make_user("auditor1", d, roles=("auditor",), real_name="陈审之")
    soon = dt.date(2026, 6, 10)
    o.pa1 = make_problem(o.staff_a, description="甲一：公文办理超时限", deadline=soon, source="selfcheck",
                         self_reported=True)
    o.pa2 = make_problem(o.staff_a2, description="甲二：值班期间脱岗", deadline=soon, severity="serious")
    o.pb1 = make_problem(o.staff_b, description="乙一：公务用车私用", deadline=soon, source="tip")
    o.pc1 = make_problem(None, department=c, description="丙一：会议多文件多", deadline=soon, severity="common")
    return o


def row_ids(html: str) -> set[int]:
    return {int(x) for x in re.findall(r'<tr id="row-(\d+)"', html)}


def counter(html: str, key: str) -> int:
    m = re.search(r'data-counter="%s">\s*<span>[^<]*</span><b>(\d+)</b>' % key, html)
    return int(m.group(1)) if m else -1
