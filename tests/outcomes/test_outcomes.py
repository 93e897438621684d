"""Accountability outcomes: recording (validation, lists from campaign data), 一案双查 links shown on the
case, 自查从宽 / 从严, visibility in SQL for every role, counts(start, end), typical cases."""
import datetime as dt

import pytest

from portal import clock
from portal.models import AuditRecord, Problem
from portal.models.outcome import Outcome, OutcomeOption
from portal.models.selfcheck import SelfCheck
from portal.models.tip import ClueProblem
from portal.outcomes import counts as outcome_counts, options, service, typical
from tests.factories import default_campaign, make_problem
from tests.outcomes.helpers import founded_clue

TODAY = clock.today()


def _pair(clue):
    links = {l.role: l.problem for l in ClueProblem.select().where(ClueProblem.clue == clue.id)}
    return links["person"], links["accountability"]


def _data(**over):
    d = dict(form_measure="1:criticism", org_measure="", sanction="", decided_on=TODAY.isoformat(),
             decided_by_body="局党组", doc_number="机管纪〔2026〕1号", responsibility="", note="")
    d.update(over)
    return d


def test_lists_are_campaign_data_seeded_once(bureau):
    c = default_campaign()
    first = options.options("form_measure", c)
    assert [o.label for o in first][:4] == ["批评教育", "谈话提醒", "责令检查", "诫勉"]
    assert {o.form for o in first} == {1, 2, 3, 4}
    assert [o.label for o in options.options("org_measure", c)] == ["通报批评", "诫勉", "停职检查", "调整职务",
                                                                     "责令辞职", "降职", "免职"]
    n = OutcomeOption.select().count()
    options.options("sanction", c)
    assert OutcomeOption.select().count() == n  # seeded once
    # an edited list is what the form offers
    OutcomeOption.update(label="批评教育（当面）").where(OutcomeOption.code == "criticism").execute()
    OutcomeOption.update(active=False).where(OutcomeOption.code == "talk").execute()
    labels = [label for _v, label in options.form_choices(c)]
    assert "第一种形态 · 批评教育（当面）" in labels and not any("谈话提醒" in x for x in labels)


def test_dual_accountability_on_a_founded_clue(bureau, client, auth):
    b = bureau
    clue = founded_clue(b)
    person_p, leader_p = _pair(clue)
    auth.login(b.office)
    r = client.post(f"/outcomes/problem/{person_p.id}/new", data=_data(org_measure="circular"))
    assert r.status_code == 303
    # the leader's side needs 主体责任 or 监督责任
    r = client.post(f"/outcomes/problem/{leader_p.id}/new", data=_data(form_measure="1:talk"))
    assert r.status_code == 422 and "主体责任或监督责任" in r.get_data(as_text=True)
    r = client.post(f"/outcomes/problem/{leader_p.id}/new", data=_data(form_measure="1:talk",
                                                                        responsibility="supervision"))
    assert r.status_code == 303
    mine, theirs = Outcome.get(problem=person_p.id), Outcome.get(problem=leader_p.id)
    assert mine.clue_id == clue.id and theirs.clue_id == clue.id
    assert mine.partner_id == theirs.id and theirs.partner_id == mine.id
    assert (mine.person_id, theirs.person_id) == (b.staff_a.id, b.head_a.id)
    page = client.get(f"/clues/{clue.id}").get_data(as_text=True)
    assert 'data-outcome="李明"' in page and 'data-outcome="王立新"' in page
    assert "监督责任" in page and "第一种形态" in page and "通报批评" in page
    assert "一案双查关联：王立新（监督责任）" in page and "一案双查关联：李明（违纪违规本人）" in page
    assert AuditRecord.select().where(AuditRecord.action == "outcome_record").count() == 2
    c = outcome_counts.counts(TODAY - dt.timedelta(days=30), TODAY)
    assert c["total"] == 2 and c["forms"]["第一种形态"] == 2 and c["org_measures"] == {"通报批评": 1}
    assert c["dual"] == {"cases": 1, "leaders": 1, "main": 0, "supervision": 1}
    assert outcome_counts.counts(TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=9))["total"] == 0


@pytest.mark.parametrize("over,field", [
    ({"form_measure": ""}, "四种形态"), ({"form_measure": "2:criticism"}, "四种形态"),
    ({"org_measure": "shooting"}, "组织处理"), ({"sanction": "exile"}, "政务处分"),
    ({"decided_on": ""}, "处理决定日期"), ({"decided_on": "2099-01-01"}, "不能晚于今天"),
    ({"decided_by_body": " "}, "决定机关"), ({"decided_on": "2026-02-30"}, "日期")])
def test_bad_input_is_422_and_nothing_saved(bureau, client, auth, over, field):
    clue = founded_clue(bureau)
    person_p, _ = _pair(clue)
    auth.login(bureau.office)
    r = client.post(f"/outcomes/problem/{person_p.id}/new", data=_data(**over))
    assert r.status_code == 422 and field in r.get_data(as_text=True)
    assert Outcome.select().count() == 0


def test_leniency(bureau):
    b = bureau
    selfp = make_problem(person=b.staff_a, source="selfcheck", self_reported=True)
    o = service.record(selfp.id, b.office, _data())
    assert o.leniency == "lenient"
    found = make_problem(person=b.staff_b, source="inspection")
    assert service.leniency_for(found) == ""
    SelfCheck.create(user=b.staff_b, campaign=default_campaign(), status="returned", perfunctory_count=1)
    o2 = service.record(found.id, b.office, _data())
    assert o2.leniency == "strict"
    c = outcome_counts.counts(TODAY, TODAY)
    assert (c["lenient"], c["strict"]) == (1, 1)


ROLES = ["office", "office2", "chief", "leader", "head_a", "staff_a", "staff_a2", "head_b", "disc_head",
         "inspector", "clerk", "sysadmin", "secadmin", "auditor"]


@pytest.mark.parametrize("who", ROLES)
def test_visibility_for_every_role(bureau, client, auth, who):
    b = bureau
    clue = founded_clue(b)
    person_p, leader_p = _pair(clue)
    service.record(person_p.id, b.office, _data())
    service.record(leader_p.id, b.office, _data(responsibility="main"))
    user = b[who]
    seen = {o.person_id for o in service.visible(user)}
    if who in ("office", "office2", "chief"):
        assert seen == {b.staff_a.id, b.head_a.id}
    elif who == "staff_a":
        assert seen == {b.staff_a.id}
    elif who == "head_a":
        assert seen == {b.head_a.id}
    else:
        assert seen == set()
    auth.login(user)
    page = client.get("/outcomes/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert ('data-outcome="李明"' in text) == (b.staff_a.id in seen)
    assert ('data-outcome="王立新"' in text) == (b.head_a.id in seen)


def test_only_the_office_records(bureau, client, auth):
    clue = founded_clue(bureau)
    person_p, _ = _pair(clue)
    for who in ("chief", "leader", "head_a", "staff_a"):
        auth.login(bureau[who])
        assert client.post(f"/outcomes/problem/{person_p.id}/new", data=_data()).status_code == 403
        auth.logout()
    assert Outcome.select().count() == 0


def test_void_keeps_the_row_and_stops_counting(bureau, client, auth):
    clue = founded_clue(bureau)
    person_p, _ = _pair(clue)
    o = service.record(person_p.id, bureau.office, _data())
    auth.login(bureau.office)
    assert client.post(f"/outcomes/{o.id}/void", data={"reason": ""}).status_code == 422
    assert client.post(f"/outcomes/{o.id}/void", data={"reason": "登记错误"}).status_code == 303
    assert Outcome.get_by_id(o.id).void and outcome_counts.counts(TODAY, TODAY)["total"] == 0


def test_typical_cases_page(bureau, client, auth):
    from portal.documents import service as documents
    from tests.documents.register_helpers import draft
    b = bureau
    clue = founded_clue(b)
    person_p, leader_p = _pair(clue)
    service.record(person_p.id, b.office, _data())
    service.record(leader_p.id, b.office, _data(responsibility="supervision"))
    doc = documents.issue(draft(b.clerk, problems=[person_p.id], signer="周正华").id, b.clerk)
    auth.login(b.office)
    r = client.post("/outcomes/typical/mark", data={"clue_id": str(clue.id), "summary": "脱岗典型"})
    assert r.status_code == 303
    assert client.post("/outcomes/typical/mark", data={"clue_id": str(clue.id)}).status_code == 409
    page = client.get("/outcomes/typical").get_data(as_text=True)
    assert "脱岗典型" in page and doc.number in page and 'data-outcome="王立新"' in page
    auth.logout()
    auth.login(b.chief)
    assert client.get("/outcomes/typical").status_code == 200
    auth.logout()
    auth.login(b.leader)
    assert client.get("/outcomes/typical").status_code == 403
    cases = typical.cases(b.chief)
    assert len(cases) == 1 and len(cases[0]["outcomes"]) == 2


def test_problem_page_shows_outcomes_in_scope(bureau, client, auth):
    b = bureau
    clue = founded_clue(b)
    person_p, leader_p = _pair(clue)
    service.record(person_p.id, b.office, _data())
    service.record(leader_p.id, b.office, _data(responsibility="main"))
    auth.login(b.office)
    page = client.get(f"/ledger/{person_p.id}").get_data(as_text=True)
    assert 'data-outcome="李明"' in page and "登记处理结果" in page and "标记为典型问题" in page
    auth.logout()
    auth.login(b.staff_a)  # the person: their own outcome, no buttons
    page = client.get(f"/ledger/{person_p.id}").get_data(as_text=True)
    assert 'data-outcome="李明"' in page and "登记处理结果" not in page and "标记为典型问题" not in page
    auth.logout()
    auth.login(b.leader)  # oversees 财务科's ledger, but not outcomes
    page = client.get(f"/ledger/{person_p.id}")
    assert page.status_code == 200 and 'data-outcome="' not in page.get_data(as_text=True)
    auth.logout()
    auth.login(b.chief)  # reads the case with both outcomes, records nothing
    page = client.get(f"/clues/{clue.id}").get_data(as_text=True)
    assert 'data-outcome="李明"' in page and 'data-outcome="王立新"' in page and "data-record-outcome" not in page


def test_home_panel_shows_own_outcomes_only(bureau, client, auth):
    b = bureau
    clue = founded_clue(b)
    person_p, leader_p = _pair(clue)
    service.record(person_p.id, b.office, _data())
    service.record(leader_p.id, b.office, _data(responsibility="main"))
    auth.login(b.staff_a)
    home = client.get("/").get_data(as_text=True)
    assert "data-my-outcomes" in home and 'data-outcome="李明"' in home and 'data-outcome="王立新"' not in home
    assert "王立新" not in home and "data-partner" not in home  # the partner's outcome is not theirs to see
    auth.logout()
    auth.login(b.staff_b)
    assert "data-my-outcomes" not in client.get("/").get_data(as_text=True)
