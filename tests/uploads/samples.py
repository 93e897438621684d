"""Real files made in the tests, with the libraries the formats' users use: Word and Excel files with an
author, a PDF with /Info and XMP, a photo with EXIF, audio with tags, and the hostile ones (image and
zip bombs)."""
import io
import struct
import wave
import zipfile
import zlib

NAME = "张三"  # the author every sample carries
COMPANY = "某某市公安局"


def docx_bytes(text="正文内容：会议记录") -> bytes:
    import docx
    d = docx.Document()
    d.add_paragraph(text)
    cp = d.core_properties
    cp.author = NAME
    cp.last_modified_by = NAME
    cp.comments = f"{NAME}的批注"
    cp.title = "内部材料"
    buf = io.BytesIO()
    d.save(buf)
    return _with_company(buf.getvalue())


def xlsx_bytes(value="表格内容") -> bytes:
    from openpyxl import Workbook
    wb = Workbook()
    wb.active["A1"] = value
    wb.properties.creator = NAME
    wb.properties.lastModifiedBy = NAME
    buf = io.BytesIO()
    wb.save(buf)
    return _with_company(buf.getvalue())


def _with_company(data: bytes) -> bytes:
    """Office writes the company and the editing time into docProps/app.xml; so do we."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "docProps/app.xml":
                body = body.replace(b"</Properties>", f"<Company>{COMPANY}</Company><TotalTime>42</TotalTime>"
                                    f"<Manager>{NAME}</Manager></Properties>".encode())
            dst.writestr(info, body)
    return out.getvalue()


def pdf_bytes() -> bytes:
    import pikepdf
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = [NAME]
        meta["pdf:Producer"] = "ZhangSan Writer"
    pdf.docinfo["/Author"] = NAME
    pdf.docinfo["/Creator"] = "Microsoft Word - 张三的电脑"
    pdf.docinfo["/Producer"] = "ZhangSan Writer"
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def jpeg_with_exif() -> bytes:
    from PIL import Image
    im = Image.new("RGB", (40, 20), (10, 120, 200))
    exif = Image.Exif()
    exif[0x013B] = "ZhangSan"  # Artist
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° to display
    buf = io.BytesIO()
    im.save(buf, "JPEG", exif=exif.tobytes(), comment=b"ZhangSan comment")
    return buf.getvalue()


def _mp3_frames(n=40) -> bytes:
    # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz: 417-byte frames of silence
    return (b"\xff\xfb\x90\x64" + b"\x00" * 413) * n


def mp3_bytes() -> bytes:
    from mutagen.id3 import COMM, ID3, TIT2, TPE1
    tags = ID3()
    tags.add(TPE1(encoding=3, text=NAME))
    tags.add(TIT2(encoding=3, text="录音"))
    tags.add(COMM(encoding=3, lang="chi", desc="", text=f"{NAME}录制"))
    buf = io.BytesIO()
    tags.save(buf)
    return buf.getvalue() + _mp3_frames()


def wav_bytes() -> bytes:
    """A PCM recording with an ID3 chunk (mutagen) and a RIFF LIST/INFO chunk naming the artist."""
    from mutagen.id3 import TPE1
    from mutagen.wave import WAVE
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x01\x00" * 8000)
    info = b"INFO" + b"IART" + struct.pack("<I", 8) + "张三".encode("utf-8") + b"\x00\x00"
    data = buf.getvalue() + b"LIST" + struct.pack("<I", len(info)) + info
    data = data[:4] + struct.pack("<I", len(data) - 8) + data[8:]
    buf = io.BytesIO(data)
    f = WAVE(buf)
    f.add_tags()
    f.tags.add(TPE1(encoding=3, text=NAME))
    f.save(buf)
    return buf.getvalue()


def png_bytes(size=(8, 8)) -> bytes:
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def noise_png(side: int) -> bytes:
    """Random grey pixels: a PNG about side² bytes long that re-encoding cannot shrink."""
    import os
    from PIL import Image
    buf = io.BytesIO()
    Image.frombytes("L", (side, side), os.urandom(side * side)).save(buf, "PNG")
    return buf.getvalue()


def png_bomb(width: int, height: int, rows: int | None = None) -> bytes:
    """A grey PNG whose header claims width × height. rows=None writes every row (all zeros: a few
    hundred KB that decode to width × height bytes); otherwise only `rows` rows (a tiny stream)."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    z = zlib.compressobj(1)
    block = b"\x00" * (width + 1) * 100
    todo = height if rows is None else rows
    idat = []
    while todo > 0:
        n = min(todo, 100)
        idat.append(z.compress(block[: (width + 1) * n]))
        todo -= n
    idat.append(z.flush())
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", b"".join(idat)) + chunk(b"IEND", b""))


def zip_bomb_office(base: bytes, member: str, size: int) -> bytes:
    """`base` (a real .docx/.xlsx) with `member` replaced by `size` bytes that compress to almost nothing
    (streamed: the test never holds them)."""
    src = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            if info.filename != member:
                dst.writestr(info, src.read(info))
        info = zipfile.ZipInfo(member)
        info.compress_type = zipfile.ZIP_DEFLATED
        with dst.open(info, "w", force_zip64=True) as w:
            chunk = b"<si><t>x</t></si>" * 65536
            left = size
            while left > 0:
                w.write(chunk[:left])
                left -= len(chunk)
    return out.getvalue()
