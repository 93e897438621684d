"""The notice centre: the bell (unread count, refreshed by htmx), the list, mark read."""
import click
from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import clock
from ..extensions import db
from .. import errors
from ..htmx import is_htmx, render, toast, trigger
from ..models import Notice
from ..notify import KINDS, unread_count
from ..paging import paginate
from ..permissions import scope_notices
from . import bp, triggers


def _mine():
    return scope_notices(current_user)


@bp.app_context_processor
def _bell_globals():
    return {"notice_unread_count": lambda: unread_count(current_user)
            if current_user.is_authenticated else 0}


@bp.route("/")
@login_required
def index():
    show = request.args.get("show", "all")
    q = Notice.select().where(_mine())
    if show == "unread":
        q = q.where(Notice.read_at.is_null())
    pg = paginate(q.order_by(Notice.created_at.desc(), Notice.id.desc()), request.args.get("page"))
    all_count = pg.total if show != "unread" else Notice.select().where(_mine()).count()
    return render("notices/index.html", "notices/_list.html", notices=pg.rows, show=show, page_no=pg.page,
                  pages=pg.pages, total=pg.total, kinds=KINDS, unread=unread_count(current_user),
                  all_count=all_count)


@bp.route("/bell")
@login_required
def bell():
    resp = render("notices/_bell.html", "notices/_bell.html")
    return resp


def _get_mine(notice_id) -> Notice:
    n = Notice.select().where((Notice.id == notice_id) & _mine()).first()
    if n is None:
        if Notice.select().where(Notice.id == notice_id).exists():  # someone else's: audited
            raise errors.deny("notice", notice_id, status=404)
        raise errors.NotFound()
    return n


@bp.route("/<int:notice_id>/open")
@login_required
def open_(notice_id):
    n = _get_mine(notice_id)
    if n.read_at is None:
        Notice.update(read_at=clock.now()).where(Notice.id == n.id).execute()
    target = n.url if (n.url or "").startswith("/") and not n.url.startswith("//") else url_for("notices.index")
    return redirect(target)


@bp.route("/<int:notice_id>/read", methods=["POST"])
@login_required
def mark_read(notice_id):
    n = _get_mine(notice_id)
    if n.read_at is None:
        Notice.update(read_at=clock.now()).where(Notice.id == n.id).execute()
        n = Notice.get_by_id(n.id)
    if is_htmx():
        resp = current_app.make_response(render_template("notices/_row.html", n=n, kinds=KINDS))
        return trigger(resp, "notices-changed")
    return redirect(request.referrer if _same_site(request.referrer) else url_for("notices.index"))


@bp.route("/read-all", methods=["POST"])
@login_required
def mark_all_read():
    with db.atomic():
        n = (Notice.update(read_at=clock.now())
             .where(_mine() & Notice.read_at.is_null()).execute())
    if is_htmx():
        return toast(trigger(index(), "notices-changed"), f"已将 {n} 条通知标为已读")
    return redirect(url_for("notices.index"))


def _same_site(url) -> bool:
    return bool(url) and url.startswith(request.host_url)


@bp.cli.command("run")
def run_command():
    """Run the periodic notice triggers (idempotent) and deliver pending e-mail."""
    with db.connection_context():
        out = triggers.run_all()
    names = {"ledger_deadlines": "整改时限提醒", "reports_due": "报送提醒", "mailed": "发送邮件",
             "audit_anchor": "审计链锚定"}
    click.echo("；".join(f"{names.get(k, k)} {v} 条" for k, v in out.items()))


from .. import web  # noqa: E402

web.PASSIVE_ENDPOINTS.add("notices.bell")  # the bell's poll is not user activity (idle timeout)
