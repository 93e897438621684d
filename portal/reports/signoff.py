"""A report's way upward: 拟稿 (the office) → 审核 (办公室主任 or 分管领导) → 签发 (局长) → 编号归档 → 报送登记.

Each step is a ReportStep (time, person, comment) and an audit record. Only a signed report can be numbered;
numbering generates the archived Report (PDFs, ledger, zips: files.generate) in a background job; only an
archived report can be registered as sent.
"""
import re

from flask import has_request_context, url_for

from .. import audit, clock
from ..errors import Conflict, Invalid, Refused
from ..extensions import db
from ..jobs import enqueue, job
from ..models import RoleAssignment, User
from ..models.report import DISPATCH_METHODS, REPORT_KINDS, Report, ReportDispatch, ReportDraft, ReportStep
from ..notify import notify
from .common import _cn

NUMBER_RE = re.compile(r"^[\u4e00-\u9fff]{1,10}〔\d{4}〕[1-9]\d{0,3}号$")
EDITABLE = ("draft",)


# ---------------------------------------------------------------- who
def _with_role(*roles):
    return (User.select().join(RoleAssignment, on=(RoleAssignment.user == User.id))
            .where(RoleAssignment.role.in_(roles) & (User.is_active_flag == True))  # noqa: E712
            .distinct().order_by(User.id))


def signers():
    """局长: the people with the chief's role."""
    return list(_with_role("chief"))


def reviewers():
    """分管领导 (leaders) and 办公室主任 (heads of a department where the discipline office sits)."""
    office_depts = {u.department_id for u in _with_role("discipline")}
    heads = [u for u in _with_role("dept_head") if u.department_id in office_depts]
    return list(_with_role("leader")) + heads


def _user(uid, choices, what):
    try:
        uid = int(uid)
    except (TypeError, ValueError):
        raise Invalid(f"请选择{what}。")
    u = next((c for c in choices if c.id == uid), None)
    if u is None:
        raise Invalid(f"所选{what}无效，请重新选择。")
    return u


# ---------------------------------------------------------------- the period
def check_period(kind, start, end, today=None):
    today = today or clock.today()
    if kind not in REPORT_KINDS:
        raise Invalid("报告周期无效。")
    if start is None or end is None:
        raise Invalid("请填写报告时段的起止日期。")
    if start > end:
        raise Invalid("截止日期不能早于起始日期。")
    if (end - start).days > 366:
        raise Invalid("报告时段不能超过一年。")
    if start > today:
        raise Invalid("报告时段尚未开始。")
    if end > today:
        raise Invalid(f"截至日期（{_cn(end)}）晚于今天，不能报告尚未结束的时段；请选择已结束的周、月，"
                      f"或自定义截至今天的时段。")


# ---------------------------------------------------------------- steps
def _step(draft, action, actor, comment=""):
    ReportStep.create(draft=draft, action=action, actor=actor, at=clock.now(), comment=comment or "")
    audit.record(f"report_{action}", "report_draft", draft.id, actor=actor,
                 detail={"status": draft.status, "comment": (comment or "")[:200]})


def _url(draft):
    return url_for("reports.draft", draft_id=draft.id) if has_request_context() else f"/reports/drafts/{draft.id}"


def _set(draft, **fields):
    fields["updated_at"] = clock.now()
    n = (ReportDraft.update(**fields)
         .where((ReportDraft.id == draft.id) & (ReportDraft.status == draft.status)).execute())
    if n != 1:
        raise Conflict("该报告已被他人处理，请刷新页面后重试。")
    for k, v in fields.items():
        setattr(draft, k, v)


def save_draft(actor, draft, kind, start, end, title, narrative, typical, plan, reviewer_id, signer_id):
    """Create (draft=None) or change a draft. Raises Invalid with a Chinese message."""
    check_period(kind, start, end)
    reviewer = _user(reviewer_id, reviewers(), "审核人")
    signer = _user(signer_id, signers(), "签发人")
    if not (narrative or "").strip():
        raise Invalid("请填写本期工作进展情况。")
    fields = dict(kind=kind, period_start=start, period_end=end, title=(title or "").strip(),
                  narrative=narrative or "", typical_cases=typical or "", next_plan=plan or "",
                  reviewer=reviewer.id, signer=signer.id)
    with db.atomic():
        if draft is None:
            draft = ReportDraft.create(status="draft", created_by=actor, created_at=clock.now(),
                                       updated_at=clock.now(), **fields)
            _step(draft, "create", actor)
        else:
            if draft.status not in EDITABLE:
                raise Conflict("报告已送审，不能再修改；如需修改，请审核人或签发人退回。")
            _set(draft, **fields)
            _step(draft, "edit", actor)
    return draft


def submit(actor, draft):
    if draft.status != "draft":
        raise Conflict("只有拟稿状态的报告可以送审核。")
    with db.atomic():
        _set(draft, status="reviewing")
        _step(draft, "submit", actor)
    notify(draft.reviewer_id, "info", f"待审核：{display_title(draft)}", _url(draft),
           key=f"report-review-{draft.id}-{ReportStep.select().where(ReportStep.draft == draft).count()}")


def decide(actor, draft, approve: bool, comment=""):
    """The reviewer approves (→ 待签发) or the reviewer / signer returns (→ 拟稿, a comment required);
    the signer approving signs (→ 已签发)."""
    comment = (comment or "").strip()
    if draft.status == "reviewing" and actor.id == draft.reviewer_id:
        stage = "review"
    elif draft.status == "signing" and actor.id == draft.signer_id:
        stage = "sign"
    else:
        raise Refused("您不是该报告当前环节的审核人或签发人。")
    if not approve and not comment:
        raise Invalid("退回时请填写退回意见。")
    if len(comment) > 1000:
        raise Invalid("意见不超过1000字。")
    with db.atomic():
        if not approve:
            _set(draft, status="draft")
            _step(draft, "return", actor, comment)
        elif stage == "review":
            _set(draft, status="signing")
            _step(draft, "approve", actor, comment)
        else:
            _set(draft, status="signed", signed_at=clock.now())
            _step(draft, "sign", actor, comment)
    n = ReportStep.select().where(ReportStep.draft == draft).count()
    if not approve:
        notify(draft.created_by_id, "returned", f"报告被退回：{display_title(draft)}（{comment[:40]}）",
               _url(draft), key=f"report-return-{draft.id}-{n}")
    elif stage == "review":
        notify(draft.signer_id, "info", f"待签发：{display_title(draft)}", _url(draft),
               key=f"report-sign-{draft.id}-{n}")
    else:
        notify(draft.created_by_id, "info", f"报告已签发，可编号报送：{display_title(draft)}", _url(draft),
               key=f"report-signed-{draft.id}-{n}")


def number(actor, draft, doc_number, signature=""):
    """Number a signed report and archive it (in a background job). Returns the JobRun."""
    doc_number = (doc_number or "").strip()
    if draft.status != "signed":
        raise Conflict("只有已签发的报告才能编号报送。")
    if not NUMBER_RE.match(doc_number):
        raise Invalid("发文字号格式应如“机管报〔2026〕3号”：年份用六角括号〔〕，序号不编虚位、不加“第”字")
    if Report.select().where(Report.number == doc_number).exists():
        raise Invalid(f"发文字号“{doc_number}”已被使用。")
    run = enqueue("report_archive", draft_id=draft.id, actor_id=actor.id, number=doc_number,
                  signature=(signature or "").strip()[:64])
    ReportDraft.update(job_id=str(run.id)).where(ReportDraft.id == draft.id).execute()
    draft.job_id = str(run.id)
    return run


@job("report_archive")
def archive_job(run, draft_id, actor_id, number, signature=""):
    from .files import generate
    draft = ReportDraft.get_by_id(draft_id)
    if draft.report_id:
        return draft.report_id
    actor = User.get_by_id(actor_id)
    signer = User.get_by_id(draft.signer_id)
    with db.atomic():
        report = generate(actor, draft.kind, draft.period_start, draft.period_end, draft.narrative,
                          signer.real_name, number=number, title=draft.title, signature=signature,
                          typical_cases=draft.typical_cases, next_plan=draft.next_plan)
        ReportDraft.update(status="numbered", report=report.id, updated_at=clock.now()).where(
            ReportDraft.id == draft.id).execute()
        draft.status = "numbered"
        ReportStep.create(draft=draft, action="number", actor=actor, at=clock.now(), comment=number)
    return report.id


def display_title(draft):
    from .common import period_label
    return draft.title or f"{period_label(draft.kind, draft.period_start, draft.period_end)}作风纪律整顿工作情况报告"


# ---------------------------------------------------------------- 报送登记
def dispatch(actor, report, recipient, sent_on, method, doc_number, note=""):
    from .recipients import recipient_names
    recipient = (recipient or "").strip()
    if recipient not in recipient_names():
        raise Invalid("请选择报送单位（可在活动设置中增加）。")
    if method not in DISPATCH_METHODS:
        raise Invalid("请选择报送方式（系统、纸质或邮件）。")
    if sent_on is None:
        raise Invalid("请填写报送日期。")
    if sent_on > clock.today():
        raise Invalid("报送日期不能晚于今天。")
    if sent_on < report.created_at.date():
        raise Invalid("报送日期不能早于报告编号归档的日期。")
    doc_number = (doc_number or "").strip() or report.number
    if len(doc_number) > 64 or len(note or "") > 200:
        raise Invalid("文号不超过64字，备注不超过200字。")
    with db.atomic():
        d = ReportDispatch.create(report=report, recipient=recipient, sent_on=sent_on, method=method,
                                  number=doc_number, note=(note or "").strip(), sent_by=actor,
                                  created_at=clock.now())
        draft = ReportDraft.get_or_none(ReportDraft.report == report.id)
        if draft is not None:
            ReportStep.create(draft=draft, action="dispatch", actor=actor, at=clock.now(),
                              comment=f"{recipient}（{DISPATCH_METHODS[method]}）")
        audit.record("report_dispatch", "report", report.id, actor=actor,
                     detail={"recipient": recipient, "method": method, "number": doc_number,
                             "sent_on": sent_on.isoformat()})
    return d


def queue_for(user):
    """The drafts waiting for this user: to review, or to sign."""
    return list(ReportDraft.select().where(
        ((ReportDraft.status == "reviewing") & (ReportDraft.reviewer == user.id))
        | ((ReportDraft.status == "signing") & (ReportDraft.signer == user.id)))
        .order_by(ReportDraft.updated_at))


def draft_for_report(report):
    return ReportDraft.get_or_none(ReportDraft.report == report.id)


def period_of(kind, ref_date, start, end):
    from .common import month_of, week_of
    if kind == "weekly" and ref_date:
        return week_of(ref_date)
    if kind == "monthly" and ref_date:
        return month_of(ref_date)
    return start, end

