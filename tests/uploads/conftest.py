import io
from types import SimpleNamespace

import pytest

from portal.models.ledger import ProblemEvidence
from tests.factories import make_department, make_problem, make_user


@pytest.fixture
def office(ctx):
    """The discipline office and one Problem it may attach evidence to."""
    d = make_department("机关党委（纪委）")
    a = make_department("财务科")
    o = SimpleNamespace(office=make_user("office", d, roles=("discipline", "staff")))
    o.problem = make_problem(make_user("staff_a", a), description="甲一：公文办理超时限")
    return o


def attach(client, problem, name: str, data: bytes):
    """POST one evidence file to the ledger; returns (the page after the redirect, the new evidence row)."""
    before = ProblemEvidence.select().count()
    r = client.post(f"/ledger/{problem.id}/evidence", data={"evidence": [(io.BytesIO(data), name)]},
                    content_type="multipart/form-data", follow_redirects=True)
    rows = list(ProblemEvidence.select().order_by(ProblemEvidence.id))
    return r.get_data(as_text=True), (rows[-1] if len(rows) > before else None)
