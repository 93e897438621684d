"""Clue ledger rules: deadlines in working days, escalation, conflicts, identity, 一案双查, grouping,
numbering, filters, notices and panels."""
import datetime as dt
import threading

from portal import clock
from portal.clues import service as clues
from portal.extensions import db
from portal.models import AuditRecord, Notice, Problem
from portal.models.tip import Clue, ClueProblem, Tip
from portal.clues.panels import clue_panel
from portal.nav import problem_panels
from portal.tips import service as tips
from tests.tips.util import item_id, org


def _tip(subject="李明", dept=None, received=None, named=False, **kw):
    return tips.create_tip(subject={"name": subject, "department_id": dept.id if dept else None,
                                    "department": dept.name if dept else ""},
                           body="反映的具体问题情况说明。", item_id=item_id(), received_on=received,
                           reporter={"name": "张三", "phone": "13900000000"} if named else None, **kw)[1]


def _advance(clue, o, to="verifying", handler=None):
    clue = clues.transition(clue, "accepted", o["office"])
    if to == "accepted":
        return clue
    clue = clues.transition(clue, "assigned", o["office"], disposal="verify",
                            handler_id=(handler or o["office2"]).id, workdays=10)
    if to == "assigned":
        return clue
    return clues.transition(clue, "verifying", o["office"])


def test_acceptance_deadline_counts_working_days_across_national_day(client, auth, ctx, travel):
    o = org()
    travel(dt.datetime(2026, 9, 29, 10, 0))
    clue = _tip(named=True)
    assert clue.accept_due == dt.date(2026, 10, 26)  # 国庆 skipped, Sat 10 Oct (调休) counted
    travel(dt.datetime(2026, 10, 26, 17, 0))
    auth.login(o["office"])
    assert not Clue.get_by_id(clue.id).is_overdue
    assert "XS-2026-0001" not in client.get("/clues/?deadline=overdue").get_data(as_text=True)
    travel(dt.datetime(2026, 10, 27, 9, 0))
    auth.logout()
    auth.login(o["office"])
    assert Clue.get_by_id(clue.id).is_overdue
    page = client.get("/clues/?deadline=overdue").get_data(as_text=True)
    assert 'class="overdue"' in page and "XS-2026-0001" in page
    # handling deadline: 6 working days from Fri 25 Sep 2026 → 28, 29, 30 Sep, 8, 9 Oct, Sat 10 Oct (调休)
    travel(dt.datetime(2026, 9, 25, 9, 0))
    c2 = _tip()
    c2 = clues.transition(c2, "accepted", o["office"])
    c2 = clues.transition(c2, "assigned", o["office"], disposal="talk", handler_id=o["office2"].id, workdays=6)
    assert c2.handle_due == dt.date(2026, 10, 10)


def test_numbers_per_year_and_never_doubled_under_concurrency(app, ctx, travel):
    org()
    travel(dt.datetime(2025, 12, 31, 10, 0))
    assert _tip().number == "XS-2025-0001"
    travel(dt.datetime(2026, 1, 5, 10, 0))
    assert _tip().number == "XS-2026-0001"
    errors = []

    def worker():
        try:
            with app.app_context():
                with db.connection_context():
                    for _ in range(3):
                        _tip()
        except Exception as e:  # noqa: BLE001
            errors.append(e)
    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    numbers = [c.number for c in Clue.select().where(Clue.year == 2026).order_by(Clue.seq)]
    assert numbers == [f"XS-2026-{i:04d}" for i in range(1, 20)]


def test_clue_about_the_chief_or_discipline_head_goes_to_the_higher_body(client, auth, ctx):
    o = org()
    c1 = _tip("周正华", o["lead"])
    c2 = _tip("马正义", o["disc"])
    c3 = _tip("李明", o["fin"])
    assert c1.escalated and c1.escalation_reason == "反映局党组书记、局长"
    assert c2.escalated and "机关党委（纪委）负责人" in c2.escalation_reason
    assert not c3.escalated
    auth.login(o["office"])
    page = client.get("/clues/").get_data(as_text=True)
    assert c3.number in page and c1.number not in page and c2.number not in page
    assert client.get(f"/clues/{c1.id}").status_code == 404
    assert AuditRecord.select().where((AuditRecord.action == "access_denied")
                                      & (AuditRecord.object_id == str(c1.id))).exists()
    r = client.post(f"/clues/{c1.id}/to/accepted", data={"version": "1"})
    assert r.status_code == 404
    esc = client.get("/clues/escalated").get_data(as_text=True)
    assert c1.number in esc and c2.number in esc
    r = client.post(f"/clues/escalated/{c1.id}", data={"note": "已以机要方式移送市纪委监委派驻纪检组"})
    assert r.status_code == 303 and Clue.get_by_id(c1.id).forwarded_at is not None
    # the discipline head never sees the clue about themselves, even in the escalated list
    auth.logout()
    from portal.accounts import set_roles
    set_roles(o["disc_head"], ["dept_head", "discipline", "staff"])
    auth.login(o["disc_head"])
    esc = client.get("/clues/escalated").get_data(as_text=True)
    assert c1.number in esc and c2.number not in esc
    assert client.get(f"/clues/escalated/{c2.id}").status_code == 404
    # the chief does not see the clue about them either
    auth.logout()
    auth.login(o["chief"])
    page = client.get("/clues/").get_data(as_text=True)
    assert c1.number not in page and c3.number in page


def test_later_matched_subject_escalates(client, auth, ctx):
    o = org()
    clue = _tip("周局长")  # not matched automatically
    assert not clue.escalated and clue.subject_user_id is None
    auth.login(o["office"])
    r = client.post(f"/clues/{clue.id}/subject", data={"version": str(clue.version), "user_id": str(o["chief"].id)})
    assert r.status_code == 303 and r.headers["Location"].endswith("/clues/escalated")
    assert Clue.get_by_id(clue.id).escalated


def test_nobody_handles_a_clue_about_themselves(client, auth, ctx):
    o = org()
    clue = _tip("林秀清", o["disc"])  # about a discipline officer
    assert clue.subject_user_id == o["office2"].id
    auth.login(o["office2"])
    assert clue.number not in client.get("/clues/").get_data(as_text=True)
    assert client.get(f"/clues/{clue.id}").status_code == 404
    auth.logout()
    auth.login(o["office"])
    clue = clues.transition(clue, "accepted", o["office"])
    r = client.post(f"/clues/{clue.id}/to/assigned", data={"version": str(clue.version), "disposal": "verify",
                                                            "handler_id": str(o["office2"].id), "workdays": "10"})
    assert r.status_code == 409 and "回避" in r.get_data(as_text=True)
    # a department head is not handed a clue about themselves through their department
    c2 = clues.transition(_tip("王立新", o["fin"]), "accepted", o["office"])
    r = client.post(f"/clues/{c2.id}/to/assigned", data={"version": str(c2.version), "disposal": "talk",
                                                          "handler_department_id": str(o["fin"].id), "workdays": "10"})
    assert r.status_code == 409 and "回避" in r.get_data(as_text=True)
    assert AuditRecord.select().where(AuditRecord.action == "clue_refused").count() == 2


def test_reporter_identity_only_for_discipline_and_every_view_audited(client, auth, ctx):
    o = org()
    clue = _tip(named=True)
    clue = _advance(clue, o, "assigned", handler=o["head"])
    auth.login(o["head"])  # the handler
    page = client.get(f"/clues/{clue.id}").get_data(as_text=True)
    assert "反映的具体问题" in page and "张三" not in page and "13900000000" not in page
    assert "查看举报人信息" not in page
    assert client.get(f"/clues/{clue.id}/identity").status_code == 403
    auth.logout()
    auth.login(o["office"])
    page = client.get(f"/clues/{clue.id}").get_data(as_text=True)
    assert "张三" not in page  # not shown until asked for
    # asked for, with a reason, and approved by a custodian (identity access request, issue 12 §3)
    from portal.clues import identity
    from tests.factories import make_user
    req = identity.request_access(clue, o["office"], "需当面向举报人核实具体情况")
    identity.decide(req, make_user("keeper", o["disc"], roles=("custodian", "staff")), approve=True)
    r = client.hx_get(f"/clues/{clue.id}/identity")
    assert r.status_code == 200 and "张三" in r.get_data(as_text=True) and "13900000000" in r.get_data(as_text=True)
    client.hx_get(f"/clues/{clue.id}/identity")
    views = AuditRecord.select().where(AuditRecord.action == "clue_identity_view")
    assert views.where(AuditRecord.outcome == "ok").count() == 2
    assert views.where(AuditRecord.outcome == "denied").count() == 1
    # staff with no clue see nothing
    auth.logout()
    auth.login(o["staff"])
    assert client.get("/clues/").status_code == 403
    assert client.get(f"/clues/{clue.id}").status_code == 404


def test_substantiated_needs_problems_and_dual_accountability(client, auth, ctx):
    o = org()
    clue = _advance(_tip("李明", o["fin"]), o)
    auth.login(o["office"])
    base = {"version": str(clue.version), "conclusion": "true", "finding": "经核实属实。"}
    r = client.post(f"/clues/{clue.id}/to/concluded", data=base)
    assert r.status_code == 409 and "一案双查" in r.get_data(as_text=True)
    assert Clue.get_by_id(clue.id).status == "verifying" and Problem.select().count() == 0
    assert AuditRecord.select().where(AuditRecord.action == "clue_refused").exists()
    r = client.post(f"/clues/{clue.id}/to/concluded", data=base | {
        "person_id": str(o["staff"].id), "leader_id": str(o["leader"].id), "severity": "serious",
        "description": "上班时间玩网络游戏。", "reply": "经核查，反映问题属实，已责令整改。"})
    assert r.status_code == 303, r.get_data(as_text=True)[:500]
    clue = Clue.get_by_id(clue.id)
    assert clue.status == "concluded" and clue.conclusion == "true"
    person = Problem.get(Problem.origin == f"clue:{clue.id}:person")
    leader = Problem.get(Problem.origin == f"clue:{clue.id}:leader")
    assert person.source == leader.source == "tip"
    assert not person.self_reported and not leader.self_reported
    assert person.person_id == o["staff"].id and person.department_id == o["fin"].id
    assert leader.person_id == o["leader"].id and leader.is_accountability
    assert person.partner_id == leader.id and leader.partner_id == person.id
    assert person.severity == "serious"
    roles = {l.role for l in ClueProblem.select().where(ClueProblem.clue == clue)}
    assert roles == {"person", "accountability"}
    # the Problem page shows the clue to those who may see clues, and not to the person
    with ctx.test_request_context():
        panels = "".join(problem_panels(person, o["office"]))
        assert clue.number in panels
        assert not problem_panels(person, o["staff"])


def test_partly_true_also_requires_problems_but_false_does_not(client, auth, ctx):
    o = org()
    c = _advance(_tip("李明", o["fin"]), o)
    try:
        clues.transition(c, "concluded", o["office"], conclusion="partly", finding="部分属实")
        raise AssertionError("should refuse")
    except clues.IllegalTransition as e:
        assert "一案双查" in e.message
    c2 = _advance(_tip("李明", o["fin"]), o)
    c2 = clues.transition(c2, "concluded", o["office"], conclusion="unverifiable", finding="无法核实")
    assert c2.status == "concluded" and Problem.select().count() == 0


def test_link_existing_problem_rules(client, auth, ctx):
    from tests.factories import make_problem
    o = org()
    c = _advance(_tip("李明", o["fin"]), o)
    own = make_problem(person=o["staff"], source="selfcheck", self_reported=True)
    tipp = make_problem(person=o["staff"], source="tip")
    auth.login(o["office"])
    r = client.post(f"/clues/{c.id}/link", data={"problem_id": str(own.id), "role": "person"})
    assert r.status_code == 422 and "只能关联来源为“举报”" in r.get_data(as_text=True)
    r = client.post(f"/clues/{c.id}/link", data={"problem_id": str(tipp.id), "role": "person"})
    assert r.status_code == 303
    # one linked problem alone is not 一案双查
    c = Clue.get_by_id(c.id)
    r = client.post(f"/clues/{c.id}/to/concluded", data={"version": str(c.version), "conclusion": "true",
                                                          "finding": "属实"})
    assert r.status_code == 409


def test_tips_about_the_same_person_are_shown_together(client, auth, ctx):
    o = org()
    a = _tip("李明", o["fin"])
    b = _tip("李 明")  # same name, no department, spaces
    other = _tip("王立新", o["fin"])
    auth.login(o["office"])
    page = client.get("/clues/").get_data(as_text=True)
    assert page.count("共 2 件") == 2
    r = client.hx_get(f"/clues/?same={a.id}")
    text = r.get_data(as_text=True)
    assert a.number in text and b.number in text and other.number not in text
    assert "<html" not in text  # the table fragment only
    detail = client.get(f"/clues/{b.id}").get_data(as_text=True)
    assert "反映同一人的其他线索" in detail and a.number in detail


def test_filters_are_bookmarkable_and_htmx_returns_the_table(client, auth, ctx):
    o = org()
    a = _tip("李明", o["fin"])
    b = _advance(_tip("王立新", o["fin"], channel="phone", recorded_by=o["office"]), o, "accepted")
    auth.login(o["office"])
    full = client.get("/clues/?status=accepted&channel=phone")
    text = full.get_data(as_text=True)
    assert full.status_code == 200 and "<html" in text and b.number in text and a.number not in text
    assert 'hx-push-url="true"' in text
    part = client.hx_get("/clues/?status=pending")
    assert "HX-Request" in part.headers["Vary"]
    t = part.get_data(as_text=True)
    assert "<html" not in t and a.number in t and b.number not in t
    assert client.get("/clues/?status=bogus").status_code == 200
    assert a.number in client.get(f"/clues/?q={a.number[-4:]}").get_data(as_text=True)
    cat = Tip.get_by_id(a.tip_id).item.category_id
    assert a.number in client.get(f"/clues/?category={cat}").get_data(as_text=True)
    assert b.number in client.get(f"/clues/?handler=0&channel=phone").get_data(as_text=True)


def test_assignment_notifies_the_handler_and_department_heads(client, auth, ctx):
    o = org()
    c = clues.transition(_tip("李明", o["fin"]), "accepted", o["office"])
    clues.transition(c, "assigned", o["office"], disposal="verify", handler_id=o["office2"].id,
                     handler_department_id=o["asset"].id, workdays=10)
    got = {n.user_id for n in Notice.select().where(Notice.kind == "clue_assigned")}
    assert got == {o["office2"].id, o["asset_head"].id}


def test_home_panel_for_the_office_and_the_handler(client, auth, ctx, travel):
    o = org()
    travel(dt.datetime(2026, 11, 2, 9, 0))
    _tip("李明", o["fin"])
    c = _advance(_tip("王立新", o["fin"]), o, "assigned", handler=o["asset_head"])
    travel(dt.datetime(2026, 12, 10, 9, 0))
    with ctx.test_request_context():
        html = clue_panel(o["office"])
        assert "待受理 <b>1</b>" in html and "已超期 <b>2</b>" in html
        html = clue_panel(o["asset_head"])
        assert "交办给我的线索" in html and c.number in html
        assert clue_panel(o["staff"]) is None
        assert clue_panel in [f for _, f in __import__("portal.nav", fromlist=["_PANELS"])._PANELS]


def test_office_records_a_phone_tip_and_replies_to_the_reporter(client, auth, ctx):
    o = org()
    auth.login(o["office"])
    r = client.post("/clues/new", data={
        "channel": "phone", "received_on": "2026-11-20", "subject_name": "李明",
        "subject_department": str(o["fin"].id), "item": str(item_id(17)), "body": "来电反映其经常迟到早退。",
        "identity": "named", "reporter_name": "来电人", "reporter_phone": "13811112222", "issue_code": "y"},
        content_type="multipart/form-data")
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert "XS-2026-0001" in text and "data-receipt-code" in text
    clue = Clue.get()
    assert clue.channel == "phone" and clue.created_by_id == o["office"].id
    assert clue.tip.received_on == dt.date(2026, 11, 20)
    assert AuditRecord.get(AuditRecord.action == "clue_record").actor_id == o["office"].id
    r = client.post(f"/clues/{clue.id}/message", data={"text": "已受理，感谢来电。"})
    assert r.status_code == 303
    # future dates are refused
    r = client.post("/clues/new", data={"channel": "letter", "received_on": "2099-01-01", "subject_name": "李明",
                                        "subject_department": "0", "item": "0", "body": "来信反映的问题情况。",
                                        "identity": "anonymous"}, content_type="multipart/form-data")
    assert r.status_code == 422 and "不能晚于今天" in r.get_data(as_text=True)
    assert clock.today() >= dt.date(2026, 11, 20)
