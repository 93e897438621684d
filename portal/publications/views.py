"""通知公告 pages: the board, one publication (PDF, 已阅, and for the office the receipts, reminders and
撤回), publishing from the document register, and the home panel."""
from flask import render_template, request, url_for
from flask_login import current_user, login_required

from .. import audit, errors, uploads
from ..htmx import is_htmx, redirect_to, render, toast
from ..models import Department, Document, User
from ..models.publication import Publication
from ..nav import home_panel, register_nav
from ..paging import paginate
from ..params import to_int
from ..permissions import can, deny, found_or_404, require, scope_documents
from . import bp, service
from .forms import AckForm, PublishForm, RemindForm, WithdrawForm

register_nav("通知公告", "publications.index", lambda u: can(u, "publications.board"), order=15)


def _me():
    return current_user._get_current_object()


def get_publication_for(user, pub_id: int) -> Publication:
    return found_or_404(service.get_for(user, pub_id), Publication, pub_id, "publication")


@bp.route("/")
@require("publications.board")
def index():
    office = can(current_user, "publications.manage")
    pg = paginate(service.board(current_user, include_withdrawn=office), request.args.get("page"), size=30)
    return render("publications/index.html", rows=pg.rows, page_no=pg.page, pages=pg.pages, total=pg.total,
                  office=office, page_url=lambda p: url_for("publications.index", page=p))


def _detail_ctx(pub, **extra):
    office = can(current_user, "publications.manage")
    ctx = dict(pub=pub, doc=pub.document, office=office, mine=service.receipt_of(pub, current_user),
               ack_form=AckForm())
    if office:
        ctx.update(groups=service.receipts(pub), totals=service.totals(pub), remind_form=RemindForm(),
                   withdraw_form=WithdrawForm())
    ctx.update(extra)
    return ctx


@bp.route("/<int:pub_id>")
@login_required
def detail(pub_id):
    pub = get_publication_for(current_user, pub_id)
    if pub.status == "published":
        service.mark_read(pub, current_user)
    return render("publications/detail.html", **_detail_ctx(pub))


@bp.route("/<int:pub_id>/pdf")
@login_required
def pdf(pub_id):
    """The issued PDF, to recipients, leaders, the chief and the office only (others: 404, audited)."""
    from ..documents.issuing import stored_pdf
    pub = get_publication_for(current_user, pub_id)
    doc = pub.document
    data = stored_pdf(doc)
    if pub.status == "published":
        service.mark_read(pub, current_user)
    audit.record("publication_download", "publication", pub.id, detail={"number": doc.number})
    return uploads.download(data, f"{doc.number or ''}{doc.title}.pdf".replace("/", "／")[:120], "pdf")


@bp.route("/<int:pub_id>/ack", methods=["POST"])
@login_required
def ack(pub_id):
    pub = get_publication_for(current_user, pub_id)
    errors.shown_in("publications/detail.html", "publications/_ack.html", context=lambda e: _detail_ctx(pub))
    mine = service.acknowledge(pub, _me())
    if is_htmx():
        return toast(render("publications/_ack.html", "publications/_ack.html", **_detail_ctx(pub, mine=mine)),
                     "已确认已阅")
    return redirect_to(url_for("publications.detail", pub_id=pub.id))


def _office_pub(pub_id):
    if not can(current_user, "publications.manage"):
        deny("publication", pub_id, need="publications.manage")
    return get_publication_for(current_user, pub_id)


@bp.route("/<int:pub_id>/remind", methods=["POST"])
@login_required
def remind(pub_id):
    pub = _office_pub(pub_id)
    errors.shown_in("publications/detail.html", "publications/_receipts.html", context=lambda e: _detail_ctx(pub))
    form = RemindForm()
    if not form.validate():
        return render("publications/detail.html", "publications/_receipts.html", 422, **_detail_ctx(pub))
    n = service.remind(pub, _me(), to_int(form.round.data, pub.remind_round, lo=0))
    pub = Publication.get_by_id(pub.id)
    text = "本轮提醒已发送过" if n is None else (f"已提醒 {n} 人" if n else "没有需要提醒的人员")
    resp = render("publications/detail.html", "publications/_receipts.html", **_detail_ctx(pub, reminded=text))
    return toast(resp, text, "success" if n else "info")


@bp.route("/<int:pub_id>/withdraw", methods=["POST"])
@login_required
def withdraw(pub_id):
    pub = _office_pub(pub_id)
    form = WithdrawForm()
    if not form.validate():
        return render("publications/detail.html", None, 422, **_detail_ctx(pub, withdraw_form=form))
    errors.shown_in("publications/detail.html", context=lambda e: _detail_ctx(pub, withdraw_form=form))
    service.withdraw(pub, _me(), form.reason.data)
    return redirect_to(url_for("publications.detail", pub_id=pub.id))


# ---------------------------------------------------------------- publishing from the register
def _publish_form(formdata=None):
    form = PublishForm(formdata=formdata) if formdata is not None else PublishForm()
    departments = list(Department.select().where(Department.is_active == True)  # noqa: E712
                       .order_by(Department.sort_order, Department.id))
    people = list(User.select(User, Department).join(Department)
                  .where(User.id.in_(service._people().select(User.id)))
                  .order_by(Department.sort_order, Department.id, User.sort_name, User.id))
    form.fill(departments, people)
    return form


def _document(doc_id):
    if not can(current_user, "publications.manage"):
        deny("document", doc_id, need="publications.manage")
    doc = Document.select().where((Document.id == doc_id) & scope_documents(current_user)).first()
    return found_or_404(doc, Document, doc_id, "document")


def _panel_ctx(doc, form=None, **extra):
    pub = Publication.get_or_none(Publication.document == doc.id)
    return dict(doc=doc, pub=pub, totals=service.totals(pub) if pub else None,
                problems=[] if pub else service.publish_problems(doc),
                form=form or _publish_form(), names_people=service.names_people(doc), **extra)


@bp.route("/document/<int:doc_id>")
@login_required
def document_panel(doc_id):
    doc = _document(doc_id)
    return render("publications/publish.html", "publications/_document_panel.html", **_panel_ctx(doc))


@bp.route("/document/<int:doc_id>/publish", methods=["POST"])
@login_required
def publish(doc_id):
    doc = _document(doc_id)
    form = _publish_form(request.form)
    if not form.validate():
        return render("publications/publish.html", "publications/_document_panel.html", 422,
                      **_panel_ctx(doc, form=form))
    errors.shown_in("publications/publish.html", "publications/_document_panel.html",
                    context=lambda e: _panel_ctx(doc, form=form))
    pub = service.publish(doc.id, _me(), form.audience.data, form.departments.data or [], form.people.data or [],
                          form.require_ack.data)
    url = url_for("publications.detail", pub_id=pub.id)
    resp = redirect_to(url)
    return toast(resp, "已发布到通知公告") if is_htmx() else resp


# ---------------------------------------------------------------- home page
@home_panel(order=5)
def notices_panel(user):
    rows = list(service.board(user).limit(8))
    if not rows:
        return None
    unread = sum(1 for p in rows if p.mine and p.mine.id and p.mine.read_at is None)
    return render_template("publications/_home_panel.html", rows=rows, unread=unread)
