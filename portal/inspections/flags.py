"""Departments the data points at for a spot check (many tips, perfunctory self-checks, many problems)."""
from peewee import Case, fn

from ..models import Department, Problem, User
from ..models.selfcheck import SelfCheck
from ..models.tip import Clue

TARGET_DEPT_KINDS = ("office", "unit")


def flagged_departments(limit: int = 8) -> list[dict]:
    """Departments the data points at: many tips (tip-sourced problems, tips where the tip box records a
    department), perfunctory self-checks, many problems."""
    rows = {}
    from ..models.tip import ClueProblem
    linked = ClueProblem.select(ClueProblem.problem)
    loose_tip = (Problem.source == "tip") & Problem.id.not_in(linked)
    q = (Problem.select(Problem.department, fn.COUNT(Problem.id).alias("n"),
                        fn.SUM(db_case(loose_tip)).alias("tips"))
         .where(Problem.withdrawn == False)  # noqa: E712
         .group_by(Problem.department))
    for r in q.dicts():
        loose = int(r["tips"] or 0)
        rows[r["department"]] = {"problems": r["n"], "tips": loose, "_loose_tips": loose, "perfunctory": 0}
    clues = _clue_counts()
    # tips: the distinct clues about the department; tip-sourced problems count only when no clue record
    # ties them to a clue (problems entered from a tip by hand)
    for dept_id, n in clues.items():
        r = rows.setdefault(dept_id, {"problems": 0, "tips": 0, "perfunctory": 0})
        r["tips"] = n + r.pop("_loose_tips", 0)
    for r in rows.values():
        r.pop("_loose_tips", None)
    for dept_id, n in _perfunctory_counts().items():
        rows.setdefault(dept_id, {"problems": 0, "tips": 0, "perfunctory": 0})["perfunctory"] = n
    if not rows:
        return []
    depts = {d.id: d for d in Department.select().where(Department.id.in_(list(rows)))}
    out = []
    for dept_id, r in rows.items():
        d = depts.get(dept_id)
        if d is None or d.kind not in TARGET_DEPT_KINDS:
            continue
        score = r["tips"] * 3 + r["perfunctory"] * 3 + r["problems"]
        reasons = []
        if r["tips"]:
            reasons.append(f"举报线索 {r['tips']} 件")
        if r["perfunctory"]:
            reasons.append(f"自查敷衍被退回 {r['perfunctory']} 次")
        if r["problems"]:
            reasons.append(f"台账问题 {r['problems']} 个")
        out.append({"department": d, "score": score, "reason": "，".join(reasons), **r})
    out.sort(key=lambda x: (-x["score"], x["department"].name))
    return [o for o in out if o["score"] > 0][:limit]


def db_case(expr):
    return Case(None, [(expr, 1)], 0)


def _clue_counts() -> dict:
    """Distinct clues (from tips) about each department: about the department itself, about one of its
    people, or linked to one of its ledger problems — each clue counted once per department, however many
    of these ways lead to it (a clue with a subject department and a subject person, or with the person's
    problem and the leader's accountability problem of 一案双查, is still one clue)."""
    from ..models.tip import ClueProblem
    pairs = set()
    for c in Clue.select(Clue.id, Clue.subject_department).where(Clue.subject_department.is_null(False)):
        pairs.add((c.subject_department_id, c.id))
    for cid, dept in (Clue.select(Clue.id, User.department).join(User, on=(Clue.subject_user == User.id))
                      .tuples()):
        pairs.add((dept, cid))
    for cid, dept in (ClueProblem.select(ClueProblem.clue, Problem.department)
                      .join(Problem, on=(ClueProblem.problem == Problem.id)).tuples()):
        pairs.add((dept, cid))
    out = {}
    for dept, _cid in pairs:
        out[dept] = out.get(dept, 0) + 1
    return out


def _perfunctory_counts() -> dict:
    """Self-checks returned as perfunctory (敷衍应付), by department (SelfCheck.perfunctory_count, per person)."""
    q = (SelfCheck.select(User.department.alias("d"), fn.SUM(SelfCheck.perfunctory_count).alias("n"))
         .join(User, on=(SelfCheck.user == User.id))
         .where(SelfCheck.perfunctory_count > 0).group_by(User.department))
    return {r["d"]: int(r["n"] or 0) for r in q.dicts()}
