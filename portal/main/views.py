"""Home page per role, and a person's profile (scoped)."""
from flask import render_template
from flask_login import current_user, login_required

from ..models import Campaign, Department, User
from ..models.selfcheck import SELFCHECK_STATUSES, SelfCheck
from ..nav import home_panel
from ..permissions import ROLES, can, found_or_404, scope_expr, scope_users
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


def person_selfcheck(viewer, person):
    """The person's self-check in the active campaign, if the viewer may see it (the self-check scope, in
    SQL): (state key, label, the SelfCheck or None), or None when not the viewer's to see."""
    campaign = Campaign.active()
    if campaign is None or not can(viewer, "selfcheck.fill") and viewer.id != person.id:
        return None
    seen = User.select(User.id).where((User.id == person.id) & scope_expr(viewer, User.department, User.id))
    if not seen.exists():
        return None
    sc = (SelfCheck.select().where((SelfCheck.user == person.id) & (SelfCheck.campaign == campaign.id)
                                   & SelfCheck.user.in_(seen)).first())
    state = sc.status if sc else "not_started"
    return {"state": state, "label": SELFCHECK_STATUSES.get(state, state), "sc": sc,
            "perfunctory": sc.perfunctory_count if sc else 0}


def person_problems(viewer, person):
    """The person's problems as the viewer's ledger counts them (portal/ledger/queries.status_counts with
    person=<id>): {counts, filters}, or None for a viewer without the ledger."""
    if not can(viewer, "ledger.view"):
        return None
    from ..ledger import queries
    from ..ledger.forms import Filters
    f = Filters(person=person.id)
    return {"counts": queries.status_counts(viewer, f), "filters": f}


@bp.route("/people/<int:user_id>")
@login_required
def person(user_id):
    user = get_user_for(current_user, user_id)
    return render_template("main/person.html", person=user, selfcheck=person_selfcheck(current_user, user),
                           problems=person_problems(current_user, user))


# what the person must do comes first; who they are and the campaign facts last
@home_panel(order=98)
def roles_panel(user):
    return render_template("main/_roles_panel.html", roles=[ROLES[r] for r in sorted(user.roles)])


@home_panel(order=97)
def campaign_panel(user):
    campaign = Campaign.active()
    if campaign is None:
        return None
    return render_template("main/_campaign_panel.html", campaign=campaign)
