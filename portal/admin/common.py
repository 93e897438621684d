"""Small helpers shared by the administration views: toasts, pagination (the role gate is
permissions.require)."""
import json

from flask import current_app


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
