"""The one helper layer between Flask and htmx: page or partial, events, out-of-band swaps, redirects.

    is_htmx(), wants_partial()             an htmx request; one that swaps a part (not a history restore)
    render(page, partial, status, **ctx)   the whole page, or only `partial` for htmx (Vary: HX-Request)
    trigger(resp, event, detail=None)      add an event to HX-Trigger (always the JSON form, merged)
    toast(resp, text, kind="success")      the server toast portal.js shows (an HX-Trigger event)
    oob(resp, template, **ctx)             append a partial rendered with oob=True (hx-swap-oob in it)
    hx_redirect(url)                       HX-Redirect: htmx loads `url` as a whole page
    push_url(resp, url)                    HX-Push-Url: the address bar shows `url`
    retarget(resp, selector, swap=None)    HX-Retarget / HX-Reswap: the answer goes elsewhere
    triggered_by(), current_url()          the element id that sent the request, the page it came from
    redirect_to(url, status=303)           HX-Redirect for htmx, otherwise a redirect
"""
import json

from flask import make_response, redirect, render_template, request

_AFTER = {None: "HX-Trigger", "settle": "HX-Trigger-After-Settle", "swap": "HX-Trigger-After-Swap"}


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def wants_partial() -> bool:
    """htmx swaps a part of the page (a history restore needs the whole page)."""
    return is_htmx() and not request.headers.get("HX-History-Restore-Request")


def triggered_by() -> str:
    return request.headers.get("HX-Trigger", "") if is_htmx() else ""


def current_url() -> str:
    return request.headers.get("HX-Current-URL", "")


def render(page: str, partial: str | None = None, status: int = 200, **ctx):
    """Render the whole page, or only `partial` for an htmx request; always `Vary: HX-Request`."""
    template = partial if (partial and wants_partial()) else page
    resp = make_response(render_template(template, **ctx), status)
    resp.headers["Vary"] = "HX-Request"
    return resp


def trigger(resp, event: str, detail=None, after: str | None = None):
    """Add `event` (with an optional JSON-able `detail`) to the response's HX-Trigger header, keeping
    the events already there. The header is JSON with ASCII escapes: headers carry latin-1 only."""
    header = _AFTER[after]
    events = _events(resp.headers.get(header))
    events[event] = True if detail is None else detail
    resp.headers[header] = json.dumps(events)
    return resp


def toast(resp, text: str, kind: str = "success"):
    return trigger(resp, "toast", {"text": text, "kind": kind})


def oob(resp, template: str, **ctx):
    """Append `template` rendered with oob=True: its root element carries hx-swap-oob and updates
    another part of the page (counters, progress) in the same answer."""
    resp.set_data(resp.get_data() + render_template(template, oob=True, **ctx).encode("utf-8"))
    return resp


def hx_redirect(url: str, status: int = 200):
    resp = make_response("", status)
    resp.headers["HX-Redirect"] = url
    return resp


def push_url(resp, url: str):
    resp.headers["HX-Push-Url"] = url
    return resp


def retarget(resp, selector: str, swap: str | None = None):
    resp.headers["HX-Retarget"] = selector
    if swap:
        resp.headers["HX-Reswap"] = swap
    return resp


def redirect_to(url: str, status: int = 303):
    """After a successful POST: htmx follows HX-Redirect (a 30x would land the page inside the
    target), a plain form gets `status` (303 See Other)."""
    return hx_redirect(url) if is_htmx() else redirect(url, status)


def _events(value) -> dict:
    if not value:
        return {}
    if value.lstrip().startswith("{"):
        return json.loads(value)
    return {name.strip(): True for name in value.split(",") if name.strip()}
