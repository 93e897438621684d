"""Home page per role, and a person's profile (scoped)."""
from flask import render_template
from flask_login import current_user, login_required

from ..models import Department, User
from ..nav import home_panel
from ..permissions import ROLES, found_or_404, scope_users
from . import bp


@bp.route("/")
@login_required
def home():
    return render_template("main/home.html")


def get_user_for(viewer, user_id: int) -> User:
    """Load a person within the viewer's scope, or 404 (and audit the attempt)."""
    user = (User.select(User, Department).join(Department)
            .where((User.id == user_id) & scope_users(viewer)).first())
    return found_or_404(user, User, user_id, "user")


@bp.route("/people/<int:user_id>")
@login_required
def person(user_id):
    user = get_user_for(current_user, user_id)
    return render_template("main/person.html", person=user)


# what the person must do comes first; who they are and the campaign facts last
@home_panel(order=98)
def roles_panel(user):
    return render_template("main/_roles_panel.html", roles=[ROLES[r] for r in sorted(user.roles)])


@home_panel(order=97)
def campaign_panel(user):
    from ..models import Campaign
    campaign = Campaign.active()
    if campaign is None:
        return None
    return render_template("main/_campaign_panel.html", campaign=campaign)
