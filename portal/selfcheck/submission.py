"""Submitting a self-check (a frozen SelfCheckVersion), the version history and the diff between versions.

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

from .. import audit, clock
from ..errors import Invalid
from ..extensions import db
from ..models import Campaign, Department, User
from ..models.selfcheck import SelfCheck, SelfCheckVersion
from .checklist import (Checklist, EDITABLE_STATUSES, NotEditable, StaleDraft, checklist,
                        edit_block, load_values)
from .drafts import all_errors
from .ledger_feed import sync_ledger


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


class Incomplete(Invalid):
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


def frozen_content(version: SelfCheckVersion) -> dict:
    return json.loads(version.content)


def versions(sc: SelfCheck) -> list:
    return list(SelfCheckVersion.select().where(SelfCheckVersion.selfcheck == sc.id)
                .order_by(SelfCheckVersion.number))


def latest_version(sc: SelfCheck) -> SelfCheckVersion | None:
    return (SelfCheckVersion.select().where(SelfCheckVersion.selfcheck == sc.id)
            .order_by(SelfCheckVersion.number.desc()).first())


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
