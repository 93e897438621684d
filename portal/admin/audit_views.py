"""The audit log (auditor only, read-only) and the security settings view (secadmin)."""
import datetime as dt
import json

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from .. import audit, clock, htmx
from ..models import AuditRecord, User
from ..paging import paginate
from ..permissions import require, scope_users
from . import bp, service
from .forms import OUTCOMES, AuditFilterForm, EmptyForm

OBJECT_TYPES = {"user": "用户", "department": "部门", "roster": "花名册", "page": "页面", "problem": "问题",
                "campaign": "活动清单", "tip": "举报", "clue": "问题线索", "document": "公文",
                "selfcheck": "自查", "inspection": "明察暗访", "report": "报告", "notice": "通知"}


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
    return q.order_by(AuditRecord.seq.desc())


DETAIL_KEYS = {"role": "角色", "roles": "角色", "username": "登录名", "rows": "行数", "errors": "问题数",
               "reason": "原因", "source": "来源", "name": "名称", "kind": "类型", "parent": "上级部门",
               "from": "原部门", "to": "新部门", "departments": "分管部门", "until": "锁定至",
               "need": "所需权限", "real_name": "姓名", "employee_no": "工号", "title": "职务",
               "phone": "手机号", "email": "电子邮箱", "department": "部门", "sort_order": "排序号"}
DETAIL_VALUES = {"roster": "花名册导入", "integrity": "并发冲突"}


def _detail_value(key, value):
    from ..permissions import ROLES
    if key in ("role", "roles"):
        items = value if isinstance(value, list) else [value]
        return "、".join(ROLES.get(v, str(v)) for v in items)
    if isinstance(value, list):
        return " → ".join("—" if v in (None, "") else str(v) for v in value) if len(value) == 2 and key not in (
            "departments",) else "、".join(str(v) for v in value)
    return DETAIL_VALUES.get(value, value) if isinstance(value, str) else value


def _detail_text(raw: str) -> str:
    """The JSON detail in words: 角色：干部职工；行数：4."""
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        return raw or ""
    if isinstance(value, dict):
        return "；".join(f"{DETAIL_KEYS.get(k, k)}：{_detail_value(k, v)}" for k, v in value.items())
    return str(value)


@bp.route("/audit")
@require("audit.read")
def audit_log():
    form = AuditFilterForm(request.args)
    form.refresh_actions()
    form.validate()  # bad dates are shown as errors and ignored
    for name in ("start", "end"):
        if getattr(form, name).errors:
            getattr(form, name).data = None
    p = paginate(audit_query(form), request.args.get("page"))
    records, page, pages, total = p.rows, p.page, p.pages, p.total
    names = {}
    ids = {r.actor_id for r in records if r.actor_id}
    if ids:
        names = dict(User.select(User.id, User.real_name).where(User.id.in_(list(ids))).tuples())
    user_ids = {int(r.object_id) for r in records if r.object_type == "user" and r.object_id.isdigit()}
    objects = {}
    if user_ids:
        objects = {str(i): f"{n}（{u}）" for i, n, u in User.select(User.id, User.real_name, User.username)
                   .where(User.id.in_(list(user_ids))).tuples()}
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    # the walk over the whole chain is O(n): done for the page, not for every filter change
    chain_ok, chain_message = (None, "") if htmx.is_htmx() else audit.verify()
    return htmx.render("admin/audit.html", "admin/_audit_results.html", form=form, records=records, pg=page,
                       pages=pages, total=total, names=names, objects=objects, labels=audit.ACTION_LABELS, outcomes=OUTCOMES,
                       object_types=OBJECT_TYPES, detail_text=_detail_text, chain_ok=chain_ok,
                       chain_message=chain_message,
                       chain_total=audit.count() if chain_ok else 0,
                       page_url=lambda p: url_for("admin.audit_log", page=p, **args))
