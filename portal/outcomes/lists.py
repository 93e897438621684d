"""The outcome lists edited by the discipline office (campaign settings → 处理方式清单): add an entry to
四种形态 measures, 组织处理 or 政务处分, switch one off or on. Entries are never deleted, so an outcome
recorded with an entry keeps its words; an entry switched off is no longer offered."""
from flask import render_template, request, url_for
from flask_login import current_user

from .. import audit
from ..errors import Invalid, NotFound
from ..extensions import db
from ..htmx import redirect_to
from ..models import Campaign
from ..models.outcome import FORMS, OutcomeOption
from ..params import to_id
from ..permissions import require
from . import bp
from .options import options

KINDS = {"form_measure": "监督执纪“四种形态”处理方式", "org_measure": "组织处理", "sanction": "政务处分"}


def _campaign():
    c = Campaign.active()
    if c is None:
        raise NotFound("尚未载入活动")
    return c


def add(campaign, kind: str, label: str, form, actor) -> OutcomeOption:
    label = (label or "").strip()
    errs = {}
    if kind not in KINDS:
        errs["kind"] = "请选择清单"
    if not label:
        errs["label"] = "请填写名称"
    elif len(label) > 32:
        errs["label"] = "名称不超过 32 个字"
    form_no = None
    if kind == "form_measure":
        form_no = to_id(form)
        if form_no not in FORMS:
            errs["form"] = "请选择第一种至第四种形态"
    if not errs and any(o.label == label for o in options(kind, campaign, active_only=False)):
        errs["label"] = "清单中已有同名条目"
    if errs:
        raise Invalid("请按提示修改标出的内容", fields=errs)
    with db.atomic():
        n = OutcomeOption.select().where((OutcomeOption.campaign == campaign.id)
                                         & (OutcomeOption.kind == kind)).count()
        o = OutcomeOption.create(campaign=campaign.id, kind=kind, code=f"custom{n + 1}", label=label,
                                 form=form_no, seq=100 + n)
        audit.record("outcome_option_add", "outcome_option", o.id, actor=actor,
                     detail={"kind": kind, "label": label, "form": form_no})
    return o


def switch(campaign, option_id, active: bool, actor) -> OutcomeOption:
    o = OutcomeOption.get_or_none((OutcomeOption.id == to_id(option_id)) & (OutcomeOption.campaign == campaign.id))
    if o is None:
        raise NotFound("条目不存在")
    with db.atomic():
        OutcomeOption.update(active=active).where(OutcomeOption.id == o.id).execute()
        audit.record("outcome_option_switch", "outcome_option", o.id, actor=actor,
                     detail={"label": o.label, "active": active})
    return o


def _page(status=200, errors=None, values=None):
    c = _campaign()
    lists = {k: options(k, c, active_only=False) for k in KINDS}
    return render_template("outcomes/lists.html", lists=lists, KINDS=KINDS, FORMS=FORMS, errors=errors or {},
                           values=values or {}), status


@bp.get("/lists")
@require("campaign.settings")
def lists():
    return _page()


@bp.post("/lists")
@require("campaign.settings")
def lists_add():
    f = request.form
    try:
        add(_campaign(), f.get("kind", ""), f.get("label", ""), f.get("form"), current_user._get_current_object())
    except Invalid as e:
        return _page(422, getattr(e, "fields", None) or {"label": str(e)}, dict(f))
    return redirect_to(url_for("outcomes.lists"))


@bp.post("/lists/<int:option_id>/switch")
@require("campaign.settings")
def lists_switch(option_id):
    switch(_campaign(), option_id, request.form.get("active") == "1", current_user._get_current_object())
    return redirect_to(url_for("outcomes.lists"))
