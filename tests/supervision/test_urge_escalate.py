"""催办, escalation by rule, 领导批示 and the 分管领导's panel (server side, SQLite and PostgreSQL)."""
import datetime as dt
import re

from portal import campaign_settings, jobs, workdays
from portal.models import Notice, Problem
from portal.models.supervision import Escalation, Instruction, Urge
from portal.supervision import escalation
from tests.factories import make_problem

TODAY = dt.datetime(2026, 12, 3, 10, 0)


def switch(auth, user):
    auth.logout()
    return auth.login(user)


def _overdue(b, person=None, dept=None, days=3, **kw):
    return make_problem(person or b.staff_a, department=dept, description=kw.pop("description", "公文办理超时限"),
                        deadline=dt.date(2026, 12, 3) - dt.timedelta(days=days), status="in_progress", **kw)


def test_urge_rows_notify_person_and_head_and_count_in_the_row(bureau, client, auth, travel):
    travel(TODAY)
    p1, p2 = _overdue(bureau), _overdue(bureau, bureau.staff_b)
    closed = make_problem(bureau.staff_a, status="closed")
    switch(auth, bureau.office)
    r = client.post("/supervision/urge", data={"ids": [str(p1.id), str(p2.id), str(closed.id)]})
    assert r.status_code == 303
    assert Urge.select().count() == 2
    for who in (bureau.staff_a, bureau.head_a, bureau.staff_b, bureau.head_b):
        assert Notice.select().where((Notice.user == who.id) & (Notice.kind == "urge")).count() == 1
    u = Urge.get(Urge.problem == p1.id)
    assert u.by_id == bureau.office.id and "李明" in u.notified and "王立新" in u.notified
    client.post("/supervision/urge", data={"ids": [str(p1.id)]})
    html = client.get("/ledger/").get_data(as_text=True)
    row = re.search(rf'<tr id="row-{p1.id}".*?</tr>', html, re.S).group(0)
    assert 'data-urges="2"' in row


def test_urge_is_scoped(bureau, client, auth, travel):
    travel(TODAY)
    p = _overdue(bureau, bureau.staff_b)
    switch(auth, bureau.head_a)  # head of 财务科, not 资产管理科
    client.post("/supervision/urge", data={"ids": [str(p.id)]})
    assert Urge.select().count() == 0
    switch(auth, bureau.staff_a)
    mine = _overdue(bureau)
    client.post("/supervision/urge", data={"ids": [str(mine.id)]})
    assert Urge.select().count() == 0  # staff cannot urge


def test_escalation_by_rule_leader_then_chief_idempotent(bureau, client, auth, travel):
    travel(TODAY)
    n = campaign_settings.get("escalation_days")
    deadline = dt.date(2026, 12, 1)
    p = make_problem(bureau.staff_a, description="值班期间脱岗", deadline=deadline, status="pending")
    travel(workdays.add_workdays(deadline, n - 1))
    assert escalation.run() == 0
    travel(workdays.add_workdays(deadline, n))
    jobs.enqueue("supervision_escalate")
    assert [e.level for e in Escalation.select()] == [1]
    assert Notice.select().where((Notice.user == bureau.leader.id) & (Notice.kind == "escalation")).count() == 1
    assert not Notice.select().where(Notice.user == bureau.chief.id).exists()
    assert escalation.run() == 0  # idempotent
    switch(auth, bureau.office)
    row = re.search(rf'<tr id="row-{p.id}".*?</tr>', client.get("/ledger/").get_data(as_text=True), re.S).group(0)
    assert 'data-escalation="1"' in row and "分管领导" in row
    travel(workdays.add_workdays(deadline, 2 * n))
    assert escalation.run() == 1
    assert Notice.select().where((Notice.user == bureau.chief.id) & (Notice.kind == "escalation")).count() == 1
    switch(auth, bureau.office)  # the session idled out over the days travelled
    row = re.search(rf'<tr id="row-{p.id}".*?</tr>', client.get("/ledger/").get_data(as_text=True), re.S).group(0)
    assert 'data-escalation="2"' in row and "局长" in row
    # a rectified problem no longer shows a level
    Problem.update(status="rectified").where(Problem.id == p.id).execute()
    assert escalation.levels([p.id]) == {}


def test_escalation_days_come_from_the_campaign_settings(bureau, travel):
    travel(TODAY)
    campaign_settings.save({"escalation_days": 1}, bureau.office)
    p = _overdue(bureau, days=0)
    travel(workdays.add_workdays(dt.date(2026, 12, 3), 2))
    assert escalation.run() == 2
    assert {e.level for e in Escalation.select().where(Escalation.problem == p.id)} == {1, 2}


def test_leader_instruction_shown_on_top_and_notifies(bureau, client, auth, travel):
    travel(TODAY)
    p = _overdue(bureau)
    other = _overdue(bureau, bureau.staff_b)
    # the leader is in charge of 财务科 and 资产管理科 in the bureau; take 资产管理科 away
    from portal.accounts import set_charges
    set_charges(bureau.leader, [bureau.fin.id])
    switch(auth, bureau.leader)
    r = client.post(f"/supervision/problem/{p.id}/instruct", data={"text": "请于本周内整改到位，报我"})
    assert r.status_code == 303
    assert client.post(f"/supervision/problem/{other.id}/instruct", data={"text": "越权"}).status_code in (403, 404)
    assert client.post(f"/supervision/problem/{p.id}/instruct", data={"text": "  "}).status_code == 303
    assert Instruction.select().count() == 1
    for who in (bureau.staff_a, bureau.office, bureau.office2):
        assert Notice.select().where((Notice.user == who.id) & (Notice.kind == "instruction")).exists()
    mine = client.get("/supervision/instructions").get_data(as_text=True)
    assert "请于本周内整改到位" in mine and "批示后尚无新的办理记录" in mine
    switch(auth, bureau.staff_a)
    page = client.get(f"/ledger/{p.id}").get_data(as_text=True)
    assert "请于本周内整改到位" in page and page.index("请于本周内整改到位") < page.index("台账内容")
    switch(auth, bureau.chief)
    assert client.post(f"/supervision/problem/{other.id}/instruct", data={"text": "局长批示"}).status_code == 303
    assert Instruction.select().count() == 2


def test_selfcheck_urge_by_head_and_leader(bureau, client, auth, travel):
    travel(TODAY)
    switch(auth, bureau.head_a)
    r = client.post("/supervision/selfcheck/urge", data={"dept": str(bureau.fin.id)})
    assert r.status_code == 303
    urged = {u.person_id for u in Urge.select().where(Urge.kind == "selfcheck")}
    assert urged == {bureau.staff_a.id, bureau.staff_a2.id}  # never oneself
    client.post("/supervision/selfcheck/urge", data={"user_ids": [str(bureau.staff_b.id)]})
    assert not Urge.select().where(Urge.person == bureau.staff_b.id).exists()
    switch(auth, bureau.leader)
    client.post("/supervision/selfcheck/urge", data={"user_ids": [str(bureau.staff_b.id)]})
    assert Urge.select().where(Urge.person == bureau.staff_b.id).exists()
    page = client.get("/selfcheck/department?dept=%d" % bureau.fin.id).get_data(as_text=True)
    assert f'data-urge-person="{bureau.staff_a.id}"' in page and "data-urge-all" in page


def test_leader_home_panel_digest_and_clues(bureau, client, auth, travel):
    travel(TODAY)
    _overdue(bureau)
    switch(auth, bureau.leader)
    html = client.get("/").get_data(as_text=True)
    panel = html[html.index('id="charge-panel"'):]
    assert "财务科" in panel and "资产管理科" in panel and "催办逾期" in panel and "催办自查" in panel
    from portal.supervision.jobs import digest
    assert digest() == 1 and digest() == 0
    n = Notice.get((Notice.user == bureau.leader.id) & (Notice.kind == "digest"))
    assert "财务科：未整改 1、逾期 1" in n.text
    assert client.get("/supervision/clues").status_code == 200
