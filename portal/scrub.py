"""Metadata removal for evidence files, one function per kind, each with a library made for the format:
Pillow for images (re-encoded from pixels), pikepdf for PDF (/Info, XMP, application data, a fresh /ID),
the zip's docProps parts for Word/Excel (author, company, editing time, revision), mutagen for audio
tags (and the standard `wave` module, which rewrites a PCM file with nothing but its format and samples).

Called by portal.uploads only, after the kind has been decided from the content and the size and pixel
limits have been checked. Each function takes and returns bytes, and raises ScrubError when the file
cannot be read: such a file is refused, never stored with its metadata.
"""
import io
import zipfile

from PIL import Image, ImageOps


class ScrubError(ValueError):
    """The file is damaged or cannot be cleaned (the message is Chinese, for the user)."""


def image(data: bytes, kind: str) -> bytes:
    """Pixels only: EXIF (GPS, camera, owner), XMP, ICC text, comments and PNG text chunks are dropped;
    the EXIF orientation is applied first so the picture still stands the right way up. The caller has
    checked the pixel count before this decodes anything."""
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        ImageOps.exif_transpose(im, in_place=True)  # no copy unless the photo really is rotated
        clean = im
        transparency = clean.info.get("transparency")
        clean.info = {}
        out = io.BytesIO()
        if kind == "jpeg":
            if clean.mode not in ("L", "RGB", "CMYK"):
                clean = clean.convert("RGB")
            clean.save(out, "JPEG", quality=92, exif=b"", icc_profile=None)
        else:
            extra = {"transparency": transparency} if transparency is not None else {}
            clean.save(out, "PNG", exif=b"", icc_profile=None, **extra)
        return out.getvalue()


def pdf(data: bytes) -> bytes:
    """The document information dictionary (author, creator, producer, dates), every XMP /Metadata
    stream, application /PieceInfo, and earlier incremental revisions; the file /ID is regenerated."""
    import pikepdf
    try:
        src = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        raise ScrubError("PDF 文件设置了打开密码，请去除密码后再上传")
    except Exception:  # noqa: BLE001 - qpdf could not even repair it
        raise ScrubError("PDF 文件已损坏或无法识别")
    with src:
        if "/Info" in src.trailer:
            del src.trailer["/Info"]
        for obj in src.objects:
            if isinstance(obj, pikepdf.Dictionary) or isinstance(obj, pikepdf.Stream):
                for key in ("/Metadata", "/PieceInfo"):
                    if key in obj:
                        del obj[key]
        for key in ("/Metadata", "/PieceInfo"):
            if key in src.Root:
                del src.Root[key]
        out = io.BytesIO()
        # without encryption=, any owner-password encryption is removed; deterministic_id gives a new /ID
        src.save(out, deterministic_id=True, fix_metadata_version=False)
        return out.getvalue()


_CORE = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
         b' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
         b' xmlns:dcmitype="http://purl.org/dc/dcmitype/"'
         b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>')
_APP = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
        b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>')
_CUSTOM = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
           b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>')
OFFICE_PARTS = {"docProps/core.xml": _CORE, "docProps/app.xml": _APP, "docProps/custom.xml": _CUSTOM}


def office(data: bytes) -> bytes:
    """A .docx/.xlsx rewritten member by member: the docProps parts (creator, last modified by,
    revision, dates, company, manager, editing time, template, custom properties) replaced by empty
    ones, zip timestamps, comments and extra fields (owner ids, NTFS times) dropped. The archive's
    sizes were checked by uploads.check_zip before this reads it."""
    try:
        src = zipfile.ZipFile(io.BytesIO(data))
        out = io.BytesIO()
        with src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                clean = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
                clean.compress_type = zipfile.ZIP_DEFLATED
                clean.external_attr = 0o600 << 16
                if info.filename in OFFICE_PARTS:
                    dst.writestr(clean, OFFICE_PARTS[info.filename])
                    continue
                with src.open(info) as r, dst.open(clean, "w", force_zip64=info.file_size > 2**31) as w:
                    while chunk := r.read(1 << 20):
                        w.write(chunk)
        return out.getvalue()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise ScrubError("Office 文件已损坏或无法识别")


def audio(data: bytes, kind: str) -> bytes:
    """Tags removed with mutagen (ID3 in MP3/WAV, the iTunes atoms of M4A); a PCM WAV is also rewritten
    by `wave`, which keeps only the format and the samples (no LIST/INFO chunks). AMR has no tags."""
    if kind == "amr":
        return data
    if kind == "wav":
        data = _wav_pcm(data)
    import mutagen
    buf = io.BytesIO(data)
    try:
        f = mutagen.File(buf)
        if f is not None and f.tags is not None:
            buf.seek(0)
            f.delete(buf)
    except mutagen.MutagenError:
        raise ScrubError("音频文件已损坏或无法识别")
    return buf.getvalue()


def _wav_pcm(data: bytes) -> bytes:
    import wave
    try:
        with wave.open(io.BytesIO(data), "rb") as r:
            params = r.getparams()
            frames = r.readframes(params.nframes)
    except (wave.Error, EOFError):
        return data  # a compressed WAV (not PCM): mutagen still removes its ID3 chunk
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setparams(params)
        w.writeframes(frames)
    return out.getvalue()
