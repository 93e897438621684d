from flask import Blueprint

bp = Blueprint("documents", __name__, url_prefix="/documents")

from . import cli, views, views_batch, views_preview, demo  # noqa: E402,F401
from . import views_attach  # noqa: E402,F401
