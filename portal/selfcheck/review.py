"""Reviewing self-checks (approve/return), reopening, and who may see whose self-check."""

from peewee import JOIN, fn

from .. import audit, clock
from ..extensions import db
from ..models import Campaign, RoleAssignment, User
from ..models.selfcheck import SelfCheck, SelfCheckVersion
from ..notify import notify
from ..permissions import BUSINESS_ROLES, scope_expr
from ..errors import Conflict
from .checklist import EDITABLE_STATUSES, _index_url


# --- review (who may: permissions.py, selfcheck.review_person) ------------------------------------
def review(sc: SelfCheck, reviewer: User, outcome: str, comment: str, perfunctory: bool,
           expected_number: int) -> SelfCheckVersion:
    if outcome not in ("approved", "returned"):
        raise Conflict("未知的审核结论")
    perfunctory = bool(perfunctory) and outcome == "returned"
    now = clock.now()
    with db.atomic():
        n = (SelfCheck.update(status=outcome, updated_at=now,
                              perfunctory_count=SelfCheck.perfunctory_count + (1 if perfunctory else 0))
             .where((SelfCheck.id == sc.id) & (SelfCheck.status == "submitted")
                    & (SelfCheck.versions_count == expected_number)).execute())
        if n != 1:
            raise Conflict("该自查材料已被他人审核或已重新提交，请刷新页面查看最新状态。")
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
        raise Conflict("只有未提交或已退回的自查才能重新开放。")
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
