"""Campaign checklists as data. The default is the plan's own 6 categories × 20 items."""
import datetime as dt
import hashlib
import json
import os

from .. import audit
from ..extensions import db
from ..models import Aspect, Campaign, Category, Item

DEFAULT_FILE = os.path.join(os.path.dirname(__file__), "liuzhi_liuti.json")


class CampaignFileError(ValueError):
    pass


def read_file(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as e:
        raise CampaignFileError(f"活动文件不是有效的 JSON：{e}") from e
    for key in ("code", "name", "start_date", "end_date", "selfcheck_deadline", "aspects", "categories"):
        if key not in data:
            raise CampaignFileError(f"活动文件缺少字段：{key}")
    seqs = [i["seq"] for c in data["categories"] for i in c["items"]]
    if sorted(seqs) != list(range(1, len(seqs) + 1)):
        raise CampaignFileError("条目编号须从 1 起连续")
    return data


def content_hash(data: dict) -> str:
    canon = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


def load(data: dict, activate: bool = True, actor=None) -> tuple[Campaign, bool]:
    """Load a campaign. Identical content is a no-op; changed content becomes a new version, so a
    campaign under existing answers is never changed. Returns (campaign, created)."""
    h = content_hash(data)
    with db.atomic():
        existing = (Campaign.select().where(Campaign.code == data["code"])
                    .order_by(Campaign.version.desc()))
        latest = existing.first()
        if latest is not None and latest.content_hash == h:
            return latest, False
        version = latest.version + 1 if latest else 1
        if activate:
            Campaign.update(is_active=False).where(Campaign.is_active == True).execute()  # noqa: E712
        c = Campaign.create(
            code=data["code"], version=version, name=data["name"], organ=data.get("organ", ""),
            start_date=dt.date.fromisoformat(data["start_date"]),
            end_date=dt.date.fromisoformat(data["end_date"]),
            selfcheck_deadline=dt.date.fromisoformat(data["selfcheck_deadline"]),
            is_active=activate, content_hash=h)
        for seq, name in enumerate(data["aspects"], 1):
            Aspect.create(campaign=c, seq=seq, name=name)
        for cseq, cat in enumerate(data["categories"], 1):
            category = Category.create(campaign=c, seq=cseq, code=cat["code"], name=cat["name"],
                                       title=cat["title"])
            for it in cat["items"]:
                Item.create(campaign=c, category=category, seq=it["seq"], text=it["text"],
                            is_open=bool(it.get("open")))
        audit.record("campaign_load", "campaign", c.id, actor=actor,
                     detail={"code": c.code, "version": version})
    return c, True


def load_default(activate: bool = True) -> Campaign:
    return load(read_file(DEFAULT_FILE), activate=activate)[0]


# the office's settings pages (issue 14 §4): a blueprint of its own, registered with the areas
from flask import Blueprint  # noqa: E402

bp = Blueprint("campaigns", __name__, url_prefix="/campaign")

from . import views  # noqa: E402,F401
