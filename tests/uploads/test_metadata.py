"""Metadata is stripped from every evidence file, read back from what was stored: the tip box's sealed
file (decrypted) and the ledger's plain file. The content itself survives."""
import io
import zipfile

import pytest

from portal import uploads
from portal.models.tip import TipFile
from portal.tips import service as tips
from tests.tips.util import org as tips_org
from tests.tips.util import submit

from . import samples
from .conftest import attach

NEEDLES = [samples.NAME.encode("utf-8"), samples.NAME.encode("utf-16-be"), samples.NAME.encode("utf-16-le"),
           samples.COMPANY.encode("utf-8"), b"ZhangSan"]


def no_needles(data: bytes):
    for n in NEEDLES:
        assert n not in data, n


def check_docx(data: bytes):
    import docx
    d = docx.Document(io.BytesIO(data))
    assert d.core_properties.author == "" and d.core_properties.last_modified_by == ""
    assert d.core_properties.comments == "" and d.core_properties.title == ""
    assert "正文内容：会议记录" in [p.text for p in d.paragraphs]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        no_needles(b"".join(z.read(n) for n in z.namelist() if n.startswith("docProps/")))
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in z.infolist())


def check_xlsx(data: bytes):
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(data))
    assert wb.properties.creator in (None, "openpyxl")  # openpyxl's own default when nobody is named
    assert not wb.properties.lastModifiedBy
    assert wb.active["A1"].value == "表格内容"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        no_needles(b"".join(z.read(n) for n in z.namelist() if n.startswith("docProps/")))
        assert b"creator" not in z.read("docProps/core.xml")


def check_pdf(data: bytes):
    import pikepdf
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/Info" not in pdf.trailer
        assert "/Metadata" not in pdf.Root
        assert len(pdf.pages) == 1
    no_needles(data)


def check_jpeg(data: bytes):
    from PIL import Image
    with Image.open(io.BytesIO(data)) as im:
        assert not im.getexif() and "comment" not in im.info
        assert im.size == (20, 40)  # the EXIF orientation was applied before it was dropped
    no_needles(data)


def check_mp3(data: bytes):
    import mutagen
    f = mutagen.File(io.BytesIO(data))
    assert f is not None and not f.tags
    no_needles(data)


def check_wav(data: bytes):
    import wave
    import mutagen
    assert not mutagen.File(io.BytesIO(data)).tags
    with wave.open(io.BytesIO(data)) as w:
        assert w.getnframes() == 8000  # the recording is intact
    assert b"LIST" not in data and b"IART" not in data
    no_needles(data)


CASES = [
    ("会议纪要.docx", samples.docx_bytes, check_docx),
    ("名单.xlsx", samples.xlsx_bytes, check_xlsx),
    ("材料.pdf", samples.pdf_bytes, check_pdf),
    ("现场.jpg", samples.jpeg_with_exif, check_jpeg),
    ("录音.mp3", samples.mp3_bytes, check_mp3),
    ("录音.wav", samples.wav_bytes, check_wav),
]


@pytest.mark.parametrize("name,make,check", CASES, ids=[c[0].rsplit(".", 1)[1] for c in CASES])
def test_samples_really_carry_the_metadata(name, make, check):
    with pytest.raises(AssertionError):
        check(make())


@pytest.mark.parametrize("name,make,check", CASES, ids=[c[0].rsplit(".", 1)[1] for c in CASES])
def test_tip_box_evidence_is_stored_without_metadata(client, ctx, name, make, check):
    tips_org()
    r, code, _ = submit(client, files=[(name, make())])
    assert r.status_code == 200 and code, r.get_data(as_text=True)[-2000:]
    tf = TipFile.get()
    check(tips.file_bytes(tf))


@pytest.mark.parametrize("name,make,check", CASES, ids=[c[0].rsplit(".", 1)[1] for c in CASES])
def test_ledger_evidence_is_stored_and_served_without_metadata(client, auth, office, name, make, check):
    auth.login(office.office)
    page, ev = attach(client, office.problem, name, make())
    assert ev is not None, page
    check(uploads.load(ev.key))
    check(client.get(f"/ledger/evidence/{ev.id}").data)


def test_unreadable_files_of_an_allowed_kind_are_refused(client, auth, office):
    auth.login(office.office)
    for name, data in (("坏.pdf", b"%PDF-1.4\n garbage without objects"),
                       ("坏.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
                       ("坏.docx", samples.docx_bytes()[:3000])):
        page, ev = attach(client, office.problem, name, data)
        assert ev is None and ("损坏" in page or "无法识别" in page), name
