from flask import Blueprint

from ..models import tip as _models  # noqa: F401  (the tip box's tables: portal/models/tip.py)

bp = Blueprint("tips", __name__, url_prefix="/tips")

from . import views  # noqa: E402,F401
