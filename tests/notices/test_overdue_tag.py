"""A notice about an overdue item is tagged 整改已逾期, one still due is tagged 整改时限临近."""
import datetime as dt

from portal.models import Notice
from tests.factories import make_department, make_problem, make_user


def test_overdue_notice_is_tagged_overdue_not_soon(ctx, client, auth, runner, travel):
    travel(dt.date(2026, 11, 20))
    d = make_department("财务科")
    staff = make_user("staff", d, real_name="李明")
    make_problem(person=staff, deadline=dt.date(2026, 11, 23), description="考勤记录不完整")
    make_problem(person=staff, status="in_progress", deadline=dt.date(2026, 11, 18), description="台账逾期问题")
    assert runner.invoke(args=["notices", "run"]).exit_code == 0
    late = Notice.get(Notice.text.contains("台账逾期问题"))
    soon = Notice.get(Notice.text.contains("考勤记录不完整"))
    assert late.kind == "overdue" and soon.kind == "deadline"
    auth.login(staff)
    page = client.get("/notices/").get_data(as_text=True)
    row_late = page[page.index(f'id="notice-{late.id}"'):][:400]
    row_soon = page[page.index(f'id="notice-{soon.id}"'):][:400]
    assert "整改已逾期" in row_late and "临近" not in row_late
    assert "整改时限临近" in row_soon and "逾期" not in row_soon.split("</span>")[0]
