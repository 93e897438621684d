"""通知公告: issued 通报/通知 published to their readers, with read receipts, 已阅 and reminders."""
from flask import Blueprint

bp = Blueprint("publications", __name__, url_prefix="/publications")

from . import demo, views  # noqa: E402,F401
