"""The seal image: validating, saving and loading the active seal."""

import hashlib
import io

from .. import audit
from ..extensions import db
from ..models import SealImage
from .errors import DocumentError


# ---------------------------------------------------------------- seal
SEAL_MIN_PX, SEAL_MAX_PX, SEAL_MAX_BYTES = 200, 2000, 2 * 1024 * 1024


def validate_seal(data: bytes) -> tuple[int, int]:
    from PIL import Image
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise DocumentError("印章图片必须是 PNG 格式")
    if len(data) > SEAL_MAX_BYTES:
        raise DocumentError("印章图片不得超过 2 MB")
    from .. import uploads
    try:
        uploads.check_pixels(data, "印章图片")  # from the header, before any pixel is decoded
    except uploads.UploadError as e:
        raise DocumentError(str(e))
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            w, h = im.size
            has_alpha = im.mode in ("RGBA", "LA") or (im.mode == "P" and "transparency" in im.info)
            if not has_alpha:
                raise DocumentError("印章图片必须带透明通道（背景透明的 PNG）")
            alpha = im.convert("RGBA").getchannel("A")
            lo, hi = alpha.getextrema()
    except DocumentError:
        raise
    except Exception:  # noqa: BLE001
        raise DocumentError("无法识别该 PNG 图片")
    if lo == 255:
        raise DocumentError("印章图片没有透明区域：请上传背景透明的 PNG")
    if hi == 0:
        raise DocumentError("印章图片是全透明的")
    if not (SEAL_MIN_PX <= w <= SEAL_MAX_PX and SEAL_MIN_PX <= h <= SEAL_MAX_PX):
        raise DocumentError(f"印章图片尺寸应在 {SEAL_MIN_PX}–{SEAL_MAX_PX} 像素之间（当前 {w}×{h}）")
    if max(w, h) > 1.25 * min(w, h):
        raise DocumentError("印章图片应接近正方形")
    return w, h


def save_seal(data: bytes, actor) -> SealImage:
    from .. import uploads
    w, h = validate_seal(data)
    key = uploads.store("seals", data, "png")
    with db.atomic():
        SealImage.update(active=False).where(SealImage.active == True).execute()  # noqa: E712
        seal = SealImage.create(key=key, sha256=hashlib.sha256(data).hexdigest(), width=w, height=h,
                                size=len(data), uploaded_by=actor, active=True)
        audit.record("seal_upload", "seal", seal.id, actor=actor, detail={"sha256": seal.sha256})
    return seal


def active_seal():
    return SealImage.select().where(SealImage.active == True).order_by(SealImage.id.desc()).first()  # noqa: E712


def load_seal_png() -> bytes | None:
    from .. import uploads
    seal = active_seal()
    if seal is None:
        return None
    data = uploads.load(seal.key)
    if hashlib.sha256(data).hexdigest() != seal.sha256:
        raise DocumentError("印章图片校验失败，请安全管理员重新上传。", 500)
    return data
