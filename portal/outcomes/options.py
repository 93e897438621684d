"""The outcome lists (四种形态 measures, 组织处理, 政务处分) are campaign data: rows of outcome_option per
campaign, seeded with the defaults below the first time a campaign's lists are read (and by migration 0035
for campaigns already loaded); the campaign settings page may edit them later."""
from ..extensions import db
from ..models import Campaign
from ..models.outcome import FORMS, OutcomeOption

# (kind, code, label, form)
DEFAULTS = (
    ("form_measure", "criticism", "批评教育", 1),
    ("form_measure", "talk", "谈话提醒", 1),
    ("form_measure", "self_examination", "责令检查", 1),
    ("form_measure", "admonition", "诫勉", 1),
    ("form_measure", "light_party", "党纪轻处分", 2),
    ("form_measure", "org_adjust", "组织调整", 2),
    ("form_measure", "heavy_party", "党纪重处分", 3),
    ("form_measure", "major_post", "重大职务调整", 3),
    ("form_measure", "case_review", "严重违纪涉嫌违法立案审查", 4),
    ("org_measure", "circular", "通报批评", None),
    ("org_measure", "admonition", "诫勉", None),
    ("org_measure", "suspension", "停职检查", None),
    ("org_measure", "reassign", "调整职务", None),
    ("org_measure", "resign", "责令辞职", None),
    ("org_measure", "demotion", "降职", None),
    ("org_measure", "removal", "免职", None),
    ("sanction", "warning", "警告", None),
    ("sanction", "demerit", "记过", None),
    ("sanction", "major_demerit", "记大过", None),
    ("sanction", "downgrade", "降级", None),
    ("sanction", "dismissal_post", "撤职", None),
    ("sanction", "expulsion", "开除", None),
)


def seed(campaign) -> int:
    """Insert the default lists for `campaign` where it has none of a kind (idempotent)."""
    cid = getattr(campaign, "id", campaign)
    have = {k for (k,) in OutcomeOption.select(OutcomeOption.kind).where(OutcomeOption.campaign == cid)
            .distinct().tuples()}
    rows = [dict(campaign=cid, kind=k, code=c, label=label, form=f, seq=i)
            for i, (k, c, label, f) in enumerate(DEFAULTS) if k not in have]
    if rows:
        with db.atomic():
            OutcomeOption.insert_many(rows).on_conflict_ignore().execute()
    return len(rows)


def _campaign_id():
    c = Campaign.active()
    return c.id if c else None


def options(kind: str, campaign=None, active_only: bool = True) -> list[OutcomeOption]:
    cid = getattr(campaign, "id", campaign) or _campaign_id()
    if cid is None:
        return []
    q = OutcomeOption.select().where((OutcomeOption.campaign == cid) & (OutcomeOption.kind == kind))
    if active_only:
        q = q.where(OutcomeOption.active == True)  # noqa: E712
    rows = list(q.order_by(OutcomeOption.form, OutcomeOption.seq, OutcomeOption.id))
    if not rows and not OutcomeOption.select().where(OutcomeOption.campaign == cid).exists():
        seed(cid)
        return options(kind, cid, active_only)
    return rows


def labels(kind: str, campaign=None) -> dict:
    """code -> label of every entry of `kind` (inactive ones too: old outcomes keep their words)."""
    return {o.code: o.label for o in options(kind, campaign, active_only=False)}


def form_choices(campaign=None) -> list[tuple[str, str]]:
    """<select> choices "form:code" grouped by 形态, e.g. ("1:criticism", "第一种形态 · 批评教育")."""
    return [(f"{o.form}:{o.code}", f"{FORMS.get(o.form, '')} · {o.label}") for o in options("form_measure", campaign)]
