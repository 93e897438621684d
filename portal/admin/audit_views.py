"""The audit log (auditor only, read-only: filters, chain status, .xlsx export of a range) and the security
settings view (secadmin)."""
import datetime as dt
import io

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from .. import audit, clock, htmx, uploads
from ..models import AuditRecord, User
from ..notices.triggers import trigger
from ..paging import paginate
from ..permissions import require, scope_users
from . import bp, service
from .audit_text import OBJECT_TYPES, detail_text, when
from .forms import OUTCOMES, AuditFilterForm, EmptyForm

EXPORT_LIMIT = 200_000


def audit_query(form):
    q = AuditRecord.select()
    if form.start.data:
        q = q.where(AuditRecord.at >= dt.datetime.combine(form.start.data, dt.time.min))
    if form.end.data:
        q = q.where(AuditRecord.at < dt.datetime.combine(form.end.data + dt.timedelta(days=1), dt.time.min))
    if form.actor.data:
        like = f"%{form.actor.data}%"
        named = User.select(User.id).where(User.real_name.ilike(like) | User.username.ilike(like))
        q = q.where(AuditRecord.actor_name.ilike(like) | AuditRecord.actor_id.in_(named))
    if form.action.data:
        q = q.where(AuditRecord.action == form.action.data)
    if form.outcome.data:
        q = q.where(AuditRecord.outcome == form.outcome.data)
    if form.object.data:
        text = form.object.data
        kind, _, ident = text.partition(":")
        kind = {v: k for k, v in OBJECT_TYPES.items()}.get(kind, kind)
        if ident:
            q = q.where((AuditRecord.object_type == kind) & (AuditRecord.object_id == ident))
        else:
            q = q.where((AuditRecord.object_type == kind) | (AuditRecord.object_id == text))
    # by time, then chain order: a tip-box event (kept at midnight) is not placed among the day's timed events
    return q.order_by(AuditRecord.at.desc(), AuditRecord.seq.desc())


def _filter_form():
    form = AuditFilterForm(request.args)
    form.refresh_actions()
    form.validate()  # bad dates are shown as errors and ignored
    for name in ("start", "end"):
        if getattr(form, name).errors:
            getattr(form, name).data = None
    return form


def _names(records):
    """actor id -> real name; user object id -> "name（username）"."""
    names, objects = {}, {}
    ids = {r.actor_id for r in records if r.actor_id}
    if ids:
        names = dict(User.select(User.id, User.real_name).where(User.id.in_(list(ids))).tuples())
    user_ids = {int(r.object_id) for r in records if r.object_type == "user" and r.object_id.isdigit()}
    if user_ids:
        objects = {str(i): f"{n}（{u}）" for i, n, u in User.select(User.id, User.real_name, User.username)
                   .where(User.id.in_(list(user_ids))).tuples()}
    return names, objects


def _actor_text(r, names):
    if r.actor_id:
        return names.get(r.actor_id, "")
    if r.action == "login_failed":
        return "未登录"
    if audit.is_date_only(r.action) or r.action.startswith("clue_"):
        return "匿名"
    return "系统（命令行）"


def _object_text(r, objects):
    kind = OBJECT_TYPES.get(r.object_type, r.object_type)
    if r.object_type == "user" and objects.get(r.object_id):
        return f"{kind} {objects[r.object_id]}"
    return f"{kind} {r.object_id}".strip()


@bp.route("/audit")
@require("audit.read")
def audit_log():
    form = _filter_form()
    p = paginate(audit_query(form), request.args.get("page"))
    records, page, pages, total = p.rows, p.page, p.pages, p.total
    names, objects = _names(records)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    # the walk over the whole chain is O(n): done for the page, not for every filter change
    chain_ok, chain_message = (None, "") if htmx.is_htmx() else audit.verify()
    return htmx.render("admin/audit.html", "admin/_audit_results.html", form=form, records=records, pg=page,
                       pages=pages, total=total, names=names, objects=objects, labels=audit.ACTION_LABELS,
                       outcomes=OUTCOMES, object_types=OBJECT_TYPES, detail_text=detail_text, when=when,
                       actor_text=_actor_text, chain_ok=chain_ok, chain_message=chain_message,
                       chain_total=audit.count() if chain_ok else 0,
                       export_url=url_for("admin.audit_export", **args),
                       page_url=lambda p: url_for("admin.audit_log", page=p, **args))


def export_rows(records):
    """The export's rows: the page's columns in words (labels, names, details without business content)."""
    names, objects = _names(records)
    return ([r.seq, when(r), _actor_text(r, names), r.actor_name, audit.ACTION_LABELS.get(r.action, r.action),
             _object_text(r, objects), OUTCOMES.get(r.outcome, r.outcome),
             detail_text(r.detail, r.action, r.object_type)] for r in records)


EXPORT_HEADER = ["序号", "时间", "操作人", "登录名", "操作", "对象", "结果", "详情"]


def write_xlsx(title: str, header: list, rows) -> bytes:
    """One sheet through the portal's one spreadsheet writer (formula-like text kept inert)."""
    from .. import xlsx
    return xlsx.simple(title, header, rows, [8, 18, 12, 12, 16, 20, 8, 60])


@bp.route("/audit/export")
@require("audit.read")
def audit_export():
    """The filtered records (a date range, a person, an event type, an object) as .xlsx; the export itself
    is audited."""
    form = _filter_form()
    query = audit_query(form)
    total = query.count()
    if total > EXPORT_LIMIT:
        abort(422, f"符合条件的记录有 {total} 条，超过一次导出的上限 {EXPORT_LIMIT} 条，请缩小日期范围。")
    records = list(query)
    data = write_xlsx("审计日志", EXPORT_HEADER, export_rows(records))
    start = form.start.data.isoformat() if form.start.data else ""
    end = form.end.data.isoformat() if form.end.data else ""
    audit.record("audit_export", "audit", "", detail={"start": start, "end": end, "rows": len(records),
                                                      "action": form.action.data or "",
                                                      "user": form.actor.data or ""})
    span = f"{start or '最早'}至{end or clock.today().isoformat()}"
    return uploads.download(data, f"审计日志-{span}.xlsx", "xlsx")


@trigger
def audit_anchor(today):
    """Once a day, anchor the audit chain's head outside the database (portal/audit.py); 1 when anchored."""
    return 1 if audit.anchor_if_due() else 0
