from flask import Blueprint

bp = Blueprint("inspections", __name__, url_prefix="/inspections")

from . import views  # noqa: E402,F401
from . import demo  # noqa: E402,F401
from . import export  # noqa: E402,F401
