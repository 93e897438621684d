"""The small helper layer between Flask and htmx."""
from flask import make_response, render_template, request


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def render(page: str, partial: str | None = None, status: int = 200, **ctx):
    """Render the whole page, or only `partial` for an htmx request; always `Vary: HX-Request`."""
    template = partial if (partial and is_htmx() and not request.headers.get("HX-History-Restore-Request")) else page
    resp = make_response(render_template(template, **ctx), status)
    resp.headers["Vary"] = "HX-Request"
    return resp


def hx_redirect(url: str, status: int = 200):
    resp = make_response("", status)
    resp.headers["HX-Redirect"] = url
    return resp


def hx_trigger(resp, event: str, after: str | None = None):
    header = {"settle": "HX-Trigger-After-Settle", "swap": "HX-Trigger-After-Swap"}.get(after, "HX-Trigger")
    existing = resp.headers.get(header)
    resp.headers[header] = f"{existing}, {event}" if existing else event
    return resp
