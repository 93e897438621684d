"""The office attaches files to its replies; the reporter downloads those and the files they sent
themselves, all sealed with the tip key like other tip files."""
import glob
import io
import os
import re

from portal.models.tip import Clue, TipFile

from .util import org, pdf_bytes, pdf_text, submit

FILE_RE = re.compile(r'href="(/tips/track/files/[0-9a-f]+)"[^>]*data-tip-file>([^<]+)<')


def test_office_attachment_and_own_files_downloadable_by_the_reporter_only(app, client, auth, ctx):
    o = org()
    reporter = app.test_client()
    r, code, pw = submit(reporter, files=[("我的证据.pdf", pdf_bytes("REPORTERFILEMARK"))])
    assert reporter.post("/tips/track", data={"code": code, "password": pw}).status_code == 302
    reporter.post("/tips/track/status", data={"text": "补充材料见附件。",
                                              "files": [(io.BytesIO(pdf_bytes("FOLLOWUPMARK")), "补充.pdf")]},
                  content_type="multipart/form-data")

    auth.login(o["office"])
    clue = Clue.get()
    r = client.post(f"/clues/{clue.id}/message", data={
        "text": "请查看附件中的告知书。", "files": [(io.BytesIO(pdf_bytes("OFFICEREPLYMARK")), "告知书.pdf")]},
        content_type="multipart/form-data")
    assert r.status_code == 303
    office_file = TipFile.select().order_by(TipFile.id.desc()).first()
    assert office_file.message is not None and office_file.message.from_reporter is False
    # a wrong file type is refused and the reply text kept
    r = client.post(f"/clues/{clue.id}/message", data={
        "text": "这段答复不能丢。", "files": [(io.BytesIO(b"MZ\x90\x00"), "x.exe")]}, content_type="multipart/form-data")
    assert r.status_code == 422 and "这段答复不能丢。" in r.get_data(as_text=True)

    page = reporter.get("/tips/track/status").get_data(as_text=True)
    links = dict((name, url) for url, name in FILE_RE.findall(page))
    assert set(links) == {"我的证据.pdf", "补充.pdf", "告知书.pdf"}
    for name, marker in (("我的证据.pdf", b"REPORTERFILEMARK"), ("补充.pdf", b"FOLLOWUPMARK"),
                         ("告知书.pdf", b"OFFICEREPLYMARK")):
        d = reporter.get(links[name])
        assert d.status_code == 200 and (marker in d.data or marker in pdf_text(d.data))
        assert d.headers["Content-Disposition"].startswith("attachment")
        assert d.headers["X-Content-Type-Options"] == "nosniff" and d.headers["Cache-Control"] == "no-store"
    # sealed on disk like every tip file
    stored = b"".join(open(p, "rb").read() for p in glob.glob(os.path.join(app.instance_path, "uploads", "**", "*"),
                                                              recursive=True) if os.path.isfile(p))
    for marker in (b"REPORTERFILEMARK", b"FOLLOWUPMARK", b"OFFICEREPLYMARK"):
        assert marker not in stored

    # another reporter's session does not open them, nor does a browser without a session
    other = app.test_client()
    _, code2, pw2 = submit(other)
    other.post("/tips/track", data={"code": code2, "password": pw2})
    assert other.get(links["告知书.pdf"]).status_code == 404
    nobody = app.test_client()
    r = nobody.get(links["告知书.pdf"])
    assert r.status_code == 302 and r.headers["Location"].endswith("/tips/track")
