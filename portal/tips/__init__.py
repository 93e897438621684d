from flask import Blueprint

bp = Blueprint("tips", __name__, url_prefix="/tips")
