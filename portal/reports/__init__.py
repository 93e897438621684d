from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

from ..models import report  # noqa: E402,F401
from . import views  # noqa: E402,F401
from . import signoff_views  # noqa: E402,F401
from . import demo  # noqa: E402,F401
