from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import views, roster_views, audit_views, panels, security_views, role_views, login_log  # noqa: E402,F401
