"""自查自纠: the self-check wizard, department review and report, the feed into the ledger."""
from flask import Blueprint

bp = Blueprint("selfcheck", __name__, url_prefix="/selfcheck")

from . import views  # noqa: E402,F401
from . import review_views  # noqa: E402,F401
from . import demo  # noqa: E402,F401
from . import export  # noqa: E402,F401
