"""Self-check rules: drafts, optimistic saving, submission (frozen versions), review, the ledger feed,
department numbers.

Frozen content (SelfCheckVersion.content, the source of the "个人对照检查材料" PDF):
{"person": {"id", "name", "department", "title"}, "campaign": {"id", "name"}, "number": n,
 "submitted_at": "YYYY-MM-DD HH:MM",
 "items": [{"item_id", "seq", "category": "治“拖”", "category_title": "提升…意识", "text",
            "no_problem": bool,
            "problems": [{"key", "aspect": "思想", "description", "measure", "deadline": "YYYY-MM-DD",
                          "fixed_at_once": bool}]}]}
"""
import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from flask import current_app
from peewee import JOIN, Case, fn

from .. import audit, clock, problems
from ..extensions import db
from ..models import (Aspect, Campaign, Category, Department, Item, Problem, RoleAssignment, User)
from ..models.selfcheck import (DepartmentReport, SelfCheck, SelfCheckAnswer, SelfCheckProblem,
                                SelfCheckVersion)
from ..notify import notify
from ..permissions import BUSINESS_ROLES, scope_expr
from .forms import completion_errors

EDITABLE_STATUSES = ("not_started", "draft", "returned")
UNSUBMITTED = ("not_started", "draft", "returned")


class SelfCheckError(Exception):
    status_code = 409

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class StaleDraft(SelfCheckError):
    """Saved from a tab that did not see the latest save."""

    def __init__(self, current: SelfCheck):
        super().__init__("此自查已在其他窗口或设备上更新，本页的修改未保存（以免覆盖较新的内容）。"
                         "请点击“载入最新内容”后继续填写。")
        self.current = current


class NotEditable(SelfCheckError):
    pass


# --- the campaign's checklist, cached per campaign (loaded campaigns never change) -----------------
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

    @property
    def review_step(self) -> int:
        return len(self.steps) + 1

    @property
    def total(self) -> int:
        return len(self.items)


_CHECKLISTS: dict = {}


def clear_cache() -> None:
    _CHECKLISTS.clear()


def checklist(campaign: Campaign) -> Checklist:
    key = (campaign.id, campaign.content_hash)
    cl = _CHECKLISTS.get(key)
    if cl is None:
        cats = list(Category.select().where(Category.campaign == campaign).order_by(Category.seq))
        items = list(Item.select().where(Item.campaign == campaign).order_by(Item.seq))
        steps = tuple(Step(i, c, tuple(it for it in items if it.category_id == c.id))
                      for i, c in enumerate(cats, 1))
        for it in items:
            it.category = next(c for c in cats if c.id == it.category_id)
        aspects = {a.id: a.name for a in Aspect.select().where(Aspect.campaign == campaign).order_by(Aspect.seq)}
        cl = Checklist(campaign.id, steps, aspects, {it.id: it for it in items})
        _CHECKLISTS[key] = cl
    return cl


def period(campaign: Campaign) -> tuple[dt.date, dt.date]:
    return campaign.start_date, campaign.end_date


# --- loading ---------------------------------------------------------------------------------------
def get_or_create(user: User, campaign: Campaign) -> SelfCheck:
    sc = SelfCheck.get_or_none((SelfCheck.user == user.id) & (SelfCheck.campaign == campaign.id))
    if sc is None:
        try:
            with db.atomic():
                sc = SelfCheck.create(user=user.id, campaign=campaign.id)
        except Exception:  # noqa: BLE001 - a concurrent first visit created it
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
    """Campaign rows are written once at load (only is_active changes later): cached per app."""
    key = ("campaign", campaign_id)
    c = _CHECKLISTS.get(key)
    if c is None:
        c = _CHECKLISTS[key] = Campaign.get_by_id(campaign_id)
    return c


def past_deadline(campaign: Campaign) -> bool:
    return clock.today() > campaign.selfcheck_deadline


def edit_block(sc: SelfCheck, campaign: Campaign) -> str | None:
    """None if the person may edit now, else the Chinese reason."""
    if sc.status == "submitted":
        return "自查材料已提交，正在等待审核；如需修改，请联系审核人退回。"
    if sc.status == "approved":
        return "自查材料已审核通过，不能再修改。"
    if past_deadline(campaign) and not sc.reopened_by_discipline:
        return (f"自查已于{campaign.selfcheck_deadline.year}年{campaign.selfcheck_deadline.month}月"
                f"{campaign.selfcheck_deadline.day}日截止，现为只读；如确需补填，请联系机关党委（纪委）重新开放。")
    return None


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
                                             (date_min(cl), date_max(cl))) for it in st.items)
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


def _campaign_of(cl: Checklist) -> Campaign:
    key = ("campaign", cl.campaign_id)
    c = _CHECKLISTS.get(key)
    if c is None:
        c = Campaign.get_by_id(cl.campaign_id)
        _CHECKLISTS[key] = c
    return c


def date_min(cl):
    return _campaign_of(cl).start_date


def date_max(cl):
    return _campaign_of(cl).end_date


# --- saving ----------------------------------------------------------------------------------------
def save_step(sc: SelfCheck, step: Step, values: dict, expected_version: int, actor: User,
              campaign: Campaign, next_step: int | None = None) -> SelfCheck:
    """Write the step's draft values if the caller saw the latest save (draft_version), else
    StaleDraft. Writes only what changed. Returns the reloaded SelfCheck."""
    reason = edit_block(sc, campaign)
    if reason:
        raise NotEditable(reason)
    now = clock.now()
    item_ids = [it.id for it in step.items]
    # Read the stored draft before taking SQLite's write lock: the version check below guarantees
    # that nothing was written since (every write bumps draft_version), so the lock is held only
    # for the few writes.
    state = _read_state(sc)
    with db.atomic():
        changes = {"draft_version": SelfCheck.draft_version + 1, "updated_at": now,
                   "current_step": next_step or step.no}
        if sc.status == "not_started":
            changes["status"] = "draft"
        n = (SelfCheck.update(**changes)
             .where((SelfCheck.id == sc.id) & (SelfCheck.draft_version == expected_version)
                    & SelfCheck.status.in_(EDITABLE_STATUSES)).execute())
        if n != 1:
            current = SelfCheck.get_by_id(sc.id)
            if current.status not in EDITABLE_STATUSES:
                raise NotEditable(edit_block(current, campaign) or "当前状态不能修改。")
            raise StaleDraft(current)
        sc.values_after = _write_values(sc, item_ids, values, now, state)
    sc.draft_version = expected_version + 1
    sc.current_step = next_step or step.no
    if sc.status == "not_started":
        sc.status = "draft"
    return sc


class KeyClash(SelfCheckError):
    status_code = 400


_PROBLEM_COLS = (SelfCheckProblem.id, SelfCheckProblem.key, SelfCheckProblem.item, SelfCheckProblem.position,
                 SelfCheckProblem.aspect, SelfCheckProblem.description, SelfCheckProblem.measure,
                 SelfCheckProblem.deadline, SelfCheckProblem.fixed_at_once)


_SQL: dict = {}


def _compiled(name: str, build) -> str:
    """The SQL text of a hot query, compiled by peewee once per database kind (the autosave path runs
    the same few queries all day; compiling them is a large share of its time)."""
    key = (name, type(db.obj).__name__)
    sql = _SQL.get(key)
    if sql is None:
        sql = _SQL[key] = build().sql()[0]
    return sql


def _read_state(sc):
    sql_a = _compiled("answers", lambda: SelfCheckAnswer.select(
        SelfCheckAnswer.id, SelfCheckAnswer.item, SelfCheckAnswer.answer).where(SelfCheckAnswer.selfcheck == 0))
    sql_p = _compiled("problems", lambda: SelfCheckProblem.select(*_PROBLEM_COLS).where(
        SelfCheckProblem.selfcheck == 0).order_by(SelfCheckProblem.position, SelfCheckProblem.id))
    answers = {item_id: (aid, answer) for aid, item_id, answer in db.execute_sql(sql_a, (sc.id,)).fetchall()}
    problems = db.execute_sql(sql_p, (sc.id,)).fetchall()
    return answers, problems


def _write_values(sc, item_ids, values, now, state) -> dict:
    """Write the step's values (only what changed against `state`, the stored draft); returns every
    item's draft values after the write (for progress)."""
    step_ids = set(item_ids)
    existing_a, problem_rows = state
    new_answers = []
    for item_id in item_ids:
        answer = values.get(item_id, {}).get("answer", "")
        old = existing_a.get(item_id)
        if old is None:
            if answer:
                new_answers.append({"selfcheck": sc.id, "item": item_id, "answer": answer, "updated_at": now})
        elif old[1] != answer:
            SelfCheckAnswer.update(answer=answer, updated_at=now).where(SelfCheckAnswer.id == old[0]).execute()
    if new_answers:
        SelfCheckAnswer.insert_many(new_answers).execute()

    others, existing_p = {}, {}
    for row in problem_rows:
        (existing_p if row[2] in step_ids else others)[row[1]] = row
    seen = set()
    inserts = []
    for item_id in item_ids:
        for pos, p in enumerate(values.get(item_id, {}).get("problems", [])):
            if p["key"] in others:
                raise KeyClash("问题编号冲突，请刷新页面后重试。")
            seen.add(p["key"])
            row = {"item": item_id, "position": pos, "aspect": p["aspect_id"], "description": p["description"],
                   "measure": p["measure"], "deadline": p["deadline"], "fixed_at_once": bool(p["fixed_at_once"])}
            old = existing_p.get(p["key"])
            if old is None:
                inserts.append(dict(row, selfcheck=sc.id, key=p["key"]))
            elif (old[2], old[3], old[4], old[5], old[6], old[7], bool(old[8])) != tuple(row.values()):
                SelfCheckProblem.update(**row).where(SelfCheckProblem.id == old[0]).execute()
    if inserts:
        SelfCheckProblem.insert_many(inserts).execute()
    gone = [row[0] for k, row in existing_p.items() if k not in seen]
    if gone:
        SelfCheckProblem.delete().where(SelfCheckProblem.id.in_(gone)).execute()
    # every item's values after the write
    out = {}
    for item_id, (_aid, answer) in existing_a.items():
        if item_id not in step_ids:
            out[item_id] = {"answer": answer, "problems": []}
    for row in others.values():
        out.setdefault(row[2], {"answer": "", "problems": []})["problems"].append({
            "key": row[1], "aspect_id": row[4], "description": row[5], "measure": row[6], "deadline": row[7],
            "fixed_at_once": bool(row[8])})
    for item_id in item_ids:
        v = values.get(item_id, {"answer": "", "problems": []})
        out[item_id] = {"answer": v.get("answer", ""), "problems": list(v.get("problems", []))}
    return out


def set_step(sc: SelfCheck, step_no: int) -> None:
    """Remember where the person is (resume here); not a content change, no version bump."""
    if sc.current_step != step_no and sc.status in EDITABLE_STATUSES:
        SelfCheck.update(current_step=step_no).where(SelfCheck.id == sc.id).execute()
        sc.current_step = step_no


# --- submission ------------------------------------------------------------------------------------
def all_errors(sc: SelfCheck, cl: Checklist, campaign: Campaign, values=None) -> dict:
    """{item_id: {field: message}} for every item not ready to submit."""
    values = load_values(sc) if values is None else values
    out = {}
    for it in cl.items.values():
        v = values.get(it.id) or {"answer": "", "problems": []}
        errs = completion_errors(it.id, v, period(campaign))
        if errs:
            out[it.id] = errs
    return out


def build_content(sc: SelfCheck, user: User, campaign: Campaign, cl: Checklist, values: dict,
                  number: int, at: dt.datetime) -> dict:
    items = []
    for it in sorted(cl.items.values(), key=lambda i: i.seq):
        v = values.get(it.id) or {"answer": "", "problems": []}
        no_problem = v["answer"] == "no_problem"
        items.append({
            "item_id": it.id, "seq": it.seq, "category": it.category.name,
            "category_title": it.category.title, "text": it.text, "no_problem": no_problem,
            "problems": [] if no_problem else [{
                "key": p["key"], "aspect": cl.aspects.get(p["aspect_id"], ""),
                "description": p["description"], "measure": p["measure"], "deadline": p["deadline"],
                "fixed_at_once": bool(p["fixed_at_once"])} for p in v["problems"]],
        })
    dept = Department.get_by_id(user.department_id)
    return {
        "person": {"id": user.id, "name": user.real_name, "department": dept.name, "title": user.title},
        "campaign": {"id": campaign.id, "name": campaign.name},
        "number": number,
        "submitted_at": at.strftime("%Y-%m-%d %H:%M"),
        "items": items,
    }


def content_hash(content: dict) -> str:
    canon = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


class Incomplete(SelfCheckError):
    status_code = 422

    def __init__(self, errors):
        super().__init__(f"还有 {len(errors)} 项未完成，不能提交。")
        self.errors = errors


def submit(sc: SelfCheck, user: User, campaign: Campaign, expected_version: int) -> SelfCheckVersion:
    reason = edit_block(sc, campaign)
    if reason:
        raise NotEditable(reason)
    cl = checklist(campaign)
    now = clock.now()
    with db.atomic():
        values = load_values(sc)
        errors = all_errors(sc, cl, campaign, values)
        if errors:
            raise Incomplete(errors)
        number = sc.versions_count + 1
        n = (SelfCheck.update(status="submitted", versions_count=number, submitted_at=now, updated_at=now,
                              draft_version=SelfCheck.draft_version + 1, reopened_by_discipline=False)
             .where((SelfCheck.id == sc.id) & (SelfCheck.draft_version == expected_version)
                    & SelfCheck.status.in_(EDITABLE_STATUSES)).execute())
        if n != 1:
            current = SelfCheck.get_by_id(sc.id)
            if current.status not in EDITABLE_STATUSES:
                raise NotEditable(edit_block(current, campaign) or "当前状态不能提交。")
            raise StaleDraft(current)
        content = build_content(sc, user, campaign, cl, values, number, now)
        version = SelfCheckVersion.create(
            selfcheck=sc.id, number=number, submitted_at=now, content_hash=content_hash(content),
            content=json.dumps(content, ensure_ascii=False))
        sync_ledger(sc, user, campaign, cl, content, actor=user)
        audit.record("selfcheck_submit", "selfcheck", sc.id, actor=user,
                     detail={"version": number, "hash": version.content_hash})
    sc.status, sc.versions_count, sc.submitted_at = "submitted", number, now
    sc.draft_version = expected_version + 1
    return version


def origin_of(sc_id: int, key: str) -> str:
    return f"selfcheck:{sc_id}:{key}"


def sync_ledger(sc, user, campaign, cl, content, actor):
    """Each problem of the submitted content ↔ exactly one Problem (origin selfcheck:<sc>:<key>).
    New → create; existing → update; missing → withdrawn with a history event (never deleted)."""
    prefix = f"selfcheck:{sc.id}:"
    existing = {p.origin: p for p in Problem.select().where(Problem.origin.startswith(prefix))}
    aspect_ids = {name: aid for aid, name in cl.aspects.items()}
    seen = set()
    number = content["number"]
    for item in content["items"]:
        for p in item["problems"]:
            origin = origin_of(sc.id, p["key"])
            seen.add(origin)
            fields = {"item": item["item_id"], "aspect": aspect_ids.get(p["aspect"]),
                      "description": p["description"], "measures": p["measure"],
                      "deadline": dt.date.fromisoformat(p["deadline"]), "fixed_at_once": p["fixed_at_once"]}
            old = existing.get(origin)
            if old is None:
                problems.create(actor=actor, note=f"个人自查第 {number} 版", campaign=campaign.id,
                                person=user.id, department=user.department_id, source="selfcheck",
                                self_reported=True, status="rectified" if p["fixed_at_once"] else "pending",
                                origin=origin, **fields)
            else:
                if old.withdrawn:
                    fields["withdrawn"] = False
                _update_problem(old, actor, note=f"个人自查第 {number} 版修改", **fields)
    for origin, old in existing.items():
        if origin not in seen and not old.withdrawn:
            _update_problem(old, actor, note=f"个人自查第 {number} 版已删除此问题", kind="withdrawn",
                            withdrawn=True)


def _update_problem(p, actor, **fields):
    """problems.update with the row's current version; if the ledger changed it meanwhile, re-read
    and apply again (our fields are the person's own submission, they win)."""
    version = p.version
    for _attempt in range(3):
        try:
            return problems.update(p.id, actor, version, **fields)
        except problems.VersionConflict as e:
            version = e.current.version
    raise SelfCheckError("整改台账正被他人修改，请稍后重新提交。")


def frozen_content(version: SelfCheckVersion) -> dict:
    return json.loads(version.content)


def versions(sc: SelfCheck) -> list:
    return list(SelfCheckVersion.select().where(SelfCheckVersion.selfcheck == sc.id)
                .order_by(SelfCheckVersion.number))


def latest_version(sc: SelfCheck) -> SelfCheckVersion | None:
    return (SelfCheckVersion.select().where(SelfCheckVersion.selfcheck == sc.id)
            .order_by(SelfCheckVersion.number.desc()).first())


# --- review ----------------------------------------------------------------------------------------
def can_review(viewer: User, owner: User) -> bool:
    """Heads review their department, leaders the departments in their charge, the discipline office
    everyone; the leaders' (and the chief's) own self-checks only the discipline office. Never one's own."""
    if viewer is None or owner is None or viewer.id == owner.id:
        return False
    roles = viewer.roles
    if owner.has_role("leader", "chief"):
        return "discipline" in roles
    if "discipline" in roles:
        return True
    if "dept_head" in roles and owner.department_id == viewer.department_id:
        return True
    return "leader" in roles and owner.department_id in viewer.departments_in_charge


def review(sc: SelfCheck, reviewer: User, outcome: str, comment: str, perfunctory: bool,
           expected_number: int) -> SelfCheckVersion:
    if outcome not in ("approved", "returned"):
        raise SelfCheckError("未知的审核结论")
    perfunctory = bool(perfunctory) and outcome == "returned"
    now = clock.now()
    with db.atomic():
        n = (SelfCheck.update(status=outcome, updated_at=now,
                              perfunctory_count=SelfCheck.perfunctory_count + (1 if perfunctory else 0))
             .where((SelfCheck.id == sc.id) & (SelfCheck.status == "submitted")
                    & (SelfCheck.versions_count == expected_number)).execute())
        if n != 1:
            raise SelfCheckError("该自查材料已被他人审核或已重新提交，请刷新页面查看最新状态。")
        version = SelfCheckVersion.get((SelfCheckVersion.selfcheck == sc.id)
                                       & (SelfCheckVersion.number == expected_number))
        SelfCheckVersion.update(review_outcome=outcome, review_comment=comment, perfunctory=perfunctory,
                                reviewer=reviewer.id, reviewed_at=now).where(
            SelfCheckVersion.id == version.id).execute()
        audit.record("selfcheck_review", "selfcheck", sc.id, actor=reviewer,
                     detail={"version": expected_number, "outcome": outcome, "perfunctory": perfunctory})
    if outcome == "returned":
        text = (f"您的个人自查材料（第 {expected_number} 版）被退回"
                + ("，认定为自查不深入、敷衍应付" if perfunctory else "") + f"：{comment[:60]}")
        notify(sc.user_id, "returned", text, _index_url(),
               key=f"selfcheck_returned:{sc.id}:{expected_number}")
    else:
        notify(sc.user_id, "info", f"您的个人自查材料（第 {expected_number} 版）已审核通过。",
               _index_url(), key=f"selfcheck_approved:{sc.id}:{expected_number}")
    sc.status = outcome
    return SelfCheckVersion.get_by_id(version.id)


def reopen(sc: SelfCheck, actor: User) -> None:
    """The discipline office lets a person edit after the deadline (until they submit)."""
    if sc.status not in EDITABLE_STATUSES:
        raise SelfCheckError("只有未提交或已退回的自查才能重新开放。")
    SelfCheck.update(reopened_by_discipline=True, reopened_by=actor.id, updated_at=clock.now()).where(
        SelfCheck.id == sc.id).execute()
    audit.record("selfcheck_reopen", "selfcheck", sc.id, actor=actor, detail={"user": sc.user_id})
    notify(sc.user_id, "info", "机关党委（纪委）已为您重新开放个人自查，请尽快补充完善并提交。",
           _index_url(), key=f"selfcheck_reopen:{sc.id}:{sc.versions_count}")


# --- scope & department views -----------------------------------------------------------------------
def _has_business_role():
    return fn.EXISTS(RoleAssignment.select(RoleAssignment.id).where(
        (RoleAssignment.user == User.id) & RoleAssignment.role.in_(sorted(BUSINESS_ROLES))))


def get_for(viewer: User, sc_id: int) -> SelfCheck | None:
    """A self-check within the viewer's scope (own, departments overseen, or all), or None."""
    return (SelfCheck.select(SelfCheck, User).join(User, on=(SelfCheck.user == User.id))
            .where((SelfCheck.id == sc_id) & scope_expr(viewer, User.department, User.id)).first())


def people(viewer: User, campaign: Campaign, department_id=None, leaders_only=False):
    """The people whose self-checks the viewer oversees, with their self-check (LEFT JOIN), in SQL scope."""
    q = (User.select(User, SelfCheck)
         .join(SelfCheck, JOIN.LEFT_OUTER,
               on=((SelfCheck.user == User.id) & (SelfCheck.campaign == campaign.id)), attr="sc")
         .where((User.is_active_flag == True) & _has_business_role()  # noqa: E712
                & scope_expr(viewer, User.department, None)))
    if department_id is not None:
        q = q.where(User.department == department_id)
    if leaders_only:
        q = q.where(fn.EXISTS(RoleAssignment.select(RoleAssignment.id).where(
            (RoleAssignment.user == User.id) & RoleAssignment.role.in_(["leader", "chief"]))))
    return q.order_by(User.department, User.employee_no, User.id)


def visible_department_rows(viewer: User):
    from ..permissions import visible_departments
    depts = visible_departments(viewer)
    q = Department.select().where(Department.is_active == True)  # noqa: E712
    if depts is not None:
        q = q.where(Department.id.in_(sorted(depts) or [0]))
    return list(q.order_by(Department.sort_order, Department.id))


def department_summary(viewer: User, campaign: Campaign):
    """Per visible department: people, by status, late, perfunctory — one grouped query."""
    late = past_deadline(campaign)
    status = fn.COALESCE(SelfCheck.status, "not_started")
    q = (User.select(User.department.alias("dept_id"), fn.COUNT(User.id).alias("people"),
                     fn.SUM(Case(None, [(status.in_(["submitted", "approved"]), 1)], 0)).alias("submitted"),
                     fn.SUM(Case(None, [(status == "approved", 1)], 0)).alias("approved"),
                     fn.SUM(Case(None, [(status == "returned", 1)], 0)).alias("returned"),
                     fn.SUM(Case(None, [(status == "submitted", 1)], 0)).alias("pending_review"),
                     fn.SUM(Case(None, [(status.in_(list(UNSUBMITTED)), 1)], 0)).alias("unsubmitted"),
                     fn.SUM(fn.COALESCE(SelfCheck.perfunctory_count, 0)).alias("perfunctory"))
         .join(SelfCheck, JOIN.LEFT_OUTER, on=((SelfCheck.user == User.id) & (SelfCheck.campaign == campaign.id)))
         .where((User.is_active_flag == True) & _has_business_role()  # noqa: E712
                & scope_expr(viewer, User.department, None))
         .group_by(User.department))
    rows = {r["dept_id"]: r for r in q.dicts()}
    out = []
    for d in visible_department_rows(viewer):
        r = rows.get(d.id)
        if not r:
            continue
        r = {k: int(v or 0) for k, v in r.items()}
        r["late"] = r["unsubmitted"] if late else 0
        out.append((d, r))
    return out


def problem_counts_by_person(user_ids, campaign: Campaign) -> dict:
    """{user_id: {category_seq: n}} of live self-reported problems in the ledger."""
    if not user_ids:
        return {}
    q = (Problem.select(Problem.person, Category.seq, fn.COUNT(Problem.id).alias("n"))
         .join(Item, on=(Problem.item == Item.id)).join(Category, on=(Item.category == Category.id))
         .where((Problem.source == "selfcheck") & (Problem.withdrawn == False)  # noqa: E712
                & (Problem.campaign == campaign.id) & Problem.person.in_(list(user_ids)))
         .group_by(Problem.person, Category.seq).tuples())
    out = {}
    for person, seq, n in q:
        out.setdefault(person, {})[seq] = n
    return out


def department_numbers(department, campaign: Campaign) -> dict:
    """Aggregated numbers for the department's report: people, submitted, approved, returned,
    not submitted, perfunctory returns, problems by category and aspect, 立行立改 count."""
    dept_id = getattr(department, "id", department)
    cl = checklist(campaign)
    status = fn.COALESCE(SelfCheck.status, "not_started")
    row = (User.select(fn.COUNT(User.id).alias("people"),
                       fn.SUM(Case(None, [(status.in_(["submitted", "approved"]), 1)], 0)).alias("submitted"),
                       fn.SUM(Case(None, [(status == "approved", 1)], 0)).alias("approved"),
                       fn.SUM(Case(None, [(status == "returned", 1)], 0)).alias("returned"),
                       fn.SUM(fn.COALESCE(SelfCheck.perfunctory_count, 0)).alias("perfunctory"))
           .join(SelfCheck, JOIN.LEFT_OUTER, on=((SelfCheck.user == User.id) & (SelfCheck.campaign == campaign.id)))
           .where((User.department == dept_id) & (User.is_active_flag == True) & _has_business_role())  # noqa: E712
           .dicts().get())
    row = {k: int(v or 0) for k, v in row.items()}
    live = ((Problem.source == "selfcheck") & (Problem.withdrawn == False)  # noqa: E712
            & (Problem.campaign == campaign.id) & (Problem.department == dept_id))
    by_cat = {st.category.name: 0 for st in cl.steps}
    for seq, n in (Problem.select(Category.seq, fn.COUNT(Problem.id)).join(Item, on=(Problem.item == Item.id))
                   .join(Category, on=(Item.category == Category.id)).where(live).group_by(Category.seq).tuples()):
        by_cat[cl.steps[seq - 1].category.name] = n
    by_aspect = {name: 0 for name in cl.aspects.values()}
    for aid, n in Problem.select(Problem.aspect, fn.COUNT(Problem.id)).where(live).group_by(Problem.aspect).tuples():
        if aid in cl.aspects:
            by_aspect[cl.aspects[aid]] = n
    total = Problem.select(fn.COUNT(Problem.id)).where(live).scalar() or 0
    fixed = Problem.select(fn.COUNT(Problem.id)).where(live & (Problem.fixed_at_once == True)).scalar() or 0  # noqa: E712
    return {
        "people": row["people"], "submitted": row["submitted"], "approved": row["approved"],
        "returned": row["returned"], "not_submitted": row["people"] - row["submitted"],
        "perfunctory": row["perfunctory"], "problems": total, "fixed_at_once": fixed,
        "by_category": by_cat, "by_aspect": by_aspect,
    }


def report_periods(campaign: Campaign) -> list[str]:
    out = ["全程"]
    d = campaign.start_date.replace(day=1)
    while d <= campaign.end_date:
        out.append(f"{d.year}-{d.month:02d}")
        d = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def get_report(department_id, campaign, period_) -> DepartmentReport | None:
    return DepartmentReport.get_or_none((DepartmentReport.department == department_id)
                                        & (DepartmentReport.campaign == campaign.id)
                                        & (DepartmentReport.period == period_))


def save_report(department, campaign, period_, narrative, actor, submit_now: bool) -> DepartmentReport:
    now = clock.now()
    numbers = json.dumps(department_numbers(department, campaign), ensure_ascii=False)
    with db.atomic():
        rep = get_report(department.id, campaign, period_)
        if rep is not None and rep.status == "submitted":
            raise SelfCheckError("该期情况报告已报送，不能再修改。")
        fields = {"numbers": numbers, "narrative": narrative, "updated_at": now}
        if submit_now:
            fields.update(status="submitted", submitted_by=actor.id, submitted_at=now)
        if rep is None:
            rep = DepartmentReport.create(department=department.id, campaign=campaign.id, period=period_,
                                          created_at=now, **fields)
        else:
            n = (DepartmentReport.update(**fields).where((DepartmentReport.id == rep.id)
                                                         & (DepartmentReport.status == "draft")).execute())
            if n != 1:
                raise SelfCheckError("该期情况报告已报送，不能再修改。")
            rep = DepartmentReport.get_by_id(rep.id)
        audit.record("selfcheck_report_submit" if submit_now else "selfcheck_report_save",
                     "department_report", rep.id, actor=actor,
                     detail={"department": department.id, "period": period_})
    if submit_now:  # tell the discipline office
        office = (User.select(User.id).join(RoleAssignment, on=(RoleAssignment.user == User.id))
                  .where((RoleAssignment.role == "discipline") & (User.is_active_flag == True)))  # noqa: E712
        url = _report_url(department.id, period_)
        for u in office:
            notify(u.id, "info", f"{department.name}已报送自查自纠情况（{period_}）。", url,
                   key=f"selfcheck_report:{rep.id}")
    return rep


def _report_url(dept_id, period_) -> str:
    from flask import has_request_context, url_for
    if has_request_context():
        return url_for("selfcheck.report", dept=dept_id, period=period_)
    return f"/selfcheck/report?dept={dept_id}"


def remind_days() -> int:
    try:
        return int(current_app.config.get("SELFCHECK_REMIND_DAYS", 5))
    except (TypeError, ValueError):
        return 5


def progress_empty(cl: Checklist) -> dict:
    return {"answered": 0, "total": cl.total,
            "steps": [{"no": st.no, "category": st.category, "answered": 0, "total": len(st.items),
                       "state": "todo", "label": "未开始"} for st in cl.steps]}


def deadline_block(campaign: Campaign) -> str | None:
    if past_deadline(campaign):
        d = campaign.selfcheck_deadline
        return (f"自查已于{d.year}年{d.month}月{d.day}日截止，现为只读；如确需补填，请联系机关党委（纪委）重新开放。")
    return None


# --- differences between two frozen versions ----------------------------------------------------------
PROBLEM_FIELDS = (("aspect", "方面"), ("description", "问题描述"), ("measure", "整改措施"),
                  ("deadline", "整改时限"), ("fixed_at_once", "立行立改"))


def _answer_label(item) -> str:
    return "未发现问题" if item["no_problem"] else f"存在问题 {len(item['problems'])} 条"


def diff(a: dict, b: dict) -> list[dict]:
    """Per item that changed: the answer change, problems added, removed and changed (field by field)."""
    out = []
    items_a = {i["item_id"]: i for i in a["items"]}
    for ib in b["items"]:
        ia = items_a.get(ib["item_id"], {"no_problem": False, "problems": []})
        pa = {p["key"]: p for p in ia["problems"]}
        pb = {p["key"]: p for p in ib["problems"]}
        added = [p for k, p in pb.items() if k not in pa]
        removed = [p for k, p in pa.items() if k not in pb]
        changed = []
        for k, p in pb.items():
            if k in pa:
                fields = [(label, pa[k][f], p[f]) for f, label in PROBLEM_FIELDS if pa[k][f] != p[f]]
                if fields:
                    changed.append({"problem": p, "fields": fields})
        answer_changed = ia["no_problem"] != ib["no_problem"]
        if added or removed or changed or answer_changed:
            out.append({"item": ib, "answer_changed": answer_changed, "from_label": _answer_label(ia),
                        "to_label": _answer_label(ib), "added": added, "removed": removed,
                        "changed": changed})
    return out


def _index_url() -> str:
    """The person's 我的自查 page (also outside a request, e.g. while seeding demo data)."""
    from flask import has_request_context, url_for
    return url_for("selfcheck.index") if has_request_context() else "/selfcheck/"
