"""The errors a user is shown, and the one handler that answers every error.

Areas raise one of these five (or a specific subclass of one); nothing else maps errors to statuses.

    Refused   403  the user may not do this (role, rule); a denial is audited (deny())
    Invalid   422  the input fails a check; `fields` maps a form field to its message
    Conflict  409  the current state does not allow it; `current` is the current version, if any
    NotFound  404  missing, or outside the user's scope
    Busy      503  another transaction held the lock: nothing was written, try again (Retry-After)

An area keeps its old status where users have always seen another one (the ledger answers a refused
row action with 409): `Refused(message, status=409)`.

The handler (init_app) answers in Chinese, as a whole page or — for htmx — a fragment. A view that has
its own place for the message names it before it calls the service:

    errors.shown_in("clues/detail.html", context=lambda e: detail_context(clue, error=e.message))

and a refusal is then answered with that page (or `partial` for htmx), the exception's status, and the
context plus `error`, `errors` (the fields) and `values` (the posted form), so what the user typed stays
on the screen. Without it the answer is errors/error.html, or errors/_error.html for htmx (portal.js
shows its [data-error-message] as a toast and leaves the form as it was).
"""
from flask import g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from . import htmx

ERROR_TEXT = {
    400: ("请求有误", "提交的内容无法处理，请检查后重试。"),
    401: ("需要登录", "请先登录。"),
    403: ("无权访问", "您没有权限查看或操作此内容。"),
    404: ("页面不存在", "您访问的内容不存在，或不在您的查看范围内。"),
    405: ("不支持的操作", "该地址不支持此操作。"),
    409: ("操作冲突", "当前状态不允许此操作。"),
    413: ("文件过大", "上传的内容超过了允许的大小。"),
    422: ("内容有误", "提交的内容未通过校验，请按提示修改。"),
    429: ("操作过于频繁", "尝试次数过多，请稍后再试。"),
    500: ("系统错误", "系统出现错误，已记录。请稍后再试，或联系系统管理员。"),
    503: ("系统繁忙", "系统繁忙，本次操作未执行，请稍后重试；页面上已填写的内容不会丢失。"),
}


class PortalError(Exception):
    """What went wrong, said to the user: `message` (Chinese) and the HTTP `status`."""

    status = 400

    def __init__(self, message: str | None = None, *, status: int | None = None, fields=None):
        if status is not None:
            self.status = status
        self.message = message or ERROR_TEXT.get(self.status, ERROR_TEXT[400])[1]
        self.fields = dict(fields or {})
        super().__init__(self.message)

    @property
    def status_code(self) -> int:
        return self.status


class Refused(PortalError):
    status = 403


class Invalid(PortalError):
    status = 422


class Conflict(PortalError):
    status = 409

    def __init__(self, message: str | None = None, *, current=None, **kw):
        super().__init__(message, **kw)
        self.current = current


class NotFound(PortalError):
    status = 404


class Busy(PortalError):
    status = 503
    retry_after = 2


class VersionConflict(Conflict):
    """Saved from a page that did not see the latest change (optimistic lock); `current` is the latest."""

    def __init__(self, current=None, message: str = "该条目已被他人修改，当前内容已刷新，请核对后重新保存。"):
        super().__init__(message, current=current)


class IllegalTransition(Conflict):
    """A status change the status machine does not allow from the current status."""


def deny(object_type: str = "page", object_id=None, *, status: int = 403, message: str | None = None,
         **detail) -> PortalError:
    """An access denial, audited in its own transaction: `raise errors.deny("notice", notice_id, status=404)`.
    404 for a record outside the user's scope (its existence is not told), 403 for a page or action."""
    from . import audit
    if object_id is None:
        object_id = request.path[:64]
    audit.record_apart("access_denied", object_type, object_id, outcome="denied", detail=detail or "")
    return (NotFound if status == 404 else Refused)(message, status=status)


def shown_in(page: str | None, partial: str | None = None, context=None, **ctx) -> None:
    """Name where this view shows a refusal: `page` (whole page) or, for htmx, `partial`; `context(e)`
    adds what depends on the error (it may reload the current state)."""
    g._error_view = (page, partial, context, ctx)


def error_response(code: int, message: str | None = None):
    """The plain answer: errors/error.html, or the errors/_error.html fragment for htmx."""
    title, text = ERROR_TEXT.get(code, ERROR_TEXT[500] if code >= 500 else ERROR_TEXT[400])
    template = "errors/_error.html" if htmx.is_htmx() else "errors/error.html"
    return render_template(template, code=code, title=title, message=message or text), code


def answer(e: PortalError):
    """The one answer to a PortalError: the view's own page or partial (shown_in), or the plain one."""
    headers = {"Retry-After": str(e.retry_after)} if isinstance(e, Busy) else {}
    view = g.pop("_error_view", None)
    if view is None or (view[0] is None and not (view[1] and htmx.is_htmx())):
        body, status = error_response(e.status, e.message)
        return body, status, headers
    page, partial, context, ctx = view
    ctx = dict(ctx)
    if context is not None:
        ctx.update(context(e))
    ctx.setdefault("error", e.message)
    ctx.setdefault("errors", e.fields)
    ctx.setdefault("values", request.form)
    resp = htmx.render(page or partial, partial, e.status, **ctx)
    resp.headers.update(headers)
    return resp


def _is_custom(e) -> bool:
    """abort(404, "中文说明") carries our own description; werkzeug's English defaults are replaced."""
    desc = getattr(e, "description", None)
    return bool(desc) and any("\u4e00" <= ch <= "\u9fff" for ch in desc)


def init_app(app):
    @app.errorhandler(PortalError)
    def portal_error(e):
        return answer(e)

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return error_response(400, "页面已过期或缺少安全令牌（CSRF），请刷新页面后重试。")

    @app.errorhandler(HTTPException)
    def http_error(e):
        if e.code in (301, 302, 303, 307, 308):
            return e
        return error_response(e.code, getattr(e, "description", None) if _is_custom(e) else None)

    @app.errorhandler(Exception)
    def server_error(e):
        from .db import is_contention, is_unreachable, unavailable_response
        if is_unreachable(e):  # no connection to the database: a page that needs none
            return unavailable_response(e)
        if is_contention(e):  # another transaction held the lock: rolled back, nothing written
            app.logger.warning("database contention on %s: %s", request.path, e)
            return answer(Busy())
        app.logger.exception("unhandled error")
        return error_response(500)
