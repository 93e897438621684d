"""Small helpers shared by the administration views: the role gate."""
from functools import wraps

from flask import abort, request
from flask_login import current_user, login_required

from .. import audit
from ..permissions import can


def require(action: str):
    """Login, then `can(user, action)` or 403 (the attempt is audited)."""
    def deco(fn):
        @wraps(fn)
        @login_required
        def wrapper(*args, **kwargs):
            if not can(current_user, action):
                audit.record("access_denied", "page", request.path[:64], outcome="denied",
                             detail={"need": action})
                abort(403)
            return fn(*args, **kwargs)
        return wrapper
    return deco

