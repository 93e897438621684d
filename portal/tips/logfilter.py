"""Keep reporters out of the access logs.

Werkzeug's development server (logger "werkzeug") and gunicorn (logger "gunicorn.access") write one
line per request with the client's address, and gunicorn can add the user agent and forwarded-for
headers. For every request under /tips this filter blanks those parts before the record reaches any
handler; the rest of the portal's access log is unchanged. A filter attached to the logger object runs
before propagation, so it also covers handlers installed later (gunicorn's own, the root logger's).

Installed when portal.tips is imported (i.e. by create_app). If a deployment writes access logs
somewhere else (a reverse proxy), that proxy must be configured the same way for /tips — see README.
"""
import logging
import re

TIP_PATH = "/tips"
_WERKZEUG_ADDR = re.compile(r"^\S+ - - ")
_REQUEST_LINE = re.compile(r'"(?:\x1b\[[0-9;]*m)*[A-Z]+ /tips[/?" ]')


class TipAccessLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            if record.name.startswith("gunicorn") and isinstance(record.args, dict):
                atoms = record.args
                if str(atoms.get("U", "")).startswith(TIP_PATH) or TIP_PATH in str(atoms.get("r", "")):
                    clean = dict(atoms)
                    for k in list(clean):
                        kl = str(k).lower()
                        if k in ("h", "a", "u", "l") or kl.startswith("{") and kl.endswith("}i"):
                            clean[k] = "-"
                    record.args = clean
                return True
            msg = record.getMessage()
            if _REQUEST_LINE.search(msg):
                record.msg = _WERKZEUG_ADDR.sub("- - - ", msg, count=1)
                record.args = ()
        except Exception:  # noqa: BLE001 - a logging filter must never break logging
            pass
        return True


_FILTER = TipAccessLogFilter()


def install() -> None:
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
