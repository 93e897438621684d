"""The self-check wizard: saving one step's answers and problem rows (optimistic, per-item state)."""

from .. import clock
from ..errors import Conflict
from ..extensions import db
from ..models import Campaign, User
from ..models.selfcheck import SelfCheck, SelfCheckAnswer, SelfCheckProblem
from .forms import completion_errors, problem_limit, value_errors
from .checklist import (Checklist, EDITABLE_STATUSES, NotEditable, StaleDraft, Step,
                        _compiled, edit_block, load_values, period)


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


class KeyClash(Conflict):
    """Two new problems got the same key (a crafted or replayed request): refused as tampering (400)."""
    status = 400


_PROBLEM_COLS = (SelfCheckProblem.id, SelfCheckProblem.key, SelfCheckProblem.item, SelfCheckProblem.position,
                 SelfCheckProblem.aspect, SelfCheckProblem.description, SelfCheckProblem.measure,
                 SelfCheckProblem.deadline, SelfCheckProblem.fixed_at_once)


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
        errs = completion_errors(it.id, v, period(campaign), problem_limit(it))
        if errs:
            out[it.id] = errs
    return out


def kept_errors(step: Step, values: dict, campaign: Campaign) -> dict:
    """{field: message} for the step's values kept in the draft as typed but not acceptable yet: shown
    on every render of the step, so a reload brings back the message with the value."""
    out = {}
    for it in step.items:
        v = values.get(it.id) or {"answer": "", "problems": []}
        out.update(value_errors(it.id, v, period(campaign), problem_limit(it)))
    return out
