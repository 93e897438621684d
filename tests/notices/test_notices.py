"""The notice centre: bell and list, each trigger, idempotent runs, e-mail through a real SMTP server."""
import datetime as dt
import email
import json
import socket
from email.header import decode_header, make_header

import pytest

from portal.models import Notice
from portal.notices import triggers
from portal.notify import notify
from tests.factories import make_department, make_problem, make_user


def _people():
    d = make_department("财务科")
    head = make_user("head", d, roles=("dept_head", "staff"), real_name="王科长")
    staff = make_user("staff", d, real_name="李明")
    other = make_user("other", make_department("办公室"), real_name="赵某")
    return d, head, staff, other


def _unread(user):
    return Notice.select().where((Notice.user == user.id) & Notice.read_at.is_null()).count()


def test_bell_list_and_mark_read(ctx, client, auth):
    d, head, staff, other = _people()
    notify(staff, "returned", "您的自查材料被退回：问题描述过于笼统", "/selfcheck/", key="ret:1")
    notify(staff, "clue_assigned", "线索 XS-2026-003 已交办给您核查", "/clues/3", key="clue:3")
    notify(other, "info", "别人的通知")
    auth.login(staff)
    home = client.get("/").get_data(as_text=True)
    assert 'id="notice-bell"' in home and 'data-unread="2"' in home and 'hx-trigger="every 60s' in home
    bell = client.hx_get("/notices/bell")
    assert bell.status_code == 200 and 'data-unread="2"' in bell.get_data(as_text=True)
    assert "<html" not in bell.get_data(as_text=True)
    page = client.get("/notices/").get_data(as_text=True)
    assert "自查材料被退回" in page and "线索交办" in page and "退回" in page and "别人的通知" not in page
    n1 = Notice.get(Notice.dedupe_key == "ret:1")
    r = client.hx_post(f"/notices/{n1.id}/read")
    assert r.status_code == 200 and "notices-changed" in r.headers["HX-Trigger"]
    assert _unread(staff) == 1
    assert 'data-unread="1"' in client.hx_get("/notices/bell").get_data(as_text=True)
    n2 = Notice.get(Notice.dedupe_key == "clue:3")
    r = client.get(f"/notices/{n2.id}/open")
    assert r.status_code == 302 and r.headers["Location"].endswith("/clues/3")
    assert _unread(staff) == 0
    assert "data-unread" not in client.hx_get("/notices/bell").get_data(as_text=True)
    # someone else's notice: 404
    theirs = Notice.get(Notice.user == other.id)
    assert client.post(f"/notices/{theirs.id}/read").status_code == 404
    assert client.get(f"/notices/{theirs.id}/open").status_code == 404


def test_read_all_and_unread_filter(ctx, client, auth):
    d, head, staff, other = _people()
    for i in range(3):
        notify(staff, "info", f"通知{i}", key=f"k{i}")
    auth.login(staff)
    assert "通知2" in client.get("/notices/?show=unread").get_data(as_text=True)
    r = client.hx_post("/notices/read-all")
    assert r.status_code == 200 and "notices-changed" in r.headers["HX-Trigger"]
    trigger = json.loads(r.headers["HX-Trigger"].encode("latin-1"))  # a real server sends latin-1 only
    assert trigger["toast"]["text"] == "已将 3 条通知标为已读"
    assert _unread(staff) == 0
    assert "没有未读通知" in client.get("/notices/?show=unread").get_data(as_text=True)
    notify(other, "info", "x", key="o")
    assert _unread(other) == 1  # untouched


def test_deadline_trigger_person_and_head_idempotent(ctx, runner, travel):
    travel(dt.date(2026, 11, 20))
    d, head, staff, other = _people()
    soon = make_problem(person=staff, deadline=dt.date(2026, 11, 23), description="考勤记录不完整")
    make_problem(person=staff, deadline=dt.date(2026, 12, 20), description="远期问题")  # not yet
    make_problem(person=other, status="in_progress", deadline=dt.date(2026, 11, 18), description="逾期问题")
    closed = make_problem(person=staff, deadline=dt.date(2026, 11, 22), description="已整改问题")
    from portal import problems
    problems.transition(closed.id, "in_progress", None, closed.version)
    problems.transition(closed.id, "rectified", None, closed.version + 1)
    r = runner.invoke(args=["notices", "run"])
    assert r.exit_code == 0, r.output
    assert "整改时限提醒" in r.output
    mine = list(Notice.select().where(Notice.user == staff.id))
    assert len(mine) == 1 and mine[0].kind == "deadline" and "考勤记录不完整" in mine[0].text
    assert "还剩 3 天" in mine[0].text and mine[0].url.endswith(str(soon.id))
    assert Notice.select().where(Notice.user == head.id).count() == 1  # the head of 财务科
    theirs = Notice.get(Notice.user == other.id)
    assert "已逾期 2 天" in theirs.text
    total = Notice.select().count()
    runner.invoke(args=["notices", "run"])
    assert Notice.select().count() == total  # idempotent
    travel(dt.date(2026, 12, 15))  # the far one comes into the window
    triggers.run_all()
    assert Notice.select().where(Notice.text.contains("远期问题")).count() == 2  # person + head


def test_draw_and_assignment_notify_inspectors(ctx, client, auth, travel):
    from tests.inspections.helpers import bureau, draw, plan
    from portal.inspections import service
    travel(dt.datetime(2026, 11, 20, 9, 0))
    b = bureau()
    p = plan(b["discipline"], kind="department", count=1)
    d = draw(p, b["discipline"], purpose="inspectors", count=2)
    drawn = [int(k[2:]) for k in d.result_keys()]
    for uid in drawn:
        n = Notice.get(Notice.user == uid)
        assert n.kind == "draw" and "工作纪律抽查" in n.text and n.url == f"/inspections/{p.id}"
    from portal.models import User
    auth.login(User.get_by_id(drawn[0]))
    html = client.get("/").get_data(as_text=True)
    assert 'data-unread="1"' in html
    assert "抽查任务" in client.get("/notices/").get_data(as_text=True)
    p2 = plan(b["discipline"], title="第二次")
    service.assign_inspector(p2, b["insp_b"], b["discipline"])
    assert Notice.select().where((Notice.user == b["insp_b"].id) & Notice.text.contains("第二次")).count() == 1


def test_reports_due_trigger(ctx, travel):
    from portal.models import report as mod
    travel(dt.date(2026, 11, 28))
    d, head, staff, other = _people()
    mod.ReportingPeriod.create(code="2026-11", name="2026年11月", start_date=dt.date(2026, 11, 1),
                               end_date=dt.date(2026, 11, 30), due_date=dt.date(2026, 11, 30))
    triggers.run_all()
    n = Notice.get(Notice.user == head.id)
    assert n.kind == "report_due" and "财务科尚未报送" in n.text
    triggers.run_all()
    assert Notice.select().where(Notice.kind == "report_due").count() == 1


def test_requests_never_run_the_triggers_the_notices_job_does(ctx, client, auth, travel):
    from portal import jobs
    travel(dt.datetime(2026, 11, 20, 9, 0))
    d, head, staff, other = _people()
    make_problem(person=staff, deadline=dt.date(2026, 11, 21), description="第一条")
    auth.login(staff)
    client.get("/")
    client.get("/notices/")
    assert Notice.select().where(Notice.text.contains("第一条")).count() == 0
    run = jobs.enqueue("notices")  # immediate in tests: runs here, recorded like in the worker
    assert run.status == "done" and run.attempts == 1
    assert Notice.select().where(Notice.text.contains("第一条")).count() == 2  # staff + head
    jobs.enqueue("notices")
    assert Notice.select().where(Notice.text.contains("第一条")).count() == 2


def test_bell_polling_does_not_keep_the_session_alive(ctx, client, auth, travel):
    travel(dt.datetime(2026, 11, 20, 9, 0))
    d, head, staff, other = _people()
    auth.login(staff)
    assert client.get("/").status_code == 200
    for minute in (10, 20, 29):
        travel(dt.datetime(2026, 11, 20, 9, minute))
        assert client.hx_get("/notices/bell").status_code == 200
    travel(dt.datetime(2026, 11, 20, 9, 31))  # 31 minutes without the person doing anything
    r = client.get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


# --- e-mail through a real SMTP server (aiosmtpd) on 127.0.0.1 -------------------------------------

class _Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = _Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def test_email_delivery_through_smtp(ctx, smtp_server, travel):
    handler, port = smtp_server
    ctx.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_DOMAIN="bureau.example",
                      MAIL_SENDER="fengji@bureau.example", PORTAL_BASE_URL="http://fengji.local")
    travel(dt.date(2026, 11, 20))
    d, head, staff, other = _people()
    head.email = "wang.kz@mail.bureau.example"                       # a person's own address wins
    head.save()
    make_problem(person=staff, deadline=dt.date(2026, 11, 22), description="值班记录缺失")
    out = triggers.run_all()
    assert out["mailed"] == 2
    rcpts = sorted(r[0][0] for r in handler.messages)
    assert rcpts == ["staff@bureau.example", "wang.kz@mail.bureau.example"]
    msg = email.message_from_bytes(next(c for r, c in handler.messages if r == ["staff@bureau.example"]))
    assert "整改时限临近" in str(make_header(decode_header(msg["Subject"])))
    body = msg.get_payload(decode=True).decode("utf-8")
    assert "李明，您好" in body and "值班记录缺失" in body and "http://fengji.local/ledger/" in body
    assert Notice.select().where(Notice.emailed == False).count() == 0  # noqa: E712
    assert triggers.run_all()["mailed"] == 0 and len(handler.messages) == 2


def test_email_off_by_default_and_server_down_is_harmless(ctx, travel):
    from portal import mail
    d, head, staff, other = _people()
    notify(staff, "info", "测试")
    assert mail.deliver_pending() == 0  # MAIL_SERVER is None
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    ctx.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=dead, MAIL_DOMAIN="bureau.example", MAIL_TIMEOUT=2)
    assert mail.deliver_pending() == 0
    assert Notice.get().emailed is False  # left for the next run


