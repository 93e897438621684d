"""Self-check basics: its two specific errors, the cached checklist of a campaign, finding a person's SelfCheck, progress
and deadlines.
"""

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from peewee import IntegrityError, fn

from .. import cache, clock
from ..errors import Conflict, VersionConflict
from ..extensions import db
from ..models import Aspect, Campaign, Category, Item, RoleAssignment, User
from ..models.selfcheck import SelfCheck, SelfCheckAnswer, SelfCheckProblem
from ..permissions import BUSINESS_ROLES
from .forms import completion_errors, problem_limit


EDITABLE_STATUSES = ("not_started", "draft", "returned")


UNSUBMITTED = ("not_started", "draft", "returned")


class StaleDraft(VersionConflict):
    """Saved from a tab that did not see the latest save."""

    def __init__(self, current: SelfCheck):
        super().__init__(current, "此自查已在其他窗口或设备上更新，本页的修改未保存（以免覆盖较新的内容）。"
                                  "请点击“载入最新内容”后继续填写。")


class NotEditable(Conflict):
    pass


# --- the campaign's checklist, in portal/cache.py (keyed by the campaign's content: it never changes) ------
@dataclass(frozen=True)
class Step:
    no: int
    category: Category
    items: tuple


@dataclass(frozen=True)
class Checklist:
    campaign_id: int
    steps: tuple  # Step per category
    aspects: dict  # id -> name
    items: dict  # id -> Item
    dates: tuple = (None, None)  # the campaign's start and end date

    @property
    def review_step(self) -> int:
        return len(self.steps) + 1

    @property
    def total(self) -> int:
        return len(self.items)


def checklist(campaign: Campaign) -> Checklist:
    return cache.memo("checklist", cache.content_key(campaign.id, campaign.content_hash), lambda: _load(campaign))


def _load(campaign: Campaign) -> Checklist:
    cats = list(Category.select().where(Category.campaign == campaign).order_by(Category.seq))
    items = list(Item.select().where(Item.campaign == campaign).order_by(Item.seq))
    steps = tuple(Step(i, c, tuple(it for it in items if it.category_id == c.id))
                  for i, c in enumerate(cats, 1))
    for it in items:
        it.category = next(c for c in cats if c.id == it.category_id)
    aspects = {a.id: a.name for a in Aspect.select().where(Aspect.campaign == campaign).order_by(Aspect.seq)}
    return Checklist(campaign.id, steps, aspects, {it.id: it for it in items},
                     (campaign.start_date, campaign.end_date))


def period(campaign: Campaign) -> tuple[dt.date, dt.date]:
    return campaign.start_date, campaign.end_date


# --- loading ---------------------------------------------------------------------------------------
def get_or_create(user: User, campaign: Campaign) -> SelfCheck:
    sc = SelfCheck.get_or_none((SelfCheck.user == user.id) & (SelfCheck.campaign == campaign.id))
    if sc is None:
        try:
            with db.atomic():
                sc = SelfCheck.create(user=user.id, campaign=campaign.id)
        except IntegrityError:  # a concurrent first visit created it
            sc = SelfCheck.get((SelfCheck.user == user.id) & (SelfCheck.campaign == campaign.id))
    return sc


def find(user: User, campaign: Campaign) -> SelfCheck | None:
    return SelfCheck.get_or_none((SelfCheck.user == user.id) & (SelfCheck.campaign == campaign.id))


def find_active(user: User) -> SelfCheck | None:
    """The user's self-check in the active campaign if the user holds a business role (the permission
    to fill it), in one query; `.campaign` is the cached campaign row."""
    sql = _compiled("find_active", lambda: (
        SelfCheck.select(SelfCheck).join(Campaign, on=(SelfCheck.campaign == Campaign.id))
        .where((SelfCheck.user == 0) & (Campaign.is_active == True)  # noqa: E712
               & fn.EXISTS(RoleAssignment.select(RoleAssignment.id).where(
                   (RoleAssignment.user == SelfCheck.user) & RoleAssignment.role.in_(sorted(BUSINESS_ROLES)))))
        .order_by(Campaign.id.desc()).limit(1)))
    rows = list(SelfCheck.raw(sql, user.id, True, *sorted(BUSINESS_ROLES), 1))
    if not rows:
        return None
    sc = rows[0]
    sc.campaign = campaign_by_id(sc.campaign_id)
    return sc


def campaign_by_id(campaign_id: int) -> Campaign:
    return Campaign.get_by_id(campaign_id)


def past_deadline(campaign: Campaign) -> bool:
    return clock.today() > campaign.selfcheck_deadline


def edit_block(sc: SelfCheck, campaign: Campaign) -> str | None:
    """None if the person may edit now, else the Chinese reason."""
    if sc.status == "submitted":
        return "自查材料已提交，正在等待审核；如需修改，请联系审核人退回。"
    if sc.status == "approved":
        return "自查材料已审核通过，不能再修改。"
    if not sc.reopened_by_discipline:
        return window_block(campaign)
    return None


def window_block(campaign: Campaign) -> str | None:
    """The self-check window the office set (campaign settings): not yet open, or closed without late
    submission; None while it is open."""
    from ..campaigns.settings import selfcheck_window_block
    return selfcheck_window_block(campaign)


def load_values(sc: SelfCheck, item_ids=None) -> dict:
    """Draft values {item_id: {"answer", "problems": [...]}} for the given items (all if None)."""
    q_a = SelfCheckAnswer.select(SelfCheckAnswer.item, SelfCheckAnswer.answer).where(SelfCheckAnswer.selfcheck == sc.id)
    q_p = SelfCheckProblem.select().where(SelfCheckProblem.selfcheck == sc.id)
    if item_ids is not None:
        q_a = q_a.where(SelfCheckAnswer.item.in_(list(item_ids)))
        q_p = q_p.where(SelfCheckProblem.item.in_(list(item_ids)))
    values = {}
    for a in q_a:
        values.setdefault(a.item_id, {"answer": "", "problems": []})["answer"] = a.answer
    for p in q_p.order_by(SelfCheckProblem.position, SelfCheckProblem.id):
        values.setdefault(p.item_id, {"answer": "", "problems": []})["problems"].append({
            "key": p.key, "aspect_id": p.aspect_id, "description": p.description, "measure": p.measure,
            "deadline": p.deadline, "fixed_at_once": p.fixed_at_once})
    return values


def is_answered(value) -> bool:
    if not value:
        return False
    if value["answer"] == "no_problem":
        return True
    return value["answer"] == "problem" and any(p["description"] for p in value["problems"])


def progress(sc: SelfCheck, cl: Checklist, values=None) -> dict:
    """Answered items out of all, and each category's state (未开始 / 填写中 / 已完成 / 待完善)."""
    if values is None:
        values = load_values(sc)
    per_step = []
    answered = 0
    for st in cl.steps:
        n = sum(1 for it in st.items if is_answered(values.get(it.id)))
        complete = all(not completion_errors(it.id, values.get(it.id) or {"answer": "", "problems": []},
                                             (date_min(cl), date_max(cl)), problem_limit(it)) for it in st.items)
        answered += n
        if complete:
            state, label = "done", "已完成"
        elif n == 0 and not any((values.get(it.id) or {}).get("answer") for it in st.items):
            state, label = "todo", "未开始"
        else:
            state, label = "partial", "填写中"
        per_step.append({"no": st.no, "category": st.category, "answered": n, "total": len(st.items),
                         "state": state, "label": label})
    return {"answered": answered, "total": cl.total, "steps": per_step}


def date_min(cl):
    return cl.dates[0]


def date_max(cl):
    return cl.dates[1]


_SQL: dict = {}


def _compiled(name: str, build) -> str:
    """The SQL text of a hot query, compiled by peewee once per database kind (the autosave path runs
    the same few queries all day; compiling them is a large share of its time)."""
    key = (name, type(db.obj).__name__)
    sql = _SQL.get(key)
    if sql is None:
        sql = _SQL[key] = build().sql()[0]
    return sql


def remind_days() -> int:
    """Days before the deadline people are reminded: the campaign's rule if set, else the server's."""
    from .. import campaign_settings
    try:
        fallback = int(current_app.config.get("SELFCHECK_REMIND_DAYS", 5))
    except (TypeError, ValueError):
        fallback = 5
    return campaign_settings.get_or("selfcheck_remind_days", fallback)


def progress_empty(cl: Checklist) -> dict:
    return {"answered": 0, "total": cl.total,
            "steps": [{"no": st.no, "category": st.category, "answered": 0, "total": len(st.items),
                       "state": "todo", "label": "未开始"} for st in cl.steps]}


def deadline_block(campaign: Campaign) -> str | None:
    return window_block(campaign)


def _index_url() -> str:
    """The person's 我的自查 page (also outside a request, e.g. while seeding demo data)."""
    from flask import has_request_context, url_for
    return url_for("selfcheck.index") if has_request_context() else "/selfcheck/"
