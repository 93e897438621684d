"""The campaign as the office sets it up in the portal (issue 14 §4): name, the plan's 文号, the stages with
their dates, the self-check window, the tip channels and the bodies reports go to. Stored as JSON values in
campaign_setting next to the numeric rules of portal/campaign_settings.py (keys prefixed "campaign."), with
defaults from the Campaign row, so a campaign loaded from the JSON file works without any of them set.
"""
import datetime as dt
import json

from flask import g, has_request_context

from .. import audit, clock
from ..extensions import db
from ..models.campaign import Campaign, CampaignSetting

STAGE_NAMES = ("动员部署", "自查自纠", "整改提升", "总结")
DEFAULT_RECIPIENTS = ("市纪委监委派驻纪检组", "市纪工委", "市纠风办")
CHANNEL_FIELDS = (("phone", "举报电话"), ("letter", "举报信箱"), ("email", "举报邮箱"))
KEYS = ("plan_number", "stages", "window", "channels", "recipients")


class SettingsError(ValueError):
    """{field: Chinese message}"""


def _rows(cid):
    key = f"_campaign_cfg_{cid}"
    if has_request_context() and key in g:
        return g.get(key)
    rows = {k[len("campaign."):]: json.loads(v) for k, v in CampaignSetting
            .select(CampaignSetting.key, CampaignSetting.value)
            .where((CampaignSetting.campaign == cid) & CampaignSetting.key.startswith("campaign.")).tuples()}
    if has_request_context():
        setattr(g, key, rows)
    return rows


def default_stages(c):
    """Four stages over the campaign: 动员部署 a week, 自查自纠 to the self-check deadline, then 整改提升
    and a closing month of 总结."""
    s, e = c.start_date, c.end_date
    d1 = min(s + dt.timedelta(days=6), e)
    d2 = max(min(c.selfcheck_deadline, e), d1)
    d4 = max(e - dt.timedelta(days=30), d2)
    bounds = [(s, d1), (d1 + dt.timedelta(days=1), d2), (d2 + dt.timedelta(days=1), d4),
              (d4 + dt.timedelta(days=1), e)]
    return [{"name": n, "start": a.isoformat(), "end": max(a, b).isoformat()}
            for n, (a, b) in zip(STAGE_NAMES, bounds)]


def config(c=None) -> dict:
    """Everything the settings page shows, defaults filled in. Dates as date objects."""
    c = c or Campaign.active()
    if c is None:
        return {}
    stored = _rows(c.id)
    window = stored.get("window") or {}
    stages = stored.get("stages") or default_stages(c)
    return {
        "name": c.name,
        "plan_number": stored.get("plan_number", ""),
        "stages": [{"name": s["name"], "start": dt.date.fromisoformat(s["start"]),
                    "end": dt.date.fromisoformat(s["end"])} for s in stages],
        "window": {"opens": dt.date.fromisoformat(window["opens"]) if window.get("opens") else None,
                   "closes": c.selfcheck_deadline, "late": bool(window.get("late", False))},
        "channels": {k: (stored.get("channels") or {}).get(k, "") for k, _l in CHANNEL_FIELDS},
        "recipients": list(stored.get("recipients") or DEFAULT_RECIPIENTS),
    }


def current_stage(today=None, c=None):
    """(the stage dict, or None) today falls in."""
    cfg = config(c)
    today = today or clock.today()
    for s in cfg.get("stages", []):
        if s["start"] <= today <= s["end"]:
            return s
    return None


def selfcheck_window_block(c, today=None):
    """None while people may fill in their self-check, else the Chinese reason."""
    cfg = config(c)
    if not cfg:
        return None
    today = today or clock.today()
    w = cfg["window"]
    if w["opens"] is not None and today < w["opens"]:
        return f"个人自查将于{_cn(w['opens'])}开始，届时方可填写。"
    if today > w["closes"] and not w["late"]:
        return (f"自查已于{_cn(w['closes'])}截止，现为只读；如确需补填，请联系机关党委（纪委）重新开放。")
    return None


def _cn(d):
    return f"{d.year}年{d.month}月{d.day}日"


def check(values: dict, c) -> dict:
    """{field: message} for the settings form's values (already parsed: dates, strings, lists)."""
    errors = {}
    name = (values.get("name") or "").strip()
    if not name:
        errors["name"] = "请填写活动名称。"
    elif len(name) > 128:
        errors["name"] = "活动名称不超过128字。"
    if len(values.get("plan_number") or "") > 64:
        errors["plan_number"] = "方案文号不超过64字。"
    stages = values.get("stages") or []
    if not stages:
        errors["stages"] = "请至少设置一个阶段。"
    prev = None
    for i, s in enumerate(stages, 1):
        if not s["name"].strip():
            errors[f"stage-{i}"] = f"第{i}阶段：请填写阶段名称。"
        elif s["start"] is None or s["end"] is None:
            errors[f"stage-{i}"] = f"第{i}阶段“{s['name']}”：请填写起止日期。"
        elif s["start"] > s["end"]:
            errors[f"stage-{i}"] = f"第{i}阶段“{s['name']}”：结束日期不能早于开始日期。"
        elif prev is not None and s["start"] <= prev["end"]:
            errors[f"stage-{i}"] = (f"第{i}阶段“{s['name']}”须在上一阶段“{prev['name']}”结束"
                                    f"（{_cn(prev['end'])}）之后开始。")
        prev = s if s["start"] and s["end"] else prev
    w = values.get("window") or {}
    if w.get("closes") is None:
        errors["window"] = "请填写自查截止日期。"
    elif w.get("opens") is not None and w["opens"] > w["closes"]:
        errors["window"] = "自查截止日期不能早于开始日期。"
    elif c is not None and (w["closes"] < c.start_date or w["closes"] > c.end_date):
        errors["window"] = f"自查截止日期须在活动期间（{_cn(c.start_date)}至{_cn(c.end_date)}）内。"
    for k, label in CHANNEL_FIELDS:
        if len((values.get("channels") or {}).get(k, "")) > 100:
            errors[f"channel-{k}"] = f"{label}不超过100字。"
    rec = values.get("recipients") or []
    if not rec:
        errors["recipients"] = "请至少填写一个报送单位。"
    elif any(len(r) > 64 for r in rec):
        errors["recipients"] = "报送单位名称不超过64字。"
    elif len(set(rec)) != len(rec):
        errors["recipients"] = "报送单位有重复。"
    return errors


def save(values: dict, actor, c=None) -> dict:
    """Store the campaign's setup; returns the changes (audited). Raises SettingsError."""
    c = c or Campaign.active()
    if c is None:
        raise SettingsError({"": "尚未载入活动"})
    errors = check(values, c)
    if errors:
        raise SettingsError(errors)
    w = values["window"]
    new = {
        "plan_number": (values.get("plan_number") or "").strip(),
        "stages": [{"name": s["name"].strip(), "start": s["start"].isoformat(), "end": s["end"].isoformat()}
                   for s in values["stages"]],
        "window": {"opens": w["opens"].isoformat() if w.get("opens") else "", "late": bool(w.get("late"))},
        "channels": {k: (values.get("channels") or {}).get(k, "").strip() for k, _l in CHANNEL_FIELDS},
        "recipients": [r.strip() for r in values["recipients"]],
    }
    now = clock.now()
    changes = {}
    with db.atomic():
        name = values["name"].strip()
        if name != c.name or w["closes"] != c.selfcheck_deadline:
            Campaign.update(name=name, selfcheck_deadline=w["closes"]).where(Campaign.id == c.id).execute()
            if name != c.name:
                changes["name"] = [c.name, name]
            if w["closes"] != c.selfcheck_deadline:
                changes["selfcheck_deadline"] = [c.selfcheck_deadline.isoformat(), w["closes"].isoformat()]
            c.name, c.selfcheck_deadline = name, w["closes"]
        stored = _rows(c.id)
        for key, value in new.items():
            if stored.get(key) == value:
                continue
            changes[key] = [stored.get(key), value]
            text = json.dumps(value, ensure_ascii=False)
            (CampaignSetting.insert(campaign=c.id, key=f"campaign.{key}", value=text, updated_at=now,
                                    updated_by=getattr(actor, "id", None))
             .on_conflict(conflict_target=[CampaignSetting.campaign, CampaignSetting.key],
                          update={CampaignSetting.value: text, CampaignSetting.updated_at: now,
                                  CampaignSetting.updated_by: getattr(actor, "id", None)})
             .execute())
        if changes:
            audit.record("campaign_setup_change", "campaign", c.id, actor=actor,
                         detail={k: v for k, v in changes.items()})
    if has_request_context():
        g.pop(f"_campaign_cfg_{c.id}", None)
    return changes


def copy_to(old: Campaign, new: Campaign) -> int:
    """A new checklist version keeps the campaign's setup and rules: copy every setting row."""
    n = 0
    for row in CampaignSetting.select().where(CampaignSetting.campaign == old.id):
        (CampaignSetting.insert(campaign=new.id, key=row.key, value=row.value, updated_at=row.updated_at,
                                updated_by=row.updated_by)
         .on_conflict_ignore().execute())
        n += 1
    return n


def timeline(today=None, c=None):
    """The stages as bars over the campaign's span and today's mark, in percent of the span (the
    dashboard's timeline); None without a campaign or stages."""
    cfg = config(c)
    stages = cfg.get("stages") if cfg else None
    if not stages:
        return None
    today = today or clock.today()
    first, last = stages[0]["start"], stages[-1]["end"]
    span = max((last - first).days + 1, 1)

    def pct(d):
        return round(100.0 * min(max((d - first).days, 0), span) / span, 2)

    bars = [{"name": s["name"], "start": s["start"], "end": s["end"], "left": pct(s["start"]),
             "width": round(pct(s["end"] + dt.timedelta(days=1)) - pct(s["start"]), 2),
             "current": s["start"] <= today <= s["end"], "past": s["end"] < today} for s in stages]
    inside = first <= today <= last
    return {"stages": bars, "today": today, "today_pct": pct(today) if inside else None,
            "before": today < first, "after": today > last}
