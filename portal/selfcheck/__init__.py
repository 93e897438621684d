from flask import Blueprint

bp = Blueprint("selfcheck", __name__, url_prefix="/selfcheck")
