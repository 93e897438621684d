"""Mail sent by a job that is killed in the middle is not sent twice when the job runs again: the notices
job (`flask notices run`) killed with SIGKILL while the SMTP server holds its second message; the next run
sends only the notices not yet sent. Notices themselves are made once per key (portal/notify.py)."""
import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from portal import mail
from portal.models import Notice
from portal.notify import notify

from ..factories import make_department, make_user

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class _Holding:
    """Records every message; holds the answer to the second one until released."""

    def __init__(self):
        self.messages = []
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.rcpt_tos[0])
        if len(self.messages) == 2:
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return "250 OK"


@pytest.fixture
def smtp_holding():
    from aiosmtpd.controller import Controller
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = _Holding()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    handler.release.set()
    controller.stop()


def test_mail_of_a_killed_job_is_not_sent_twice(ctx, app, db_url, smtp_holding, tmp_path):
    handler, port = smtp_holding
    dept = make_department("办公室")
    people = [make_user(f"m{i}", dept, real_name=f"收件人{i}") for i in range(4)]
    for p in people:
        assert notify(p, "info", "请于本周五前报送整改台账", "/ledger/", key="mail-once") is not None
        assert notify(p, "info", "请于本周五前报送整改台账", "/ledger/", key="mail-once") is None  # once per key
    env = dict(os.environ, DATABASE_URL=db_url, PORTAL_INSTANCE_PATH=app.instance_path,
               PORTAL_SECRET_KEY="test-secret-key-not-for-production", PORTAL_MAIL_SERVER="127.0.0.1",
               PORTAL_MAIL_PORT=str(port), PORTAL_MAIL_DOMAIN="bureau.example", PORTAL_MAIL_TIMEOUT="30")
    env.pop("TEST_DATABASE_URL", None)
    with open(tmp_path / "notices.log", "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "notices", "run"], cwd=ROOT,
                                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        end = time.monotonic() + 60
        while len(handler.messages) < 2 and time.monotonic() < end and proc.poll() is None:
            time.sleep(0.05)
        assert len(handler.messages) == 2, (tmp_path / "notices.log").read_text()
    finally:
        os.killpg(proc.pid, signal.SIGKILL)        # the job dies while the server holds its second message
        proc.wait(10)
        handler.release.set()
    ctx.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_DOMAIN="bureau.example")
    assert mail.deliver_pending() == 2             # the job taken up again sends only the other two
    assert sorted(handler.messages) == sorted(f"m{i}@bureau.example" for i in range(4))
    assert Notice.select().where(Notice.emailed == False).count() == 0  # noqa: E712
    assert mail.deliver_pending() == 0 and len(handler.messages) == 4
