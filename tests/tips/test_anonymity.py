"""What is never kept: markers in every field and file, a forwarded-for address and a user agent, logged
in and not; then the database (SQLite file or PostgreSQL dump), the uploads folder and the logs are
searched. Also: the receipt code appears nowhere in the database, and 10,000 codes do not collide."""
import glob
import io
import logging
import os
import re
import subprocess
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

from portal import db as portal_db
from portal.extensions import db
from portal.models import AuditRecord
from portal.models.tip import Clue, Tip, TipFile, TipMessage
from portal.tips import service

from .util import pdf_bytes, png_bytes_with_text, submit

XFF = "203.0.113.77"
UA = "ZQXAGENT-Browser/9.9"


def markers(n):
    return {k: f"ZQX{n}{k.upper()}MARK" for k in ("name", "dept", "title", "when", "where", "body", "rname",
                                               "remail", "pw", "fname", "fbody", "png", "follow", "ffile")}


def _submit_marked(client, n, phone):
    m = markers(n)
    r, code, pw = submit(
        client, headers={"X-Forwarded-For": XFF, "User-Agent": UA, "X-Real-IP": XFF},
        subject_name=m["name"], subject_department="-1", subject_department_other=m["dept"],
        subject_title=m["title"], happened_when=m["when"], happened_where=m["where"],
        body=f"情况说明 {m['body']} 请核查处理。", identity="named", reporter_name=m["rname"],
        reporter_phone=phone, reporter_email=f"{m['remail'].lower()}@example.org",
        password_mode="choose", password=m["pw"], password2=m["pw"],
        files=[(f"{m['fname']}.pdf", pdf_bytes(m["fbody"])), ("photo.png", png_bytes_with_text(m["png"]))])
    assert r.status_code == 200, re.findall(r"data-error-message>([^<]+)<", r.get_data(as_text=True))
    assert client.post("/tips/track", data={"code": code, "password": pw},
                       headers={"X-Forwarded-For": XFF, "User-Agent": UA}).status_code == 302
    r = client.post("/tips/track/status", data={"text": f"补充 {m['follow']}",
                                                "files": [(io.BytesIO(pdf_bytes(m["ffile"])), f"{m['ffile']}.pdf")]},
                    headers={"X-Forwarded-For": XFF, "User-Agent": UA}, content_type="multipart/form-data")
    assert r.status_code == 200
    return m, code


def _database_bytes(app) -> bytes:
    if portal_db.is_postgres():
        name = app.config["DATABASE_URL"].rsplit("/", 1)[1].split("?")[0]
        out = subprocess.run(["runuser", "-u", "postgres", "--", "pg_dump", name], capture_output=True,
                             check=True, timeout=120)
        return out.stdout
    db.close()
    path = app.config["DATABASE_URL"].split("///", 1)[1]
    data = b""
    for p in (path, path + "-wal", path + "-shm"):
        if os.path.exists(p):
            data += open(p, "rb").read()
    return data


def _uploads_bytes(app) -> bytes:
    data = b""
    for p in glob.glob(os.path.join(app.instance_path, "uploads", "**", "*"), recursive=True):
        if os.path.isfile(p):
            data += open(p, "rb").read()
    return data


def _live_requests(url, code):
    """Real HTTP through werkzeug's server, so its access log lines are produced and captured."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    headers = {"X-Forwarded-For": XFF, "User-Agent": UA}
    page = opener.open(urllib.request.Request(url + "/tips/track", headers=headers)).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    body = urllib.parse.urlencode({"csrf_token": token.group(1), "code": code, "password": "wrong"}).encode()
    try:
        opener.open(urllib.request.Request(url + "/tips/track", data=body, headers=headers))
    except urllib.error.HTTPError as e:
        assert e.code == 401
    opener.open(urllib.request.Request(url + "/tips/", headers=headers)).read()


def test_nothing_identifying_is_kept(app, client, auth, ctx, caplog, live_server):
    from tests.factories import make_user
    caplog.set_level(logging.INFO)
    for name in ("werkzeug", "gunicorn.access"):
        logging.getLogger(name).setLevel(logging.INFO)
    user = make_user("zqxloggedin", roles=("staff",), real_name="登录者")
    audit_before = AuditRecord.select().count()
    m1, code1 = _submit_marked(client, 1, "13955501231")  # not logged in
    auth.login(user)
    audit_after_login = AuditRecord.select().count()
    m2, code2 = _submit_marked(client, 2, "13955501232")  # logged in
    _live_requests(live_server.url, code1)

    # rows carry no account, no time of day for reporter input
    assert Clue.select().where(Clue.created_by.is_null(False)).count() == 0
    assert TipMessage.select().where(TipMessage.author.is_null(False)).count() == 0
    tip_audits = AuditRecord.select().where(AuditRecord.action.in_(("tip_submit", "tip_followup")))
    assert tip_audits.count() == 4
    assert all(r.actor_id is None and r.actor_name == "" for r in tip_audits)
    # while logged in, nothing but the login itself names the user
    later = AuditRecord.select().where(AuditRecord.id > audit_after_login)
    assert all(r.actor_id is None for r in later), [(r.action, r.actor_id) for r in later]
    assert audit_after_login - audit_before >= 1

    needles = [v for m in (m1, m2) for v in m.values()] + [
        "13955501231", "13955501232", XFF, "ZQXAGENT", code1.replace(" ", ""), code2.replace(" ", ""),
        "zqx1remail", "zqx2remail"]
    dump = _database_bytes(app)
    assert len(dump) > 1000
    for n in needles + ["127.0.0.1"]:
        assert n.encode() not in dump, f"{n} found in the database"
    files = _uploads_bytes(app)
    assert TipFile.select().count() == 6 and len(files) > 100
    for n in needles:
        assert n.encode() not in files, f"{n} found in uploads"
        assert n.encode("utf-16-le") not in files
    logs = "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records)
    assert "/tips/track" in logs  # the access log was captured ...
    for line in logs.splitlines():
        if "/tips" in line:
            assert "127.0.0.1" not in line, line  # ... without the client's address
    for n in needles + ["zqxloggedin"]:
        assert n not in logs, f"{n} found in the logs"
    # image metadata was removed before sealing
    for tf in TipFile.select().where(TipFile.kind == "png"):
        assert b"ZQX" not in service.file_bytes(tf) and b"tEXt" not in service.file_bytes(tf)
    # and the content is still there for the office
    assert service.read(Tip.get(Tip.id == 1))["subject"]["name"] == m1["name"]


def test_gunicorn_access_log_lines_for_tips_lose_address_and_agent():
    from portal.tips.logfilter import TipAccessLogFilter
    f = TipAccessLogFilter()
    atoms = {"h": "203.0.113.77", "U": "/tips/track", "r": "POST /tips/track HTTP/1.1", "a": UA,
             "{x-forwarded-for}i": XFF, "s": "401"}
    rec = logging.LogRecord("gunicorn.access", logging.INFO, "", 0, '%(h)s "%(r)s" %(s)s "%(a)s" %({x-forwarded-for}i)s',
                            (atoms,), None)
    assert f.filter(rec)
    msg = rec.getMessage()
    assert XFF not in msg and "ZQXAGENT" not in msg and "/tips/track" in msg
    other = logging.LogRecord("gunicorn.access", logging.INFO, "", 0, "%(h)s %(U)s",
                              ({"h": "10.1.1.1", "U": "/ledger/"},), None)
    f.filter(other)
    assert "10.1.1.1" in other.getMessage()
    wz = logging.LogRecord("werkzeug", logging.INFO, "", 0,
                           '10.9.8.7 - - [27/Nov/2026 10:00:00] "%s" %s %s',
                           ("\x1b[31mPOST /tips/track HTTP/1.1\x1b[0m", "401", "-"), None)
    f.filter(wz)
    assert "10.9.8.7" not in wz.getMessage() and "/tips/track" in wz.getMessage()


def test_receipt_code_is_nowhere_in_the_database(app, client, ctx):
    codes = []
    for _ in range(3):
        _, code, _ = submit(client)
        codes.append(code.replace(" ", ""))
    dump = _database_bytes(app)
    for code in codes:
        assert code.encode() not in dump
        assert code[:8].encode() not in dump or code[8:].encode() not in dump


def test_ten_thousand_codes_do_not_collide(app, ctx):
    codes = [service.new_code() for _ in range(10_000)]
    assert all(len(c) == 16 and c.isdigit() for c in codes)
    assert len(set(codes)) == 10_000
    lookups = {service.code_lookup(c) for c in codes[:2000]}
    assert len(lookups) == 2000
