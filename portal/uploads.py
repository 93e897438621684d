"""Evidence files: type decided by content (never by name), image metadata stripped, stored under
instance/uploads with a random name, served back only as downloads with nosniff.

Areas that must encrypt (the tip box) pass the cleaned bytes through their own cipher before store().
"""
import io
import os
import secrets
import zipfile

from flask import current_app, send_file

from .errors import Invalid

KINDS = {  # kind: (Chinese label, extension, mimetype)
    "pdf": ("PDF 文档", "pdf", "application/pdf"),
    "jpeg": ("JPEG 图片", "jpg", "image/jpeg"),
    "png": ("PNG 图片", "png", "image/png"),
    "docx": ("Word 文档", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("Excel 表格", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "mp3": ("MP3 音频", "mp3", "audio/mpeg"),
    "m4a": ("M4A 音频", "m4a", "audio/mp4"),
}
ALLOWED_TEXT = "PDF、JPEG、PNG、DOCX、XLSX、MP3、M4A"


class UploadError(Invalid, ValueError):
    """A refused upload (422); the message is shown to the user."""


def sniff(data: bytes) -> str | None:
    """The file's kind from its bytes, or None when it is not an allowed type."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return None
    if data[4:8] == b"ftyp" and data[8:12] in (b"M4A ", b"M4B ", b"mp42", b"isom", b"mp41"):
        return "m4a"
    if data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and (data[1] & 0xE0) == 0xE0):
        return "mp3"
    return None


def strip_metadata(data: bytes, kind: str) -> bytes:
    """Re-encode images without EXIF/GPS/text chunks."""
    if kind not in ("jpeg", "png"):
        return data
    from PIL import Image
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        # a fresh image carries pixels only: no EXIF, GPS, ICC text or PNG text chunks
        clean = Image.frombytes(im.mode, im.size, im.tobytes())
        if im.mode == "P" and im.getpalette():
            clean.putpalette(im.getpalette())
        out = io.BytesIO()
        if kind == "jpeg":
            clean.save(out, "JPEG", quality=92)
        else:
            clean.save(out, "PNG")
        return out.getvalue()


def check_files(files) -> list[tuple[str, str, bytes]]:
    """Validate uploaded FileStorage objects: count, size, type by content. Returns
    [(original_name, kind, cleaned_bytes)] or raises UploadError with a Chinese message."""
    files = [f for f in files if f and f.filename]
    cfg = current_app.config
    if len(files) > cfg["UPLOAD_MAX_FILES"]:
        raise UploadError(f"最多上传 {cfg['UPLOAD_MAX_FILES']} 个文件")
    out = []
    limit = cfg["UPLOAD_MAX_BYTES"]
    for f in files:
        data = f.read(limit + 1)
        if len(data) > limit:
            raise UploadError(f"文件“{f.filename}”超过 {limit // (1024 * 1024)} MB")
        if not data:
            raise UploadError(f"文件“{f.filename}”是空文件")
        kind = sniff(data)
        if kind is None:
            raise UploadError(f"文件“{f.filename}”的类型不被接受，仅接受 {ALLOWED_TEXT}")
        try:
            data = strip_metadata(data, kind)
        except Exception:  # noqa: BLE001 - a broken image is refused, not a 500
            raise UploadError(f"文件“{f.filename}”无法识别为有效图片")
        out.append((os.path.basename(f.filename)[:120], kind, data))
    return out


def upload_dir(area: str) -> str:
    path = os.path.join(current_app.instance_path, "uploads", area)
    os.makedirs(path, exist_ok=True)
    return path


def store(area: str, data: bytes) -> str:
    """Write bytes under a random name; returns the storage key (relative path)."""
    upload_dir(area)
    key = f"{area}/{secrets.token_hex(16)}"
    with open(os.path.join(current_app.instance_path, "uploads", key), "wb") as f:
        f.write(data)
    return key


def load(key: str) -> bytes:
    base = os.path.realpath(os.path.join(current_app.instance_path, "uploads"))
    path = os.path.realpath(os.path.join(base, key))
    if not path.startswith(base + os.sep):
        raise UploadError("非法的文件路径")
    with open(path, "rb") as f:
        return f.read()


def download(data: bytes, filename: str, kind: str):
    """Always an attachment, with nosniff (set globally) and the sniffed mimetype."""
    resp = send_file(io.BytesIO(data), mimetype=KINDS[kind][2], as_attachment=True,
                     download_name=filename)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return resp
