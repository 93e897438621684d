"""督办: 催办, 督办通知单, escalation by rule, 领导批示, the 分管领导's and the 局长's panels, red-amber-green and
the patterns the ledger notices (多发频发, 普遍性共性)."""
from flask import Blueprint

bp = Blueprint("supervision", __name__, url_prefix="/supervision")

from . import jobs, panels, views, views_more  # noqa: E402,F401
