"""登录日志 (the auditor's login log): sign-ins, failures, lockouts, sign-outs, forced sign-outs and the
second-factor events, read from the audit trail (where they are already kept, queryable and chained; no
password and nothing of the tip box is ever in them), with the audit page's filters and an .xlsx export."""
from flask import abort, request, url_for

from .. import audit, clock, htmx, uploads, xlsx
from ..models import AuditRecord, User
from ..paging import paginate
from ..permissions import require
from . import bp
from .audit_text import OBJECT_TYPES, detail_text, when
from .audit_views import EXPORT_HEADER, _actor_text, _filter_form, _names, audit_query, export_rows
from .forms import OUTCOMES

LOGIN_ACTIONS = ("login", "login_failed", "lockout", "logout", "session_expired", "login_throttled",
                 "force_logout", "user_unlock", "totp_enable", "totp_disable", "totp_reset", "totp_failed",
                 "recovery_codes_new", "recovery_code_used", "password_change", "password_reset")
EXPORT_LIMIT = 200_000


def _form():
    form = _filter_form()
    form.action.choices = [("", "全部事件")] + [(a, audit.ACTION_LABELS.get(a, a)) for a in LOGIN_ACTIONS]
    form.action.label.text = "事件"
    if form.action.data and form.action.data not in LOGIN_ACTIONS:
        form.action.data = ""
    return form


def login_query(form):
    """The audit page's query limited to sign-in events; the person filter matches who acted and whose
    account it was (a forced sign-out is done by the security administrator to someone)."""
    person, form.actor.data = form.actor.data, None
    q = audit_query(form).where(AuditRecord.action.in_(LOGIN_ACTIONS))
    form.actor.data = person
    if person:
        like = f"%{person}%"
        ids = [i for (i,) in User.select(User.id).where(User.real_name.ilike(like) | User.username.ilike(like))
               .limit(1000).tuples()]
        q = q.where(AuditRecord.actor_name.ilike(like) | AuditRecord.actor_id.in_(ids or [0])
                    | ((AuditRecord.object_type == "user")
                       & (AuditRecord.object_id.in_([str(i) for i in ids] or ["0"])
                          | AuditRecord.object_id.ilike(like))))
    return q


@bp.route("/logins")
@require("audit.read")
def login_log():
    form = _form()
    p = paginate(login_query(form), request.args.get("page"))
    names, objects = _names(p.rows)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return htmx.render("admin/login_log.html", "admin/_audit_results.html", form=form, records=p.rows, pg=p.page,
                       pages=p.pages, total=p.total, names=names, objects=objects, labels=audit.ACTION_LABELS,
                       outcomes=OUTCOMES, object_types=OBJECT_TYPES, detail_text=detail_text, when=when,
                       actor_text=_actor_text, export_url=url_for("admin.login_log_export", **args),
                       page_url=lambda n: url_for("admin.login_log", page=n, **args))


@bp.route("/logins/export")
@require("audit.read")
def login_log_export():
    form = _form()
    query = login_query(form)
    total = query.count()
    if total > EXPORT_LIMIT:
        abort(422, f"符合条件的记录有 {total} 条，超过一次导出的上限 {EXPORT_LIMIT} 条，请缩小日期范围。")
    records = list(query)
    start = form.start.data.isoformat() if form.start.data else ""
    end = form.end.data.isoformat() if form.end.data else ""
    data = xlsx.simple("登录日志", EXPORT_HEADER, export_rows(records), [8, 18, 12, 12, 16, 20, 8, 50],
                       title="登录日志", note=xlsx.form_note(form))
    audit.record("login_log_export", "audit", "", detail={"start": start, "end": end, "rows": len(records),
                                                          "action": form.action.data or "",
                                                          "user": form.actor.data or ""})
    span = f"{start or '最早'}至{end or clock.today().isoformat()}"
    return uploads.download(data, f"登录日志-{span}.xlsx", "xlsx")
