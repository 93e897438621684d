"""The upload gate: kinds decided by content against an allow-list, client extensions that contradict the
content refused, sizes limited per file and per tip, files stored under a server-chosen name and
extension with private modes, and served as attachments with the real type and nosniff."""
import io
import os
import re
import stat

import pytest

from portal import uploads
from portal.models.tip import TipFile
from tests.tips.util import org as tips_org
from tests.tips.util import pdf_bytes, submit

from . import samples
from .conftest import attach


@pytest.mark.parametrize("name,data", [
    ("run.bat", b"@echo off\r\nformat c: /q\r\n"),
    ("app.hta", b"<html><script>new ActiveXObject('WScript.Shell').Run('calc')</script></html>"),
    ("page.html", b"<!doctype html><script>alert(document.cookie)</script>"),
    ("page.htm", b"<html><body>x</body></html>"),
    ("report.pdf.bat", pdf_bytes("disguised")),  # real PDF bytes under an executable name
    ("photo.png.html", samples.png_bytes()),
    ("setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"),
    ("notes.txt", "中文说明".encode("gbk")),  # not UTF-8
    ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
])
def test_dangerous_or_mislabelled_files_are_refused_on_the_tip_box(client, ctx, name, data):
    tips_org()
    r, code, _ = submit(client, files=[(name, data)], body="具体情况写在这里，不能丢失。")
    text = r.get_data(as_text=True)
    assert r.status_code == 422 and code is None
    assert "不被接受" in text or "不符" in text
    assert "具体情况写在这里，不能丢失。" in text  # the tip's text is kept for the next try
    assert TipFile.select().count() == 0
    assert not os.path.exists(os.path.join(ctx.instance_path, "uploads", "tips")) or not os.listdir(
        os.path.join(ctx.instance_path, "uploads", "tips"))


@pytest.mark.parametrize("name,make,kind,ext,mime", [
    ("记录.PDF", lambda: pdf_bytes("x"), "pdf", "pdf", "application/pdf"),
    ("照片.jpeg", samples.jpeg_with_exif, "jpeg", "jpg", "image/jpeg"),
    ("截图.png", samples.png_bytes, "png", "png", "image/png"),
    ("说明.docx", samples.docx_bytes, "docx", "docx", uploads.KINDS["docx"].mime),
    ("清单.xlsx", samples.xlsx_bytes, "xlsx", "xlsx", uploads.KINDS["xlsx"].mime),
    ("情况.txt", lambda: "情况说明：\r\n某某上班时间外出。\n".encode("utf-8"), "txt", "txt", "text/plain"),
    ("录音.mp3", samples.mp3_bytes, "mp3", "mp3", "audio/mpeg"),
    ("录音.wav", samples.wav_bytes, "wav", "wav", "audio/wav"),
    ("无扩展名", lambda: pdf_bytes("y"), "pdf", "pdf", "application/pdf"),
])
def test_allowed_kinds_are_stored_under_server_names_and_served_as_attachments(
        client, auth, office, name, make, kind, ext, mime):
    auth.login(office.office)
    page, ev = attach(client, office.problem, name, make())
    assert ev is not None, page
    assert ev.kind == kind
    assert re.fullmatch(rf"ledger/[0-9a-f]{{32}}\.{ext}", ev.key)  # the server's name and extension
    assert ev.filename.endswith("." + ext) and ev.filename.startswith(name.rsplit(".", 1)[0])
    r = client.get(f"/ledger/evidence/{ev.id}")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith(mime)
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f".{ext}" in disposition
    assert "sandbox" in r.headers["Content-Security-Policy"]
    assert r.headers["Cache-Control"] == "no-store"


def test_text_with_an_executable_or_page_extension_is_refused_on_the_ledger(client, auth, office):
    auth.login(office.office)
    for name in ("a.bat", "a.hta", "a.html", "a.js", "a.csv"):
        page, ev = attach(client, office.problem, name, b"echo hello\r\n")
        assert ev is None and "不符" in page, name


def test_files_on_disk_are_private(client, auth, office):
    auth.login(office.office)
    _page, ev = attach(client, office.problem, "a.pdf", pdf_bytes("modes"))
    root = os.path.join(client.application.instance_path, "uploads")
    assert stat.S_IMODE(os.stat(root).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(os.path.join(root, "ledger")).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(os.path.join(root, ev.key)).st_mode) == 0o600


def test_size_limits_per_file_and_per_tip(client, app, ctx):
    tips_org()
    app.config.update(UPLOAD_MAX_BYTES=4000, UPLOAD_MAX_TOTAL_BYTES=7000, UPLOAD_MAX_TOTAL_FILES=4)
    r, code, _ = submit(client, files=[("big.png", samples.noise_png(70))])
    assert r.status_code == 422 and code is None and "超过" in r.get_data(as_text=True)

    # each under the per-file limit, together over the per-tip total
    part = samples.noise_png(50)
    assert 2500 < len(part) < 4000
    r, code, _ = submit(client, files=[(f"p{i}.png", part) for i in range(4)])
    assert r.status_code == 422 and code is None and "合计超过" in r.get_data(as_text=True)

    # the follow-ups count against the same tip
    r, code, pw = submit(client, files=[("p1.png", part), ("p2.png", part)])
    assert r.status_code == 200 and code
    assert client.post("/tips/track", data={"code": code, "password": pw}).status_code == 302
    r = client.post("/tips/track/status", data={"text": "补充材料", "files": [(io.BytesIO(part), "p3.png")]},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "合计超过" in r.get_data(as_text=True)
    assert TipFile.select().count() == 2
    small = pdf_bytes("z")
    for i in range(2):
        r = client.post("/tips/track/status", data={"text": f"补充{i}", "files": [(io.BytesIO(small), "s.pdf")]},
                        content_type="multipart/form-data")
        assert r.status_code == 200
    r = client.post("/tips/track/status", data={"text": "再补充", "files": [(io.BytesIO(small), "s.pdf")]},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "最多 4 个附件" in r.get_data(as_text=True)
    assert TipFile.select().count() == 4


def test_office_zip_bomb_is_refused_before_it_is_expanded(client, app, auth, office):
    app.config["UPLOAD_MAX_UNZIPPED_BYTES"] = 8 * 1024 * 1024
    auth.login(office.office)
    bomb = samples.zip_bomb_office(samples.docx_bytes(), "word/document.xml", 9 * 1024 * 1024)
    assert len(bomb) < 1024 * 1024
    page, ev = attach(client, office.problem, "会议纪要.docx", bomb)
    assert ev is None and "压缩炸弹" in page


def test_macro_documents_are_refused(client, auth, office):
    import zipfile
    buf = io.BytesIO(samples.docx_bytes())
    with zipfile.ZipFile(buf, "a") as z:
        z.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    auth.login(office.office)
    page, ev = attach(client, office.problem, "宏.docx", buf.getvalue())
    assert ev is None and "宏" in page


def test_display_names_lose_paths_and_direction_tricks():
    assert uploads.split_name("C:\\fakepath\\报告.PDF") == ("报告", "pdf")
    assert uploads.split_name("../../etc/passwd") == ("passwd", "")
    assert uploads.display_name("photo\u202egpj.exe", "pdf") == "photogpj.pdf"
    assert uploads.display_name("", "png") == "文件.png"
