"""Accountability outcomes (追责问责, 四种形态, 一案双查) and typical cases (典型问题)."""
from flask import Blueprint

bp = Blueprint("outcomes", __name__, url_prefix="/outcomes")

from . import demo, lists, views  # noqa: E402,F401
