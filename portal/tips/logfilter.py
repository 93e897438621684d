"""Keep reporters out of the access logs.

Werkzeug's development server (logger "werkzeug") and gunicorn (logger "gunicorn.access") write one
line per request with the client's address, and gunicorn can add the user agent, the referer, any
request header or environ value. A request is *tip-linked* when its path is under /tips or its Referer
is a /tips page (a browser that ignores the tip pages' `Referrer-Policy: no-referrer`). For a
tip-linked request this filter keeps only the request line, status, size, timing and date, and blanks
everything that could name an address or a browser, before the record reaches any handler. The tip
pages load every asset (CSS, JS) under /tips/assets and declare no favicon, so a browser on a tip page
makes no request outside /tips at all. The rest of the portal's access log is unchanged.

The filter is total: it never raises, and a record it cannot read safely is replaced by a fixed line,
so that logging's own error path (which prints the raw arguments to stderr, i.e. the error log) is never
reached with a reporter's address or user agent in it.

A filter attached to the logger object runs before propagation, so it also covers handlers installed
later (gunicorn's own, the root logger's). Werkzeug's record carries no headers, so a small WSGI
middleware marks the thread that serves a tip-linked request (werkzeug writes the access line from
that thread once the application has answered); gunicorn's atoms carry the path and the Referer. Installed by the tips blueprint (init_app). If a deployment
writes access logs elsewhere (a reverse proxy), that proxy must be configured the same way — see README.
"""
import logging
import re
import threading
from urllib.parse import urlsplit

TIP_PATH = "/tips"
_WERKZEUG_ADDR = re.compile(r"^\S+ - - ")
_REQUEST_LINE = re.compile(r'"(?:\x1b\[[0-9;]*m)*[A-Z]+ (?:\S*/)?tips(?:[/?" ]|$)')
_TIP_PATH = re.compile(r"(?:^|/)tips(?:/|$)")
# gunicorn atoms that say nothing about who asked: request line, status, size, timing, date, pid
SAFE_ATOMS = frozenset("trsmUqHbBTDMLp")
SAFE_LINE = "[访问日志] 一条与举报箱有关的记录无法安全处理，已略去"

_local = threading.local()


def is_tip_path(path) -> bool:
    return bool(path) and bool(_TIP_PATH.search(str(path).split("?", 1)[0]))


def is_tip_referer(referer) -> bool:
    if not referer or referer == "-":
        return False
    try:
        return is_tip_path(urlsplit(str(referer)).path)
    except ValueError:
        return True  # unreadable: treat as tip-linked (blanking too much is harmless)


def is_tip_request(environ) -> bool:
    return (str(environ.get("PATH_INFO", "")).startswith(TIP_PATH)
            or is_tip_referer(environ.get("HTTP_REFERER")))


class MarkTipRequests:
    """WSGI middleware: remember, for this thread, whether the request being served is tip-linked."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        try:
            _local.tip = is_tip_request(environ)
        except Exception:  # noqa: BLE001 - never break a request over logging
            _local.tip = True
        return self.app(environ, start_response)


def _marked() -> bool:
    return bool(getattr(_local, "tip", False))


class ScrubbedAtoms(dict):
    """gunicorn atoms with only SAFE_ATOMS kept; every other key — known or not, any case — formats
    as "-", so no access-log format can raise KeyError on them."""

    def __init__(self, atoms):
        super().__init__()
        for k in SAFE_ATOMS:
            if k in atoms:
                self[k] = dict.__getitem__(atoms, k)

    def __getitem__(self, k):
        return dict.get(self, k, "-")

    def __missing__(self, k):
        return "-"


def _gunicorn_tip_linked(atoms) -> bool:
    get = (lambda k: dict.get(atoms, k, ""))
    return (str(get("U")).startswith(TIP_PATH) or bool(_REQUEST_LINE.search('"' + str(get("r"))))
            or is_tip_referer(get("f")) or is_tip_referer(get("{referer}i")))


class TipAccessLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            self._scrub(record)
        except Exception:  # noqa: BLE001 - total: fail closed, never pass a record we could not read
            record.msg, record.args = SAFE_LINE, ()
        return True

    def _scrub(self, record):
        if record.name.startswith("gunicorn") and isinstance(record.args, dict):
            if _gunicorn_tip_linked(record.args):  # gunicorn's atoms carry the path and the Referer
                record.args = ScrubbedAtoms(record.args)
            record.getMessage()  # proves the record formats; if not, the except above replaces it
            return
        tip = _marked()
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001 - arguments that do not format: keep the template only
            msg = str(record.msg)
            tip = True
        if tip or _REQUEST_LINE.search(msg):
            record.msg = _WERKZEUG_ADDR.sub("- - - ", msg, count=1)
            record.args = ()


_FILTER = TipAccessLogFilter()


def install() -> None:
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def init_app(state) -> None:
    """Blueprint hook: the logger filters and the request-marking middleware."""
    install()
    app = state.app
    if not isinstance(app.wsgi_app, MarkTipRequests):
        app.wsgi_app = MarkTipRequests(app.wsgi_app)
