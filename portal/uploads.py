"""The one gate for files that come in and go out.

In: check_files / check_file decide a file's kind from its content (magic bytes, with the `filetype`
library; UTF-8 for plain text) against an allow-list, refuse a client file name whose extension says
something else (`.bat`, `.hta`, `.html`, …), enforce the size limits (per file, per submission, per
record), the pixel limit of images before anything is decoded and the expanded size of zip-based Office
files before anything is expanded, and strip metadata (portal.scrub). store() writes the bytes under
instance/uploads/<area>/<random>.<extension of the detected kind> (directories 0700, files 0600).

Out: download() is the one send function: always an attachment, with the real content type,
`X-Content-Type-Options: nosniff`, a sandboxing CSP and no caching.

Areas that must encrypt (the tip box) pass the cleaned bytes through their own cipher before store().
"""
import io
import os
import re
import secrets
import unicodedata
import zipfile
from typing import NamedTuple

from flask import current_app, send_file
from PIL import Image

from . import scrub
from .errors import Invalid


class Kind(NamedTuple):
    label: str
    ext: str  # the extension the server gives the stored and served file
    mime: str
    names: tuple  # client extensions that may carry this content (anything else is refused)


KINDS = {  # the evidence allow-list
    "pdf": Kind("PDF 文档", "pdf", "application/pdf", ("pdf",)),
    "jpeg": Kind("JPEG 图片", "jpg", "image/jpeg", ("jpg", "jpeg", "jpe", "jfif")),
    "png": Kind("PNG 图片", "png", "image/png", ("png",)),
    "docx": Kind("Word 文档", "docx",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",)),
    "xlsx": Kind("Excel 表格", "xlsx",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)),
    "txt": Kind("文本文件", "txt", "text/plain; charset=utf-8", ("txt",)),
    "mp3": Kind("MP3 音频", "mp3", "audio/mpeg", ("mp3",)),
    "m4a": Kind("M4A 音频", "m4a", "audio/mp4", ("m4a",)),
    "wav": Kind("WAV 音频", "wav", "audio/wav", ("wav",)),
    "amr": Kind("AMR 录音", "amr", "audio/amr", ("amr",)),
}
# kinds the portal itself produces and serves (never accepted as uploads)
SERVED = {**KINDS, "zip": Kind("ZIP 压缩包", "zip", "application/zip", ("zip",))}
ALLOWED_TEXT = "PDF、JPEG、PNG、Word（.docx）、Excel（.xlsx）、纯文本（.txt）、MP3、M4A、WAV、AMR"

_FILETYPE = {"application/pdf": "pdf", "image/jpeg": "jpeg", "image/png": "png", "audio/mpeg": "mp3",
             "audio/mp4": "m4a", "audio/x-wav": "wav", "audio/amr": "amr",
             KINDS["docx"].mime: "docx", KINDS["xlsx"].mime: "xlsx"}
_OFFICE_MAIN = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
# characters that can disguise a name ("文件‮fdp.exe") or break a header
_BAD_NAME_CHARS = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")

# Pillow's own bomb guard (warning above, error at twice this) agrees with our limit, which is checked
# from the header before any pixel is decoded.
Image.MAX_IMAGE_PIXELS = 50_000_000


class UploadError(Invalid, ValueError):
    """A refused upload (422); the message is shown to the user."""


def _cfg(key, default):
    try:
        return current_app.config.get(key, default)
    except RuntimeError:  # outside an application (scripts): the defaults
        return default


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


# ---------------------------------------------------------------- what is it
def detect(data: bytes) -> str | None:
    """The file's kind from its bytes, or None when it is not on the allow-list."""
    import filetype
    guess = filetype.guess(data[:8192])
    if guess is not None:
        kind = _FILETYPE.get(guess.mime)
        if kind is None and guess.mime in ("video/mp4", "audio/aac") and data[4:8] == b"ftyp":
            kind = "m4a"  # an audio recording in a plain MP4 container (Android recorders)
        if kind in _OFFICE_MAIN and _has_member(data, _OFFICE_MAIN[kind]) is False:
            return None  # a readable zip without the main part (a damaged one is refused by check_zip)
        return kind
    if data.startswith(b"PK\x03\x04"):  # Office files that filetype's quick look does not place
        for kind, main in _OFFICE_MAIN.items():
            if _has_member(data, main):
                return kind
        return None
    return "txt" if _is_text(data) else None


def _has_member(data: bytes, name: str) -> bool | None:
    """None when the zip cannot be read at all."""
    try:
        return name in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f" for ch in text[:200_000])


# ---------------------------------------------------------------- limits before decoding
def check_pixels(data: bytes, name: str = "图片") -> tuple[int, int]:
    """The image's size from its header (Image.open decodes nothing); refused above UPLOAD_MAX_PIXELS."""
    limit = _cfg("UPLOAD_MAX_PIXELS", Image.MAX_IMAGE_PIXELS)
    try:
        with Image.open(io.BytesIO(data)) as im:
            w, h = im.size
    except Image.DecompressionBombError:
        w = h = None
    except Exception:  # noqa: BLE001 - any unreadable header is the same answer
        raise UploadError(f"文件“{name}”无法识别为有效图片")
    if w is None or w * h > limit:
        size = f"（{w}×{h} 像素）" if w else ""
        raise UploadError(f"图片“{name}”尺寸过大{size}，最大允许 {limit // 10_000} 万像素，请缩小后再上传")
    return w, h


def check_zip(data: bytes, name: str = "文件", max_total: int | None = None, max_member: int | None = None,
              max_entries: int = 5000) -> None:
    """Refuse a zip (Office file) whose members would expand beyond the limits, before expanding any.
    Python's zipfile never yields more than a member's declared size, so the declared sizes bound
    what a reader (openpyxl, scrub.office) will ever hold."""
    max_total = max_total or _cfg("UPLOAD_MAX_UNZIPPED_BYTES", 200 * 1024 * 1024)
    max_member = max_member or max_total
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadError(f"文件“{name}”已损坏或不是有效的 Office 文件")
    if len(infos) > max_entries:
        raise UploadError(f"文件“{name}”包含的部件过多（{len(infos)} 个），疑似异常文件，已拒绝")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > max_member or total > max_total:
            raise UploadError(f"文件“{name}”解压后超过 {_mb(max_total)}，疑似压缩炸弹，已拒绝")
        if info.filename.lower().endswith("vbaproject.bin"):
            raise UploadError(f"文件“{name}”包含宏代码，不予接收；请另存为不含宏的 .docx/.xlsx 后上传")


# ---------------------------------------------------------------- names
def split_name(filename: str) -> tuple[str, str]:
    """(stem, lower-case extension without the dot) of a client file name, without any path."""
    base = _BAD_NAME_CHARS.sub("", (filename or "").replace("\\", "/").rsplit("/", 1)[-1]).strip(" .")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        return base, ""
    return stem.strip(" ."), ext.lower()


def display_name(filename: str, kind: str) -> str:
    """The name shown and served: the client's stem and the server's extension for the kind."""
    stem = split_name(filename)[0][:100] or "文件"
    return f"{stem}.{SERVED[kind].ext}"


# ---------------------------------------------------------------- the gate
def check_file(f, kinds=tuple(KINDS), max_bytes: int | None = None, strip: bool = True,
               data: bytes | None = None) -> tuple[str, str, bytes]:
    """One uploaded FileStorage (or `data` with f's name) -> (display name, kind, cleaned bytes);
    raises UploadError with a Chinese message."""
    limit = max_bytes or _cfg("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
    stem, ext = split_name(f.filename)
    shown = stem[:60] + (f".{ext[:10]}" if ext else "")
    if data is None:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise UploadError(f"文件“{shown}”超过 {_mb(limit)}")
    if not data:
        raise UploadError(f"文件“{shown}”是空文件")
    kind = detect(data)
    accepted = "、".join(KINDS[k].label for k in kinds) if set(kinds) != set(KINDS) else ALLOWED_TEXT
    if kind not in kinds:
        raise UploadError(f"文件“{shown}”的类型不被接受，仅接受 {accepted}")
    if ext and ext not in KINDS[kind].names:
        raise UploadError(f"文件“{shown}”的扩展名与内容不符（内容为{KINDS[kind].label}），请上传原始文件")
    if kind in ("jpeg", "png"):
        check_pixels(data, shown)
    elif kind in _OFFICE_MAIN:
        check_zip(data, shown)
    if strip:
        try:
            data = _strip(data, kind)
        except scrub.ScrubError as e:
            raise UploadError(f"文件“{shown}”：{e}")
        except Exception:  # noqa: BLE001 - a file its own library cannot read is refused, not a 500
            current_app.logger.warning("metadata removal failed for a %s upload", kind)
            raise UploadError(f"文件“{shown}”已损坏或无法识别为{KINDS[kind].label}")
    return display_name(f.filename, kind), kind, data


def _strip(data: bytes, kind: str) -> bytes:
    if kind in ("jpeg", "png"):
        return scrub.image(data, kind)
    if kind == "pdf":
        return scrub.pdf(data)
    if kind in _OFFICE_MAIN:
        return scrub.office(data)
    if kind in ("mp3", "m4a", "wav", "amr"):
        return scrub.audio(data, kind)
    return data  # plain text carries no metadata


def check_files(files, kinds=tuple(KINDS), used_bytes: int = 0, used_files: int = 0
                ) -> list[tuple[str, str, bytes]]:
    """Validate uploaded FileStorage objects: count and total (with what the record already holds:
    used_bytes / used_files), then each file through check_file. Returns [(name, kind, cleaned bytes)]
    or raises UploadError with a Chinese message."""
    files = [f for f in files if f and f.filename]
    max_files = _cfg("UPLOAD_MAX_FILES", 5)
    if len(files) > max_files:
        raise UploadError(f"一次最多上传 {max_files} 个文件")
    max_total_files = _cfg("UPLOAD_MAX_TOTAL_FILES", 20)
    if files and used_files + len(files) > max_total_files:
        raise UploadError(f"每条记录最多 {max_total_files} 个附件（已有 {used_files} 个）")
    max_total = _cfg("UPLOAD_MAX_TOTAL_BYTES", 60 * 1024 * 1024)
    out, total = [], used_bytes
    for f in files:
        item = check_file(f, kinds)
        total += len(item[2])
        if total > max_total:
            raise UploadError(f"附件合计超过 {_mb(max_total)}，请删减或压缩后再上传")
        out.append(item)
    return out


# ---------------------------------------------------------------- storage
def upload_root() -> str:
    return os.path.join(current_app.instance_path, "uploads")


def upload_dir(area: str) -> str:
    root = upload_root()
    path = os.path.join(root, area)
    for p in (root, path):
        if not os.path.isdir(p):
            os.makedirs(p, mode=0o700, exist_ok=True)
            os.chmod(p, 0o700)  # makedirs' mode is filtered by the umask
    return path


def store(area: str, data: bytes, kind: str | None = None) -> str:
    """Write bytes under a random name and the kind's extension (.bin for sealed or unknown bytes),
    mode 0600; returns the storage key (relative path)."""
    upload_dir(area)
    ext = SERVED[kind].ext if kind in SERVED else "bin"
    key = f"{area}/{secrets.token_hex(16)}.{ext}"
    fd = os.open(os.path.join(upload_root(), key), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return key


def load(key: str) -> bytes:
    base = os.path.realpath(upload_root())
    path = os.path.realpath(os.path.join(base, key))
    if not path.startswith(base + os.sep):
        raise UploadError("非法的文件路径")
    with open(path, "rb") as f:
        return f.read()


# ---------------------------------------------------------------- out
def download(data: bytes, filename: str, kind: str):
    """The one send function: an attachment with the kind's real content type and extension, nosniff,
    a CSP that sandboxes it should a browser render it anyway, and not kept in any cache."""
    k = SERVED[kind]
    resp = send_file(io.BytesIO(data), mimetype=k.mime, as_attachment=True,
                     download_name=display_name(filename, kind), etag=False, conditional=False)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    resp.headers["Cache-Control"] = "no-store"
    return resp
