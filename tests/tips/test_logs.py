"""No log line links a request made from a tip page to an address or a browser: the tip pages' own
requests, their assets, the favicon and anything fetched with a /tips Referer; through werkzeug's real
server and through a real gunicorn process whose log files are read back."""
import io
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from portal import ROOT
from portal.tips.logfilter import TipAccessLogFilter

XFF = "203.0.113.91"
UA = "ZQXLOGAGENT-Browser/7.7"
MARKED = {"User-Agent": UA, "X-Forwarded-For": XFF, "X-Real-IP": XFF}
ASSET_RE = re.compile(r'<(?:link|script)\b[^>]*\b(?:href|src)="([^"]+)"')


def _assets(html: str) -> list[str]:
    return ASSET_RE.findall(html)


@pytest.mark.parametrize("path", ["/tips/", "/tips/track", "/tips/done"])
def test_tip_pages_load_nothing_outside_tips_and_send_no_referer(client, ctx, path):
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assets = _assets(r.get_data(as_text=True))
    assert assets, "the page loads its stylesheet and scripts"
    for url in assets:
        assert url.startswith("/tips/") or url.startswith("data:"), url
    assert 'rel="icon" href="data:,"' in r.get_data(as_text=True)  # no /favicon.ico request
    for url in assets:
        if url.startswith("/tips/"):
            a = client.get(url)
            assert a.status_code == 200 and a.headers["Referrer-Policy"] == "no-referrer", url


def test_every_answer_under_tips_says_no_referrer(client, ctx):
    # a redirect, a 404 inside /tips, a refused form: the generic security headers keep the tip box's policy
    for r in (client.get("/tips/track/status"), client.get("/tips/no-such-page"),
              client.post("/tips/track", data={"code": "", "password": ""})):
        assert r.headers["Referrer-Policy"] == "no-referrer", r.status_code
    assert client.get("/login").headers["Referrer-Policy"] == "same-origin"


def _get(url, headers):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, ""


def _tip_linked_requests(base):
    """What a browser on the tip box sends: the page, its assets, and — from a browser that ignores
    the referrer policy — shared files and the favicon with a /tips Referer."""
    status, page = _get(base + "/tips/", MARKED)
    assert status == 200
    for url in _assets(page):
        if url.startswith("/"):
            assert _get(base + url, MARKED)[0] == 200
    ref = dict(MARKED, Referer=base + "/tips/track/status")
    assert _get(base + "/static/css/portal.css", ref)[0] == 200
    assert _get(base + "/static/vendor/htmx-2.0.11.min.js", ref)[0] == 200
    _get(base + "/favicon.ico", ref)
    _get(base + "/tips/track/status", MARKED)  # redirect to /tips/track


def test_werkzeug_access_log_keeps_no_address_for_tip_linked_requests(app, ctx, caplog, live_server):
    caplog.set_level(logging.INFO)
    logging.getLogger("werkzeug").setLevel(logging.INFO)
    _tip_linked_requests(live_server.url)
    tip_lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("/static/css/portal.css" in line for line in tip_lines)
    assert any("/favicon.ico" in line for line in tip_lines)
    for line in tip_lines:
        assert "127.0.0.1" not in line, line
        assert "ZQXLOG" not in line and XFF not in line, line
    # an ordinary request keeps its address: the filter only blanks what concerns the tip box
    caplog.clear()
    _get(live_server.url + "/login", {})
    assert any("127.0.0.1" in r.getMessage() for r in caplog.records if r.name == "werkzeug")


def _gunicorn_atoms(**over):
    from gunicorn.glogging import SafeAtoms
    atoms = {"h": "198.51.100.23", "l": "-", "u": "-", "t": "[03/Dec/2026:10:00:00 +0000]",
             "r": "GET /static/css/portal.css HTTP/1.1", "s": "200", "m": "GET", "U": "/static/css/portal.css",
             "q": "", "H": "HTTP/1.1", "b": "10", "B": 10, "f": "http://portal.local/tips/", "a": UA,
             "T": 0, "D": 1, "M": 0, "L": "0.000001", "p": "<1>",
             "{user-agent}i": UA, "{referer}i": "http://portal.local/tips/", "{remote_addr}e": "198.51.100.23"}
    atoms.update(over)
    return SafeAtoms(atoms)


def test_the_filter_is_total_and_nothing_reaches_the_error_log(capsys):
    """A format with an upper-case header atom, a missing header and environ atoms: the record formats,
    and logging's error path (which prints the raw arguments to stderr) is never taken."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("gunicorn.access")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        fmt = ('%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({X-Forwarded-For}i)s '
               '%({User-Agent}i)s %({remote_addr}e)s %(x)s')
        logger.info(fmt, _gunicorn_atoms())
        logger.info(fmt, _gunicorn_atoms(r="GET /tips/track HTTP/1.1", U="/tips/track", f="-",
                                          **{"{referer}i": "-"}))
        logging.getLogger("werkzeug").info('198.51.100.23 - - [x] "%s" %s %s', "GET /tips/ HTTP/1.1")  # bad args
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    out = stream.getvalue()
    err = capsys.readouterr().err
    assert "/static/css/portal.css" in out and "/tips/track" in out
    for text in (out, err):
        assert "198.51.100.23" not in text and "ZQXLOG" not in text
    assert "Logging error" not in err


def test_a_record_that_cannot_be_read_is_replaced_not_leaked():
    f = TipAccessLogFilter()

    class Hostile(dict):
        def __getitem__(self, k):
            raise KeyError(k)

        def get(self, k, default=None):
            raise KeyError(k)

    rec = logging.LogRecord("gunicorn.access", logging.INFO, "", 0, "%(h)s %(a)s",
                            (Hostile(h="198.51.100.23", a=UA),), None)
    assert f.filter(rec)
    assert "198.51.100.23" not in rec.getMessage() and "ZQXLOG" not in rec.getMessage()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port, proc, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def test_gunicorn_logs_keep_no_address_or_agent_for_tip_linked_requests(app, ctx, tmp_path):
    port = _free_port()
    logs = tmp_path / "logs"
    logs.mkdir()
    fmt = ('%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({X-Forwarded-For}i)s '
           '%({x-real-ip}i)s %({remote_addr}e)s')
    env = dict(os.environ, PORTAL_INSTANCE_PATH=app.instance_path, PORTAL_SECRET_KEY="gunicorn-test-secret",
               DATABASE_URL=app.config["DATABASE_URL"],
               PORTAL_RATELIMIT_ENABLED="false")
    out, err = open(logs / "stdout", "w"), open(logs / "stderr", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "2", "--bind", f"127.0.0.1:{port}",
         "--access-logfile", str(logs / "access.log"), "--error-logfile", str(logs / "error.log"),
         "--capture-output", "--log-level", "info", "--access-logformat", fmt, "app:app"],
        cwd=ROOT, env=env, stdout=out, stderr=err)
    try:
        assert _wait_for(port, proc), open(logs / "stderr").read()[-2000:]
        base = f"http://127.0.0.1:{port}"
        _tip_linked_requests(base)
        _get(base + "/login", {"User-Agent": "ordinary-agent"})  # not tip-linked: logged in full
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        out.close()
        err.close()
    access = (logs / "access.log").read_text()
    everything = "".join((logs / n).read_text() for n in ("access.log", "error.log", "stdout", "stderr"))
    assert "/tips/assets/css/tips.css" in access and "/static/css/portal.css" in access
    assert "/favicon.ico" in access
    assert "ZQXLOG" not in everything and XFF not in everything
    assert "Logging error" not in everything
    for line in access.splitlines():
        if "/login" in line:
            assert "127.0.0.1" in line and "ordinary-agent" in line  # the format itself does log them
        else:
            assert "127.0.0.1" not in line, line
