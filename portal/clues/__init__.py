from flask import Blueprint

bp = Blueprint("clues", __name__, url_prefix="/clues")

from . import views, export  # noqa: E402,F401
