"""使用说明 /help: the guides of the signed-in person's roles first, every other role's below."""
import os

from flask import current_app, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from . import bp
from .guides import GUIDES, ORDER


def _steps(role):
    out = []
    for title, text, endpoint, shot in GUIDES[role][1]:
        href = None
        if endpoint:
            try:
                href = url_for(endpoint)
            except BuildError:
                href = None
        image = None
        if shot and os.path.exists(os.path.join(current_app.static_folder, "help", shot)):
            image = url_for("static", filename="help/" + shot)
        out.append({"title": title, "text": text, "href": href, "image": image})
    return out


@bp.route("/")
@login_required
def index():
    mine = [r for r in ORDER if r in current_user.roles]
    others = [r for r in ORDER if r not in current_user.roles]
    guides = [{"role": r, "name": GUIDES[r][0], "steps": _steps(r)} for r in mine]
    return render_template("help/index.html", guides=guides,
                           others=[(r, GUIDES[r][0]) for r in others])


@bp.route("/<role>")
@login_required
def role(role):
    from flask import abort
    if role not in GUIDES:
        abort(404)
    return render_template("help/index.html", guides=[{"role": role, "name": GUIDES[role][0], "steps": _steps(role)}],
                           others=[(r, GUIDES[r][0]) for r in ORDER if r != role], single=True)
