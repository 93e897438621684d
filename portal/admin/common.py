"""Small helpers shared by the administration views: the role gate, toasts, pagination."""
import json
from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user, login_required

from .. import audit
from ..permissions import can


def require(action: str):
    """Login, then `can(user, action)` or 403 (the attempt is audited)."""
    def deco(fn):
        @wraps(fn)
        @login_required
        def wrapper(*args, **kwargs):
            if not can(current_user, action):
                audit.record("access_denied", "page", request.path[:64], outcome="denied",
                             detail={"need": action})
                abort(403)
            return fn(*args, **kwargs)
        return wrapper
    return deco


def toast(resp, text: str, kind: str = "success", event: str | None = None):
    """Attach a server toast (and optionally another event) to an htmx response."""
    payload = {"toast": {"text": text, "kind": kind}}
    if event:
        payload[event] = True
    resp.headers["HX-Trigger"] = json.dumps(payload)  # ASCII-escaped: headers must be latin-1
    return resp


def paginate(query, page, size=None):
    """(rows, page, pages, total) with page clamped into range."""
    size = size or current_app.config["PAGE_SIZE"]
    total = query.count()
    pages = max(1, (total + size - 1) // size)
    try:
        page = int(page or 1)
    except (TypeError, ValueError):
        page = 1
    page = min(max(1, page), pages)
    return list(query.paginate(page, size)), page, pages, total
