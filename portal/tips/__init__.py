import os

from flask import Blueprint

from ..models import tip as _models  # noqa: F401  (the tip box's tables: portal/models/tip.py)
from . import logfilter

_STATIC = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "static")

# The tip pages load their assets from /tips/assets/… (the same files as /static/…), so that every
# request a browser makes from a tip page lies under /tips, where the access-log filter applies.
bp = Blueprint("tips", __name__, url_prefix="/tips", static_folder=_STATIC, static_url_path="/assets")
bp.record_once(logfilter.init_app)


@bp.context_processor
def _tip_page_globals():
    return {"static_endpoint": "tips.static", "tip_page": True}


@bp.after_request
def _no_referrer(resp):
    """Every answer under /tips (pages, redirects, error pages, assets): no Referer, nothing cached."""
    resp.headers["Referrer-Policy"] = "no-referrer"
    resp.headers["Cache-Control"] = "no-store"
    return resp


from . import views  # noqa: E402,F401
