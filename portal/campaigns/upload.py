"""A new checklist version from an uploaded JSON file (same format as liuzhi_liuti.json), checked with
Chinese messages before it is loaded. Loading makes a new Campaign version (portal.campaigns.load): the
self-checks already filled in keep the version they were made with; the setup and rules carry over."""
import datetime as dt
import json

from .. import audit
from ..extensions import db
from ..models.campaign import Campaign
from . import CampaignFileError, load
from .settings import copy_to

MAX_BYTES = 1024 * 1024


def parse(raw: bytes) -> dict:
    """The uploaded bytes -> the campaign's data; raises CampaignFileError (Chinese)."""
    if not raw:
        raise CampaignFileError("请选择检查清单文件（JSON 格式）。")
    if len(raw) > MAX_BYTES:
        raise CampaignFileError("检查清单文件不能超过 1 MB。")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise CampaignFileError("检查清单文件须为 UTF-8 编码的 JSON 文本。")
    except json.JSONDecodeError as e:
        raise CampaignFileError(f"检查清单文件不是有效的 JSON：第{e.lineno}行第{e.colno}列有误。")
    if not isinstance(data, dict):
        raise CampaignFileError("检查清单文件的内容须为一个 JSON 对象。")
    names = {"code": "活动代码", "name": "活动名称", "start_date": "开始日期", "end_date": "结束日期",
             "selfcheck_deadline": "自查截止日期", "aspects": "问题方面", "categories": "整顿重点"}
    for key, label in names.items():
        if key not in data or data[key] in (None, "", []):
            raise CampaignFileError(f"检查清单缺少“{label}”（{key}）。")
    dates = {}
    for key in ("start_date", "end_date", "selfcheck_deadline"):
        try:
            dates[key] = dt.date.fromisoformat(str(data[key]))
        except ValueError:
            raise CampaignFileError(f"“{names[key]}”不是有效日期，应如“2026-05-01”。")
    if dates["start_date"] > dates["end_date"]:
        raise CampaignFileError("结束日期不能早于开始日期。")
    if not dates["start_date"] <= dates["selfcheck_deadline"] <= dates["end_date"]:
        raise CampaignFileError("自查截止日期须在活动起止日期之内。")
    if not isinstance(data["aspects"], list) or not all(isinstance(a, str) and 0 < len(a) <= 8 for a in data["aspects"]):
        raise CampaignFileError("“问题方面”须为不超过8字的名称列表，如[\"思想\", \"工作\"]。")
    if not isinstance(data["categories"], list):
        raise CampaignFileError("“整顿重点”须为列表。")
    seqs = []
    for i, cat in enumerate(data["categories"], 1):
        if not isinstance(cat, dict):
            raise CampaignFileError(f"第{i}个整顿重点格式有误。")
        for key, label in (("code", "代码"), ("name", "名称"), ("title", "标题")):
            if not isinstance(cat.get(key), str) or not cat[key].strip():
                raise CampaignFileError(f"第{i}个整顿重点缺少{label}（{key}）。")
        if len(cat["name"]) > 16 or len(cat["code"]) > 16 or len(cat["title"]) > 64:
            raise CampaignFileError(f"第{i}个整顿重点的名称或代码过长（名称、代码不超过16字，标题不超过64字）。")
        items = cat.get("items")
        if not isinstance(items, list) or not items:
            raise CampaignFileError(f"整顿重点“{cat['name']}”没有问题项。")
        for it in items:
            if not isinstance(it, dict) or not isinstance(it.get("seq"), int) or not str(it.get("text", "")).strip():
                raise CampaignFileError(f"整顿重点“{cat['name']}”中有问题项缺少编号（seq）或内容（text）。")
            seqs.append(it["seq"])
    if sorted(seqs) != list(range(1, len(seqs) + 1)):
        raise CampaignFileError("问题项编号须从 1 起连续且不重复。")
    return data


def load_upload(raw: bytes, actor) -> tuple[Campaign, bool]:
    """Check and load; the new version becomes active and inherits the setup. Returns (campaign, created)."""
    data = parse(raw)
    old = Campaign.active()
    with db.atomic():
        c, created = load(data, activate=True, actor=actor)
        if created and old is not None and old.id != c.id:
            copy_to(old, c)
        audit.record("campaign_checklist_upload", "campaign", c.id, actor=actor,
                     detail={"code": c.code, "version": c.version, "created": created})
    return c, created
