"""The ledger's view of the shared bureau: 财务科 (a), 资产管理科 (b), 办公室 (c), the discipline office (d),
its leader in charge of 财务科 only, and four problems."""
import datetime as dt
import re
from types import SimpleNamespace

import pytest

from portal.accounts import set_charges
from tests.factories import make_problem


@pytest.fixture
def org(bureau):
    o = SimpleNamespace(a=bureau.fin, b=bureau.asset, c=bureau.office_dept, d=bureau.disc)
    for name in ("office", "leader", "head_a", "head_b", "staff_a", "staff_a2", "staff_b", "auditor"):
        setattr(o, name, bureau[name])
    set_charges(o.leader, [o.a.id])
    soon = dt.date(2026, 6, 10)
    o.pa1 = make_problem(o.staff_a, description="甲一：公文办理超时限", deadline=soon, source="selfcheck",
                         self_reported=True)
    o.pa2 = make_problem(o.staff_a2, description="甲二：值班期间脱岗", deadline=soon, severity="serious")
    o.pb1 = make_problem(o.staff_b, description="乙一：公务用车私用", deadline=soon, source="tip")
    o.pc1 = make_problem(None, department=o.c, description="丙一：会议多文件多", deadline=soon, severity="common")
    return o


def row_ids(html: str) -> set[int]:
    return {int(x) for x in re.findall(r'<tr id="row-(\d+)"', html)}


def counter(html: str, key: str) -> int:
    m = re.search(r'data-counter="%s">\s*<span>[^<]*</span><b>(\d+)</b>' % key, html)
    return int(m.group(1)) if m else -1
