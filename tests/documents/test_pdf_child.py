"""Web requests make PDFs in a render child process (portal/pdfs.py), never in the web worker itself: the
worker stays small, a render that hangs is stopped and answered 503, a child that dies is replaced, and the
child dies with its parent."""
import os
import signal
import subprocess
import sys
import time

import pytest

from portal import pdfs
from portal.gongwen.glyphs import MissingGlyph
from portal.gongwen.samples import sample
from portal.models import SelfCheckVersion
from tests.factories import make_department, make_user
from tests.gongwen.layout import Doc

from .register_helpers import submitted_selfcheck

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def child_mode(app):
    app.config["PDF_RENDERER"] = "process"
    pdfs.reset()
    yield app
    pdfs.reset()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its parent's wait() is dead for our purposes
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_web_request_renders_in_the_child_and_a_dead_child_is_replaced(child_mode, ctx, client, auth):
    me = make_user("li", make_department("财务科"), real_name="李明")
    sc = submitted_selfcheck(me)
    vid = SelfCheckVersion.get(SelfCheckVersion.selfcheck == sc.id, SelfCheckVersion.number == 1).id
    auth.login(me)
    r = client.get(f"/documents/selfcheck/{vid}.pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    assert any("个人对照检查材料" in ln.text for _, _, ls, _ in Doc(r.data).pages for ln in ls)
    children = pdfs.child_pids()
    assert len(children) == 1 and children[0] != os.getpid()
    os.kill(children[0], signal.SIGKILL)            # the child is killed (out of memory, a crash in a library)
    r = client.get(f"/documents/selfcheck/{vid}.pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    assert pdfs.child_pids() and pdfs.child_pids()[0] != children[0]


def test_a_missing_glyph_in_the_child_reaches_the_caller_with_its_characters(child_mode, ctx):
    doc = dict(sample("notice"), body="这个字𗀀没有字形。")          # Tangut: no configured font has it
    with pytest.raises(MissingGlyph) as e:
        pdfs.render_pdf("notice", doc)
    assert e.value.chars == ["𗀀"] and "字库中没有以下字符" in str(e.value)


def test_a_render_that_takes_too_long_is_stopped_and_answered_503(child_mode, ctx, client, auth):
    me = make_user("li", make_department("财务科"), real_name="李明")
    sc = submitted_selfcheck(me)
    vid = SelfCheckVersion.get(SelfCheckVersion.selfcheck == sc.id, SelfCheckVersion.number == 1).id
    auth.login(me)
    child_mode.config["PDF_TIMEOUT"] = 0.05          # a fresh child cannot even import WeasyPrint in 50 ms
    r = client.get(f"/documents/selfcheck/{vid}.pdf")
    assert r.status_code == 503
    assert "公文生成超时" in r.get_data(as_text=True)
    assert pdfs.child_pids() == []                    # the slow child was stopped, not left running
    child_mode.config["PDF_TIMEOUT"] = 120
    assert client.get(f"/documents/selfcheck/{vid}.pdf").status_code == 200


def test_the_child_dies_with_its_web_worker(tmp_path):
    code = (
        "import os, sys, time\n"
        "from portal import pdfs\n"
        "from portal.gongwen.samples import sample\n"
        "pdf = pdfs.render_pdf('circular', sample('circular'))\n"
        "assert pdf.startswith(b'%PDF')\n"
        "print(pdfs.child_pids()[0], flush=True)\n"
        "time.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        assert _alive(child)
        parent.kill()                                  # kill -9 of the web worker
        parent.wait()
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child)
    finally:
        if parent.poll() is None:
            parent.kill()
