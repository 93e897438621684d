"""Issue 13 §6: four bugs, one test each (SQLite and PostgreSQL)."""
import datetime as dt

from portal.models.tip import Clue, ClueProblem
from portal.quoting import quoted
from tests.factories import make_problem


def _assign(client, auth, office, clue, handler):
    auth.login(office)
    for to, data in (("accepted", {}), ("assigned", {"disposal": "verify", "handler_id": str(handler.id),
                                                      "handler_department_id": "0", "workdays": "10"})):
        data["version"] = str(Clue.get_by_id(clue.id).version)
        assert client.post(f"/clues/{clue.id}/to/{to}", data=data).status_code == 303
    auth.logout()


def test_chief_panel_lists_only_clues_assigned_to_the_chief(client, auth, ctx):
    from tests.tips.util import org, submit
    o = org()
    submit(client, subject_department=str(o["fin"].id))
    clue = Clue.select().first()
    _assign(client, auth, o["office"], clue, o["asset_head"])
    auth.login(o["chief"])
    html = client.get("/").get_data(as_text=True)
    assert "交办给我的线索" not in html and clue.number not in html
    auth.logout()
    auth.login(o["asset_head"])
    assert clue.number in client.get("/").get_data(as_text=True)


def test_flag_counts_each_clue_once_per_department(client, ctx):
    from portal.inspections.flags import flagged_departments
    from tests.tips.util import org, submit
    o = org()
    submit(client, subject_department=str(o["fin"].id))
    clue = Clue.select().first()
    Clue.update(subject_user=o["staff"].id).where(Clue.id == clue.id).execute()
    # 一案双查: the person's problem and the head's accountability problem, both from the one clue
    for person in (o["staff"], o["head"]):
        p = make_problem(person, source="tip")
        ClueProblem.create(clue=clue.id, problem=p.id)
    flagged = {f["department"].id: f for f in flagged_departments()}
    assert flagged[o["fin"].id]["tips"] == 1
    assert "举报线索 1 件" in flagged[o["fin"].id]["reason"]


def test_finding_dated_before_the_plan_start_is_refused(ctx, travel):
    from portal.errors import Invalid
    from portal.inspections import findings
    from portal.models.inspection import Finding
    from tests.inspections.helpers import bureau as insp_bureau, plan  # noqa: F401
    import pytest
    travel(dt.datetime(2026, 11, 21, 10, 0))
    b = insp_bureau()
    pl = plan(b["discipline"], kind="department", count=1)
    from portal.inspections import service
    t = service.add_target(pl, b["depts"][2], b["discipline"], "群众反映")
    before = dt.datetime.combine(pl.planned_date - dt.timedelta(days=3), dt.time(10, 0))
    with pytest.raises(Invalid) as e:
        findings.record_finding(t, b["discipline"], "problem", None, "午间饮酒", before, "", "general", None, [])
    assert "早于检查计划的开始日期" in e.value.message
    assert Finding.select().count() == 0
    on_day = dt.datetime.combine(pl.planned_date, dt.time(10, 0))
    findings.record_finding(t, b["discipline"], "problem", None, "午间饮酒", on_day, "", "general", None, [])
    assert Finding.select().count() == 1


def test_titles_from_user_text_nest_single_quotes():
    assert quoted("关于“六治六提”的通知") == "“关于‘六治六提’的通知”"
    assert quoted('他说"好"') == "“他说‘好’”"
    assert quoted("普通") == "“普通”"
    assert "““" not in quoted("“甲”“乙”") and quoted("“甲”“乙”") == "“‘甲’‘乙’”"


def test_inspection_notice_uses_the_helper(ctx, bureau, travel):
    from portal.notices import triggers
    from portal.models import Notice
    travel(dt.datetime(2026, 12, 3, 10, 0))
    make_problem(bureau.staff_a, description="未按“三重一大”规定决策", deadline=dt.date(2026, 12, 1))
    triggers.run_all()
    n = Notice.select().where(Notice.user == bureau.staff_a.id).first()
    assert "‘三重一大’" in n.text and "“未按" in n.text and "““" not in n.text
