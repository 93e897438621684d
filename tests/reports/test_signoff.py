"""The report's way upward (拟稿 → 审核 → 签发 → 编号 → 报送登记) and its further figures, each recomputed here
with the test's own queries."""
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from portal import clock
from portal.tips import service as tips
from portal.models import AuditRecord, Campaign, Item, Problem, RoleAssignment, User
from portal.models.ledger import Mechanism
from portal.models.report import Report, ReportDispatch, ReportDraft, ReportFile, ReportStep
from portal.models.selfcheck import SelfCheck, SelfCheckVersion
from portal.models.tip import Clue
from portal.reports import service, signoff
from tests.factories import make_problem, make_user

MAY = (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
LO, HI = dt.datetime(2026, 5, 1), dt.datetime(2026, 6, 1)


@pytest.fixture
def world(bureau, travel):
    b = bureau
    travel(dt.datetime(2026, 5, 10, 9, 0))
    c = Campaign.active()
    items = list(Item.select().where(Item.campaign == c).order_by(Item.seq).limit(3))
    make_problem(person=b.staff_a, source="selfcheck", self_reported=True, item=items[0], severity="serious")
    make_problem(person=b.staff_a2, source="tip", item=items[1], severity="frequent")
    make_problem(person=b.staff_b, source="inspection", item=items[1], status="in_progress")
    p = make_problem(person=b.staff_b, source="tip", item=items[2], is_accountability=True)
    q = make_problem(person=b.head_b, source="tip", item=items[2])
    Problem.update(partner=q.id).where(Problem.id == p.id).execute()
    Mechanism.create(title="考勤管理办法", date=dt.date(2026, 5, 20), created_by=b.office)
    Mechanism.create(title="四月的制度", date=dt.date(2026, 4, 20), created_by=b.office)
    # self-checks: two submitted in May, one returned as perfunctory, one submitted in June (not counted)
    for user, when, perf in ((b.staff_a, dt.datetime(2026, 5, 12), False), (b.staff_b, dt.datetime(2026, 5, 13), True),
                             (b.head_a, dt.datetime(2026, 6, 2), False)):
        sc = SelfCheck.create(user=user, campaign=c, status="submitted", submitted_at=when)
        SelfCheckVersion.create(selfcheck=sc, number=1, submitted_at=when, content_hash="x" * 64, content="{}",
                                perfunctory=perf, reviewed_at=when + dt.timedelta(days=1) if perf else None,
                                review_outcome="returned" if perf else "")
    # clues: phone accepted and assigned in May, concluded true; online accepted in May; letter accepted in April
    for channel, acc, asg, con, concl in (("phone", dt.datetime(2026, 5, 3), dt.datetime(2026, 5, 4),
                                           dt.datetime(2026, 5, 20), "true"),
                                          ("online", dt.datetime(2026, 5, 6), None, None, ""),
                                          ("letter", dt.datetime(2026, 4, 6), dt.datetime(2026, 5, 7),
                                           dt.datetime(2026, 5, 25), "false")):
        _tip, clue, _c, _p = tips.create_tip(subject={"name": "某人"}, body="反映的问题内容足够长的描述。",
                                             channel=channel, issue_code=False)
        Clue.update(accepted_at=acc, assigned_at=asg, concluded_at=con, conclusion=concl,
                    status="concluded" if con else "accepted").where(Clue.id == clue.id).execute()
    travel(dt.datetime(2026, 6, 3, 10, 0))
    return b


def _business_users():
    return [u for u in User.select().where(User.is_active_flag == True)  # noqa: E712
            if RoleAssignment.select().where((RoleAssignment.user == u.id) & RoleAssignment.role.not_in(
                ["sysadmin", "secadmin", "auditor"])).exists()]


def test_further_figures_equal_sql(world):
    from portal.models.outcome import Outcome
    from portal.outcomes import service as outcomes
    b = world
    violator = Problem.get(Problem.person == b.head_b)
    leader = Problem.get(Problem.is_accountability == True)  # noqa: E712
    base = dict(org_measure="", sanction="", decided_by_body="局党组", doc_number="机管纪〔2026〕3号", note="")
    outcomes.record(violator.id, b.office, dict(base, form_measure="1:criticism", responsibility="",
                                                 decided_on="2026-05-20"))
    outcomes.record(leader.id, b.office, dict(base, form_measure="1:criticism", responsibility="supervision",
                                              decided_on="2026-05-21"))
    outcomes.record(violator.id, b.office, dict(base, form_measure="1:criticism", responsibility="",
                                                 decided_on="2026-06-02"))  # June: not in May's report
    stats = service.period_stats(*MAY)
    # participation, as of the period's end
    people = _business_users()
    part = {r["name"]: r for r in stats["participation"]}
    for dept in {u.department for u in people}:
        mine = [u for u in people if u.department_id == dept.id]
        sub = [u for u in mine if SelfCheckVersion.select().join(SelfCheck).where(
            (SelfCheck.user == u.id) & (SelfCheckVersion.submitted_at < HI)).exists()]
        perf = [u for u in mine if SelfCheckVersion.select().join(SelfCheck).where(
            (SelfCheck.user == u.id) & (SelfCheckVersion.perfunctory == True)  # noqa: E712
            & (SelfCheckVersion.reviewed_at < HI)).exists()]
        assert part[dept.name] == {"name": dept.name, "expected": len(mine), "submitted": len(sub),
                                   "perfunctory": len(perf), "missing": len(mine) - len(sub)}
    assert sum(r["submitted"] for r in part.values()) == 2
    # problems of the period by severity, status, item, and the self-reported share
    rows = list(Problem.select().where((Problem.created_at >= LO) & (Problem.created_at < HI)
                                       & (Problem.withdrawn == False)))  # noqa: E712
    p = stats["problems"]
    for key in ("severity", "status"):
        for k, n in p[key].items():
            assert n == sum(1 for r in rows if getattr(r, key) == k), (key, k)
    assert sum(r["n"] for r in p["items"]) == len(rows) == p["total"] == 5
    assert p["self"] == sum(1 for r in rows if r.self_reported) == 1
    assert p["self_share"] == round(100.0 / 5, 1)
    # clues by channel
    clues = list(Clue.select())
    for ch, r in stats["clues"].items():
        mine = [c for c in clues if c.channel == ch]
        assert r["accepted"] == sum(1 for c in mine if c.accepted_at and LO <= c.accepted_at < HI)
        assert r["assigned"] == sum(1 for c in mine if c.assigned_at and LO <= c.assigned_at < HI)
        assert r["concluded"] == sum(1 for c in mine if c.concluded_at and LO <= c.concluded_at < HI)
        assert r["filed"] == sum(1 for c in mine if c.concluded_at and LO <= c.concluded_at < HI
                                 and c.conclusion in ("true", "partly"))
    assert stats["clues"]["phone"]["filed"] == 1 and stats["clues"]["letter"]["accepted"] == 0
    # 一案双查, 长效机制
    acc = [r for r in rows if r.is_accountability]
    assert stats["dual"] == {"accountability": len(acc), "paired": sum(1 for r in acc if r.partner_id)}
    assert [m["title"] for m in stats["mechanisms"]] == ["考勤管理办法"]
    # outcomes by 四种形态 and 一案双查, decided in May and not void
    may = [o for o in Outcome.select() if MAY[0] <= o.decided_on <= MAY[1] and not o.void]
    assert stats["outcomes"]["forms"]["第一种形态"] == sum(1 for o in may if o.form == 1) == 2
    assert stats["outcomes"]["dual"]["supervision"] == 1 and stats["outcomes"]["dual"]["cases"] == 1
    text = "".join(service.compose_body("x", stats, "2026年5月", 4).split())
    assert "已提交2人" in text and "转立案1件" in text and "《考勤管理办法》" in text


def _draft(client, b, **over):
    data = {"kind": "monthly", "ref_date": "2026-05-20", "reviewer": str(b.leader.id), "signer": str(b.chief.id),
            "title": "", "narrative": "本月开展专项检查。", "typical_cases": "某科室干部脱岗被通报。",
            "next_plan": "继续抓好整改。"}
    data.update(over)
    return client.post("/reports/new", data=data)


def test_period_is_validated_in_chinese(world, client, auth):
    auth.login(world.office)
    r = _draft(client, world, ref_date="2026-06-02")  # June has not ended
    assert r.status_code == 422 and "晚于今天" in r.get_data(as_text=True)
    r = _draft(client, world, kind="range", start="2026-05-20", end="2026-05-01")
    assert r.status_code == 422 and "截止日期不能早于起始日期" in r.get_data(as_text=True)
    r = _draft(client, world, kind="range", start="2026-05-20", end="2026-06-03")  # up to today: fine
    assert r.status_code == 303
    r = _draft(client, world, signer=str(world.leader.id))  # a leader is no 签发人
    assert r.status_code == 422 and "签发人" in r.get_data(as_text=True)


def test_sign_off_walk_numbering_and_dispatch(world, client, auth, app):
    b = world
    auth.login(b.office)
    assert _draft(client, b).status_code == 303
    d = ReportDraft.get()
    assert d.status == "draft" and Report.select().count() == 0  # nothing archived on drafting
    # numbering before signing is refused
    r = client.post(f"/reports/drafts/{d.id}/number", data={"number": "机管报〔2026〕5号"})
    assert r.status_code == 409 and "已签发" in r.get_data(as_text=True)
    assert client.post(f"/reports/drafts/{d.id}/submit").status_code == 303
    auth.logout()

    # a leader not named, and staff, may not read it; the named reviewer sees it in his queue
    other = make_user("leader2", b.lead, roles=("leader", "staff"), real_name="另一领导")
    for u in (other, b.staff_a):
        auth.login(u)
        assert client.get(f"/reports/drafts/{d.id}").status_code == 403
        auth.logout()
    auth.login(b.leader)
    home = client.get("/").get_data(as_text=True)
    assert "signoff-queue" in home and "待审核" in home
    assert client.get(f"/reports/drafts/{d.id}").status_code == 200
    assert client.get(f"/reports/drafts/{d.id}/preview.pdf").data.startswith(b"%PDF")
    r = client.post(f"/reports/drafts/{d.id}/decide", data={"decision": "return", "comment": ""})
    assert r.status_code == 422 and "退回意见" in r.get_data(as_text=True)
    assert client.post(f"/reports/drafts/{d.id}/decide",
                       data={"decision": "return", "comment": "数据口径请再核对"}).status_code == 303
    assert ReportDraft.get_by_id(d.id).status == "draft"
    auth.logout()
    auth.login(b.office)
    client.post(f"/reports/drafts/{d.id}/submit")
    auth.logout()
    auth.login(b.leader)
    assert client.post(f"/reports/drafts/{d.id}/decide",
                       data={"decision": "approve", "comment": "同意", "back": "home"}).status_code == 303
    # the reviewer cannot sign
    assert client.post(f"/reports/drafts/{d.id}/decide", data={"decision": "approve"}).status_code == 403
    auth.logout()
    auth.login(b.chief)
    assert "signoff-queue" in client.get("/").get_data(as_text=True)
    assert client.post(f"/reports/drafts/{d.id}/decide",
                       data={"decision": "approve", "comment": "同意上报"}).status_code == 303
    d = ReportDraft.get_by_id(d.id)
    assert d.status == "signed" and d.signed_at is not None
    auth.logout()

    auth.login(b.office)
    r = client.post(f"/reports/drafts/{d.id}/number", data={"number": "机管报[2026]5号"})
    assert r.status_code == 422 and "六角括号" in r.get_data(as_text=True)
    r = client.post(f"/reports/drafts/{d.id}/number", data={"number": "机管报〔2026〕5号", "signature": ""})
    assert r.status_code == 303
    d = ReportDraft.get_by_id(d.id)
    report = Report.get_by_id(d.report_id)
    assert d.status == "numbered" and report.number == "机管报〔2026〕5号" and report.signer == "周正华"
    steps = [(s.action, s.actor.username) for s in ReportStep.select().where(ReportStep.draft == d)
             .order_by(ReportStep.id)]
    assert steps == [("create", "office"), ("submit", "office"), ("return", "leader"), ("submit", "office"),
                     ("approve", "leader"), ("sign", "chief"), ("number", "office")]
    assert all(s.at for s in ReportStep.select())
    # the ledger workbook carries the report's tables on a second sheet
    xlsx = ReportFile.get((ReportFile.report == report) & (ReportFile.kind == "xlsx"))
    wb = load_workbook(io.BytesIO(client.get(f"/reports/{report.id}/files/{xlsx.id}").data))
    assert wb.sheetnames == ["整改台账", "统计表"]
    cells = [c for row in wb["统计表"].iter_rows(values_only=True) for c in row if c is not None]
    assert "表5　各部门自查自纠参与情况" in cells and "转立案" in cells

    # 报送登记: validated, then listed on the report and the register
    r = client.post(f"/reports/{report.id}/dispatch", data={"recipient": "某不存在单位", "sent_on": "2026-06-03",
                                                            "method": "paper"})
    assert r.status_code == 422
    r = client.post(f"/reports/{report.id}/dispatch", data={"recipient": "市纠风办", "sent_on": "2026-06-09",
                                                            "method": "paper"})
    assert r.status_code == 422 and "晚于今天" in r.get_data(as_text=True)
    r = client.post(f"/reports/{report.id}/dispatch", data={"recipient": "市纠风办", "sent_on": "2026-06-03",
                                                            "method": "email", "number": ""})
    assert r.status_code == 303
    x = ReportDispatch.get()
    assert (x.recipient, x.method, x.number, x.sent_by_id) == ("市纠风办", "email", "机管报〔2026〕5号", b.office.id)
    page = client.get("/reports/register").get_data(as_text=True)
    assert "市纠风办" in page and "邮件" in page and "机管报〔2026〕5号" in page
    assert AuditRecord.select().where(AuditRecord.action == "report_dispatch").count() == 1
    auth.logout()
    # the named signer reads the archived report and its files
    auth.login(b.leader)
    assert client.get(f"/reports/{report.id}").status_code == 200
    pdf = ReportFile.get((ReportFile.report == report) & (ReportFile.kind == "pdf"))
    assert client.get(f"/reports/{report.id}/files/{pdf.id}").status_code == 200
    assert client.post(f"/reports/{report.id}/dispatch", data={}).status_code == 403
    auth.logout()
    auth.login(other)
    assert client.get(f"/reports/{report.id}").status_code == 403
    assert clock.today() == dt.date(2026, 6, 3)
