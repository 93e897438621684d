"""Red-amber-green agrees with the filtered ledger; 督办通知单; patterns; the 督办 export (SQLite, PostgreSQL)."""
import datetime as dt
import io
import re

from openpyxl import load_workbook

from portal import workdays
from portal.models import Document, DocumentProblem, Item, Problem, ProblemEvent
from portal.models.ledger import Mechanism
from portal.models.supervision import RagSnapshot, Urge
from portal.supervision import jobs, patterns, rag
from tests.factories import make_department, make_problem, make_user

TODAY = dt.datetime(2026, 12, 3, 10, 0)


def switch(auth, user):
    auth.logout()
    return auth.login(user)


def _ledger_count(client, url, key="overdue"):
    """The ledger's own counter for a filter link (逾期 or the total of the filter)."""
    html = client.get(url).get_data(as_text=True)
    return len(re.findall(r'<tr id="row-\d+"', html))


def test_colours_and_ranking_agree_with_the_ledger(bureau, client, auth, travel):
    travel(TODAY)
    today = dt.date(2026, 12, 3)
    make_problem(bureau.staff_a, deadline=today - dt.timedelta(days=2))           # 财务科 overdue
    make_problem(bureau.staff_a2, deadline=today - dt.timedelta(days=9))          # 财务科 overdue
    make_problem(bureau.staff_b, deadline=workdays.add_workdays(today, 2))        # 资产管理科 due soon
    make_problem(bureau.staff_b, deadline=today + dt.timedelta(days=40))          # 资产管理科 later
    third = make_department("后勤科")
    make_problem(None, department=third, deadline=today + dt.timedelta(days=40))  # green
    back = make_problem(None, department=third, deadline=today + dt.timedelta(days=30), status="in_progress")
    ProblemEvent.create(problem=back.id, kind="status", from_status="rectified", to_status="in_progress")
    rows = rag.by_department(bureau.office)
    assert rows[0]["name"] == "财务科" and rows[0]["colour"] == "red" and rows[0]["overdue"] == 2
    by = {r["name"]: r for r in rows}
    assert by["资产管理科"]["colour"] == "amber" and by["资产管理科"]["due_soon"] == 1
    assert by["后勤科"]["colour"] == "amber" and by["后勤科"]["returned"] == 1 and by["后勤科"]["due_soon"] == 0
    auth.login(bureau.office)
    for r in rows:
        for which in ("overdue", "due_soon"):
            url = "/ledger/?" + "&".join(f"{k}={v}" for k, v in rag.ledger_args(r["id"], which, today).items())
            assert _ledger_count(client, url) == r[which], (r["name"], which)
    dash = client.get("/dashboard/").get_data(as_text=True)
    assert 'id="rag-ranking"' in dash
    order = re.findall(r'<tr data-dept="(\d+)" data-colour="(\w+)"', dash)
    assert [int(d) for d, _ in order] == [r["id"] for r in rows]
    jobs.snapshot()
    page = client.get("/supervision/rag").get_data(as_text=True)
    assert "红色：有逾期未整改的问题" in page and "李明" in page and 'class="rag rag-red" title=' in page
    switch(auth, bureau.chief)
    home = client.get("/").get_data(as_text=True)
    assert 'id="rag-ranking"' in home and "单位自查自纠情况报送" in home
    # per person, per leader
    people = {r["name"]: r["colour"] for r in rag.by_person(bureau.office)}
    assert people["李明"] == "red" and people["孙丽"] == "amber"
    leaders = rag.by_leader(bureau.office)
    assert leaders[0]["name"] == "吴建国" and leaders[0]["colour"] == "red" and leaders[0]["overdue"] == 2


def test_weekly_snapshot_is_kept_and_rerun_updates(bureau, travel):
    travel(TODAY)
    make_problem(bureau.staff_a, deadline=dt.date(2026, 12, 1))
    n = jobs.snapshot()
    assert n >= 3 and jobs.snapshot() == n
    assert RagSnapshot.select().where(RagSnapshot.scope == "department").count() == 1
    s = RagSnapshot.get(RagSnapshot.scope == "department")
    assert s.week == dt.date(2026, 11, 30) and s.colour == "red" and s.overdue == 1


def test_supervision_notice_from_overdue_problems_of_one_department(bureau, client, auth, travel):
    travel(TODAY)
    p1 = make_problem(bureau.staff_a, description="公文办理超时限", deadline=dt.date(2026, 11, 20))
    p2 = make_problem(bureau.staff_a2, description="值班期间脱岗", deadline=dt.date(2026, 11, 25))
    other = make_problem(bureau.staff_b, deadline=dt.date(2026, 11, 25))
    fresh = make_problem(bureau.staff_a, deadline=dt.date(2026, 12, 30))
    auth.login(bureau.office)
    r = client.post("/supervision/notice", data={"ids": [str(p1.id), str(other.id)]})
    assert r.status_code == 303 and Document.select().count() == 0
    client.post("/supervision/notice", data={"ids": [str(fresh.id)]})
    assert Document.select().count() == 0
    r = client.post("/supervision/notice", data={"ids": [str(p1.id), str(p2.id)]})
    doc = Document.get()
    assert r.headers["Location"].endswith(f"/documents/{doc.id}")
    assert doc.kind == "supervision-notice" and doc.prefix == "机管督" and "王立新" in doc.addressees
    assert "李明" in doc.body and "张华" in doc.body and "已逾期" in doc.body
    assert {d.problem_id for d in DocumentProblem.select()} == {p1.id, p2.id}
    from portal.documents import service as documents
    assert documents.issue_problems(doc) == []
    doc = documents.issue(doc.id, bureau.office)
    assert doc.status == "issued"
    assert doc.number == "机管督〔2026〕1号"
    pdf = client.get(f"/documents/{doc.id}/pdf")
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"
    switch(auth, bureau.head_a)
    assert client.post("/supervision/notice", data={"ids": [str(p1.id)]}).status_code == 403


def test_frequent_pattern_flags_rows_and_drafts_a_document(bureau, client, auth, travel):
    travel(TODAY)
    item = Item.select().order_by(Item.seq).first()
    a = make_problem(bureau.staff_a, item=item, description="上班迟到")
    b = make_problem(bureau.staff_a, item=item, description="再次迟到")
    make_problem(bureau.staff_b, item=item)
    groups = patterns.frequent(bureau.office)
    assert any(g["kind"] == "person" and g["ref"] == bureau.staff_a.id and g["ids"] == [a.id, b.id] for g in groups)
    auth.login(bureau.office)
    html = client.get("/ledger/").get_data(as_text=True)
    row = re.search(rf'<tr id="row-{a.id}".*?</tr>', html, re.S).group(0)
    assert "多发频发" in row
    assert "起草约谈" in client.get("/supervision/patterns").get_data(as_text=True)
    for answer, kind in (("talk", "talk-notice"), ("circular", "circular"), ("reminder", "reminder-letter")):
        r = client.post("/supervision/patterns/draft", data={"answer": answer, "ids": [str(a.id), str(b.id)]})
        assert r.status_code == 303
        doc = Document.select().order_by(Document.id.desc()).first()
        assert doc.kind == kind
        assert {d.problem_id for d in DocumentProblem.select().where(DocumentProblem.document == doc.id)} == {a.id, b.id}
        if kind != "circular":
            assert "上班迟到" in doc.body and "再次迟到" in doc.body
        else:
            assert "““" not in doc.title


def test_common_item_starts_a_mechanism_and_shows_its_effect(bureau, client, auth, travel):
    travel(dt.datetime(2026, 11, 25, 10, 0))
    item = Item.select().order_by(Item.seq).first()
    third = make_department("后勤科")
    for person in (bureau.staff_a, bureau.staff_b, make_user(department=third)):
        make_problem(person, item=item)
    travel(TODAY)
    common = patterns.common(bureau.office)
    assert common and common[0]["item"] == item.id and common[0]["departments"] == 3
    auth.login(bureau.office)
    assert "建立长效机制并关联这些问题" in client.get("/dashboard/").get_data(as_text=True)
    r = client.post("/supervision/patterns/mechanism", data={"item": str(item.id)})
    m = Mechanism.get()
    assert r.headers["Location"].endswith(f"/supervision/mechanisms/{m.id}")
    assert len(list(m.problems)) == 3
    travel(dt.datetime(2026, 12, 20, 10, 0))
    page = client.get(f"/supervision/mechanisms/{m.id}")
    if page.status_code == 302:  # the session idled out
        switch(auth, bureau.office)
        page = client.get(f"/supervision/mechanisms/{m.id}")
    html = page.get_data(as_text=True)
    assert "新发问题已下降" in html
    assert patterns.effect(m)["before"] == 3 and patterns.effect(m)["after"] == 0


def test_export_of_supervision_records_is_scoped_and_escaped(bureau, client, auth, travel):
    travel(TODAY)
    mine = make_problem(bureau.staff_a, description="=HYPERLINK(\"http://x\")", deadline=dt.date(2026, 11, 20))
    theirs = make_problem(bureau.staff_b, description="资产科的问题", deadline=dt.date(2026, 11, 20))
    auth.login(bureau.office)
    client.post("/supervision/urge", data={"ids": [str(mine.id), str(theirs.id)], "note": "@请抓紧"})
    client.post("/supervision/notice", data={"ids": [str(mine.id)]})
    from portal.supervision import escalation
    travel(workdays.add_workdays(dt.date(2026, 11, 20), 20))
    escalation.run()
    switch(auth, bureau.office)
    r = client.get("/supervision/export.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == ["催办记录", "督办通知单", "升级督办"]
    urges = [row for row in wb["催办记录"].iter_rows(min_row=3, values_only=True)]
    assert len(urges) == 2
    cell = wb["催办记录"]["D3"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s" and cell.quotePrefix
    assert wb["督办通知单"].max_row == 3 and wb["升级督办"].max_row >= 3
    assert wb["催办记录"].freeze_panes == "A3"
    # a leader in charge of 财务科 only sees 财务科's records
    from portal.accounts import set_charges
    set_charges(bureau.leader, [bureau.fin.id])
    switch(auth, bureau.leader)
    wb = load_workbook(io.BytesIO(client.get("/supervision/export.xlsx").data))
    texts = [row[3] for row in wb["催办记录"].iter_rows(min_row=3, values_only=True)]
    assert texts == ['=HYPERLINK("http://x")'] and wb["督办通知单"].max_row == 2
    assert Urge.select().count() == 2
    switch(auth, bureau.staff_a)
    assert client.get("/supervision/export.xlsx").status_code == 403
