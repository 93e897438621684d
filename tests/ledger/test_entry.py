"""Entering a problem by hand: the office for every department, a head for their own (scope in SQL,
attempts outside it 403 and audited); the deadline defaults to working days, a past one is refused."""
import io

from portal import workdays
from portal.models import AuditRecord, Item, Notice, Problem
from portal.models.ledger import ProblemEvidence
from tests.tips.util import pdf_bytes


def _item():
    return Item.select().order_by(Item.seq).first()


def _form(dept, person=None, **over):
    it = _item()
    data = {"source": "leader_comment", "department": str(dept.id), "person": str(person.id) if person else "",
            "category": str(it.category_id), "item": str(it.id), "severity": "serious",
            "deadline": "2026-12-20", "description": "局长点评：窗口服务态度生硬", "measures": "开展窗口服务培训"}
    data.update(over)
    return data


def test_head_enters_leader_comment_for_own_staff(client, auth, org, travel):
    travel(__import__("datetime").date(2026, 12, 3))
    auth.login(org.head_a)
    page = client.get("/ledger/new").get_data(as_text=True)
    assert "领导点评" in page and "巡察" in page and "上级交办" in page and "群众反映" in page
    assert org.a.name in page and org.b.name not in page  # only the own department
    default = workdays.add_workdays(__import__("datetime").date(2026, 12, 3), 20)
    assert default.isoformat() in page
    data = _form(org.a, org.staff_a)
    data["attachments"] = (io.BytesIO(pdf_bytes("点评记录")), "点评记录.pdf")
    r = client.post("/ledger/new", data=data, content_type="multipart/form-data")
    assert r.status_code == 303
    p = Problem.select().order_by(Problem.id.desc()).first()
    assert (p.source, p.source_label, p.person_id, p.department_id) == ("leader_comment", "领导点评", org.staff_a.id, org.a.id)
    assert p.severity == "serious" and p.status == "pending" and p.created_by_id == org.head_a.id
    ev = ProblemEvidence.get(ProblemEvidence.problem == p.id)
    assert ev.purpose == "attachment"
    assert Notice.select().where((Notice.user == org.staff_a.id) & Notice.text.contains(f"#{p.id}")).exists()
    assert AuditRecord.select().where((AuditRecord.action == "problem_create")
                                      & (AuditRecord.object_id == str(p.id))).exists()
    # the person sees it and works it
    auth.logout()
    auth.login(org.staff_a)
    detail = client.get(f"/ledger/{p.id}").get_data(as_text=True)
    assert "记录整改进展" in detail and "点评记录.pdf" in detail


def test_head_of_another_department_is_refused(client, auth, org):
    auth.login(org.head_b)
    before = Problem.select().count()
    r = client.post("/ledger/new", data=_form(org.a, org.staff_a))
    assert r.status_code == 403
    r = client.post("/ledger/new", data=_form(org.b, org.staff_a))  # own department, someone else's person
    assert r.status_code == 403
    assert client.get(f"/ledger/new/people?department={org.a.id}").status_code == 403
    assert Problem.select().count() == before
    denied = AuditRecord.select().where(AuditRecord.action == "access_denied")
    assert denied.where(AuditRecord.object_type == "department").exists()
    assert denied.where(AuditRecord.object_type == "user").exists()


def test_staff_cannot_enter_and_bad_input_is_explained(client, auth, org, travel):
    travel(__import__("datetime").date(2026, 12, 3))
    auth.login(org.staff_a)
    assert client.get("/ledger/new").status_code == 403
    auth.logout()
    auth.login(org.office)
    before = Problem.select().count()
    r = client.post("/ledger/new", data=_form(org.b, None, deadline="2026-11-01", description="短", source="x"))
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "整改时限不能早于今天" in page and "问题描述 4–4000 字" in page and "请选择问题来源" in page
    assert Problem.select().count() == before
    # the office enters a department's problem (no person) for any department; its head is told
    r = client.post("/ledger/new", data=_form(org.b, None, source="patrol"))
    assert r.status_code == 303
    p = Problem.select().order_by(Problem.id.desc()).first()
    assert p.person_id is None and p.department_id == org.b.id and p.source == "patrol"
    assert Notice.select().where((Notice.user == org.head_b.id) & Notice.text.contains(f"#{p.id}")).exists()


def test_item_select_follows_category(client, auth, org):
    auth.login(org.office)
    it = _item()
    html = client.hx_get(f"/ledger/new/items?category={it.category_id}").get_data(as_text=True)
    others = Item.select().where(Item.category != it.category_id)
    assert f'value="{it.id}"' in html and not any(f'value="{o.id}"' in html for o in others)
    html = client.hx_get(f"/ledger/new/people?department={org.a.id}").get_data(as_text=True)
    assert org.staff_a.real_name in html and org.staff_b.real_name not in html
