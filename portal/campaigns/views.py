"""/campaign/settings: the discipline office sets the campaign up (name, the plan's 文号, stages, the self-check
window, tip channels, report recipients), edits every rule of portal/campaign_settings.SETTINGS, and loads
a new checklist version from a JSON file. The CLI loader (`flask campaign load`) stays as it is."""
import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from .. import campaign_settings
from ..htmx import render
from ..models.campaign import Campaign, Category, Item
from ..nav import home_panel, register_nav
from ..permissions import can, require
from . import CampaignFileError, bp
from . import settings as setup
from .upload import load_upload

MAX_STAGES = 8


def _date(raw):
    try:
        return dt.date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def _parse(form):
    """The posted form -> (setup values, rule values, {field: message} for unreadable input)."""
    errors = {}
    stages = []
    for i in range(1, MAX_STAGES + 1):
        name = (form.get(f"stage-{i}-name") or "").strip()
        start, end = form.get(f"stage-{i}-start", ""), form.get(f"stage-{i}-end", "")
        if not (name or start.strip() or end.strip()):
            continue
        s = {"name": name[:16], "start": _date(start), "end": _date(end)}
        if (start.strip() and s["start"] is None) or (end.strip() and s["end"] is None):
            errors[f"stage-{i}"] = f"第{i}阶段：日期无效，请按“年-月-日”填写。"
        stages.append(s)
    window = {"opens": _date(form.get("window-opens")), "closes": _date(form.get("window-closes")),
              "late": form.get("window-late") == "1"}
    values = {"name": form.get("name", ""), "plan_number": form.get("plan_number", ""), "stages": stages,
              "window": window,
              "channels": {k: form.get(f"channel-{k}", "") for k, _l in setup.CHANNEL_FIELDS},
              "recipients": [r.strip() for r in (form.get("recipients") or "").splitlines() if r.strip()]}
    rules = {}
    for key, rule in campaign_settings.SETTINGS.items():
        raw = (form.get(f"rule-{key}") or "").strip()
        try:
            rules[key] = int(raw)
        except ValueError:
            errors[f"rule-{key}"] = f"{rule.label}须为 {rule.minimum}–{rule.maximum} {rule.unit}的整数"
    return values, rules, errors


def _page(status=200, values=None, rules=None, errors=None, upload_error=None):
    c = Campaign.active()
    cfg = setup.config(c) if c else {}
    if values is not None:  # the posted values, kept on the page
        cfg = {**cfg, **{k: v for k, v in values.items() if k != "window"},
               "window": {**cfg.get("window", {}), **{k: v for k, v in values["window"].items() if v is not None}}}
    stages = list(cfg.get("stages", []))
    stages += [{"name": "", "start": None, "end": None}] * max(0, min(len(stages) + 1, MAX_STAGES) - len(stages))
    versions = list(Campaign.select().order_by(Campaign.code, Campaign.version.desc()))
    counts = {}
    if c is not None:
        counts = {"categories": Category.select().where(Category.campaign == c).count(),
                  "items": Item.select().where(Item.campaign == c).count()}
    return render("campaigns/settings.html", None, status=status, campaign=c, cfg=cfg, stages=stages,
                  rules=rules if rules is not None else (campaign_settings.current(c) if c else {}),
                  SETTINGS=campaign_settings.SETTINGS, CHANNEL_FIELDS=setup.CHANNEL_FIELDS,
                  errors=errors or {}, upload_error=upload_error, versions=versions, counts=counts,
                  today=setup.current_stage())


@bp.route("/settings", methods=["GET"])
@require("campaign.settings")
def settings():
    return _page()


@bp.route("/settings", methods=["POST"])
@require("campaign.settings")
def save():
    values, rules, errors = _parse(request.form)
    c = Campaign.active()
    if c is None:
        return _page(422, values, rules, {"": "尚未载入活动，请先上传检查清单。"})
    errors.update(setup.check(values, c) if not errors else {})
    errors.update({f"rule-{k}": m for k, m in campaign_settings.check(rules).items()})
    if errors:
        return _page(422, values, rules, errors)
    changes = setup.save(values, current_user, c)
    changes.update(campaign_settings.save(rules, current_user, c))
    flash("活动设置已保存。" if changes else "没有改动。", "success")
    return redirect(url_for("campaigns.settings"), 303)


@bp.route("/checklist", methods=["POST"])
@require("campaign.settings")
def checklist():
    f = request.files.get("checklist")
    raw = f.read(2 * 1024 * 1024) if f else b""
    try:
        c, created = load_upload(raw, current_user)
    except CampaignFileError as e:
        return _page(422, upload_error=str(e))
    if created:
        flash(f"已载入新版检查清单（第{c.version}版），已填写的自查材料仍按原版本保存。", "success")
    else:
        flash("上传的检查清单与现行版本相同，未作改动。", "info")
    return redirect(url_for("campaigns.settings"), 303)


register_nav("活动设置", "campaigns.settings", lambda u: can(u, "campaign.settings"), order=95)


@home_panel(order=90)
def tip_channels_panel(user):
    """举报渠道 on every staff member's home page (the plan's 三（三）)."""
    if not (user.roles - {"sysadmin", "secadmin", "auditor"}):
        return None
    return render_template("campaigns/_channels_panel.html", channels=_channels())


@bp.app_context_processor
def _stage_in_header():
    def campaign_stage():
        """The stage today falls in, for the header; None when unknown or the database is not reachable."""
        try:
            return setup.current_stage()
        except Exception:  # noqa: BLE001 - the header never breaks a page (e.g. the 503 page of an outage)
            return None
    def campaign_timeline():
        try:
            return setup.timeline()
        except Exception:  # noqa: BLE001
            return None
    return {"campaign_stage": campaign_stage, "tip_channels": _channels, "campaign_timeline": campaign_timeline}


def _channels():
    try:
        cfg = setup.config()
    except Exception:  # noqa: BLE001
        return []
    return [(label, cfg["channels"][k]) for k, label in setup.CHANNEL_FIELDS if cfg and cfg["channels"].get(k)]
