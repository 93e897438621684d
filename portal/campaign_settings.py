"""The rules of the running campaign that the discipline office sets in the portal (table
campaign_setting): escalation of overdue problems, the colours, the patterns the ledger notices. One
registry, SETTINGS; areas read a rule with `get(key)` and never hard-code it. A key never set falls back
to its default. Read once per request, so a change applies at once on every worker and server.

Areas that need a new rule add it to SETTINGS (one line); the settings page lists every entry."""
import json
from contextlib import nullcontext
from dataclasses import dataclass

from flask import g, has_request_context

from . import audit, clock
from .extensions import db
from .models.campaign import Campaign, CampaignSetting


@dataclass(frozen=True)
class Rule:
    label: str
    unit: str
    default: int
    minimum: int
    maximum: int
    help: str = ""


SETTINGS: dict[str, Rule] = {
    "escalation_days": Rule("逾期升级天数", "个工作日", 5, 1, 60,
                            "逾期满 N 个工作日通知分管领导，满 2N 个工作日通知局长"),
    "amber_days": Rule("临期预警", "个工作日", 3, 1, 20, "整改时限在此天数内为黄色"),
    "repeat_threshold": Rule("多发频发阈值", "次", 2, 2, 20, "同一人或同一部门同一问题项累计达到此数即提示"),
    "common_departments": Rule("普遍性问题部门数", "个", 3, 2, 50, "同一问题项涉及的部门数达到此数即提示"),
    "rectify_workdays": Rule("默认整改时限", "个工作日", 20, 1, 120, "手工登记问题时整改时限的默认值"),
    "common_share_percent": Rule("普遍性问题人员占比", "%", 10, 1, 100, "同一问题项涉及人员占全局比例"),
    "selfcheck_remind_days": Rule("自查截止提醒", "天", 5, 1, 30, "自查截止前 N 天提醒尚未提交的干部职工"),
    "report_remind_days": Rule("报送截止提醒", "天", 3, 1, 30, "单位自查自纠情况报送截止前 N 天提醒科室负责人"),
}


def _campaign_id(campaign=None):
    if campaign is not None:
        return getattr(campaign, "id", campaign)
    if has_request_context() and "_active_campaign_id" in g:
        return g._active_campaign_id
    active = Campaign.active()
    cid = active.id if active else None
    if has_request_context():
        g._active_campaign_id = cid
    return cid


def _stored(campaign_id) -> dict:
    cache_key = f"_campaign_settings_{campaign_id}"
    if has_request_context() and cache_key in g:
        return g.get(cache_key)
    if campaign_id is None:
        rows = {}
    else:
        with db.connection_context() if db.is_closed() else nullcontext():
            rows = {k: json.loads(v) for k, v in CampaignSetting
                    .select(CampaignSetting.key, CampaignSetting.value)
                    .where(CampaignSetting.campaign == campaign_id).tuples()}
    if has_request_context():
        setattr(g, cache_key, rows)
    return rows


def get(key: str, campaign=None):
    """The value of one rule for `campaign` (default: the active campaign)."""
    stored = _stored(_campaign_id(campaign))
    return stored[key] if key in stored else SETTINGS[key].default


def get_or(key: str, fallback, campaign=None):
    """The rule's value if the office set it, else `fallback` (e.g. the server's configured default)."""
    stored = _stored(_campaign_id(campaign))
    return stored[key] if key in stored else fallback


def current(campaign=None) -> dict:
    return {key: get(key, campaign) for key in SETTINGS}


def check(values: dict) -> dict:
    """{key: Chinese message} for unknown keys or values out of range."""
    errors = {}
    for key, v in values.items():
        rule = SETTINGS.get(key)
        if rule is None:
            errors[key] = "未知设置项"
        elif not isinstance(v, int) or isinstance(v, bool) or not rule.minimum <= v <= rule.maximum:
            errors[key] = f"{rule.label}须为 {rule.minimum}–{rule.maximum} {rule.unit}"
    return errors


def save(values: dict, actor, campaign=None) -> dict:
    """Store the changed rules (audited with old and new values); returns {key: [old, new]}.
    Raises ValueError({key: message}) when a value is out of range."""
    errors = check(values)
    if errors:
        raise ValueError(errors)
    cid = _campaign_id(campaign)
    if cid is None:
        raise ValueError({"": "尚未载入活动"})
    old = current(cid)
    changes = {k: [old[k], v] for k, v in values.items() if old[k] != v}
    if not changes:
        return {}
    now = clock.now()
    with db.atomic():
        for key, (_old, new) in changes.items():
            (CampaignSetting.insert(campaign=cid, key=key, value=json.dumps(new), updated_at=now,
                                    updated_by=getattr(actor, "id", None))
             .on_conflict(conflict_target=[CampaignSetting.campaign, CampaignSetting.key],
                          update={CampaignSetting.value: json.dumps(new), CampaignSetting.updated_at: now,
                                  CampaignSetting.updated_by: getattr(actor, "id", None)})
             .execute())
        audit.record("campaign_settings_change", "campaign", cid, actor=actor, detail=changes)
    if has_request_context():
        g.pop(f"_campaign_settings_{cid}", None)
    return changes
