"""The 分管领导's read-only clue status (no identity, 回避), 批示 on a clue, the 局长's report deadlines."""
import datetime as dt

from portal.models import Notice
from portal.models.report import ReportingPeriod
from portal.models.selfcheck import DepartmentReport
from portal.models.supervision import Instruction
from portal.models.tip import Clue


def test_leader_sees_clue_status_of_their_departments_only(client, auth, ctx):
    from tests.tips.util import org, submit
    o = org()
    submit(client, subject_department=str(o["fin"].id))             # about 财务科 (in charge)
    submit(client, subject_department=str(o["lead"].id))            # about the leadership: not theirs
    in_charge, other = Clue.select().order_by(Clue.id)
    submit(client, subject_department=str(o["fin"].id))
    about_me = Clue.select().order_by(Clue.id.desc()).first()
    Clue.update(subject_user=o["leader"].id).where(Clue.id == about_me.id).execute()  # 回避
    auth.login(o["leader"])
    assert client.get("/clues/").status_code == 403  # the clue ledger stays closed
    page = client.get("/supervision/clues").get_data(as_text=True)
    assert in_charge.number in page and other.number not in page and about_me.number not in page
    assert "举报人" not in page.replace("不显示举报人身份", "")
    r = client.post(f"/supervision/clue/{in_charge.id}/instruct", data={"text": "请尽快核查"})
    assert r.status_code == 303
    assert client.post(f"/supervision/clue/{about_me.id}/instruct", data={"text": "x"}).status_code == 404
    assert Instruction.select().count() == 1
    assert Notice.select().where((Notice.user == o["office"].id) & (Notice.kind == "instruction")).exists()
    auth.logout()
    auth.login(o["office"])
    html = client.get(f"/clues/{in_charge.id}").get_data(as_text=True)
    assert "请尽快核查" in html and "吴建国批示" in html


def test_chief_home_shows_report_deadlines_and_who_has_not_reported(bureau, client, auth, travel):
    from portal.models import Campaign
    travel(dt.datetime(2026, 12, 3, 10, 0))
    c = Campaign.active()
    ReportingPeriod.create(campaign=c, code="2026-12", name="2026年12月", start_date=dt.date(2026, 12, 1),
                           end_date=dt.date(2026, 12, 31), due_date=dt.date(2026, 12, 10))
    DepartmentReport.create(department=bureau.fin, campaign=c, period="2026-12", status="submitted",
                            submitted_at=dt.datetime(2026, 12, 2, 9, 0), numbers="{}", narrative="")
    auth.login(bureau.chief)
    html = client.get("/").get_data(as_text=True)
    part = html[html.index("单位自查自纠情况报送"):]
    assert "2026年12月" in part and "资产管理科" in part.split("</p>")[0] and "财务科" not in part.split("</p>")[0]


def test_urge_mails_where_configured(bureau, client, auth, app, travel):
    from portal.supervision import service
    travel(dt.datetime(2026, 12, 3, 10, 0))
    from tests.factories import make_problem
    p = make_problem(bureau.staff_a, deadline=dt.date(2026, 11, 20))
    app.config["MAIL_SERVER"] = ""  # not configured: in-app only
    auth.login(bureau.office)
    client.post("/supervision/urge", data={"ids": [str(p.id)]})
    assert Notice.select().where(Notice.kind == "urge").count() == 2
    assert service.urge_counts([p.id]) == {p.id: 1}
