"""The document register (/documents/): list, editor with live preview, issue, PDF, corrections."""
import os

from flask import abort, make_response, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from peewee import JOIN

from .. import audit, errors, uploads
from ..errors import PortalError
from ..htmx import hx_redirect, is_htmx, redirect_to, render, toast
from ..models import Department, Document, DocumentProblem, Problem, User
from ..models.document import DEFAULT_PREFIX, KIND_LABELS
from ..models.ledger import ProblemAction
from ..nav import home_panel, problem_panel, register_nav
from ..paging import paginate
from ..params import int_list, to_id, to_int
from ..permissions import can, found_or_404, require, scope_citable_problems, scope_documents
from . import adapters, bp, service
from .forms import DocumentForm, FilterForm, NewDocumentForm

register_nav("公文管理", "documents.index", lambda u: can(u, "documents.read"), order=60)


def get_document_for(user, doc_id: int) -> Document:
    doc = Document.select().where((Document.id == doc_id) & scope_documents(user)).first()
    return found_or_404(doc, Document, doc_id, "document")


def _refusals_as_message():
    """A refused operation is answered with the register's message fragment (the error handler)."""
    errors.shown_in("documents/ui/_message.html", context=lambda e: {"message": e.message, "kind": "error"})


def _error(message, status=422):
    resp = make_response(render_template("documents/ui/_message.html", message=message, kind="error"), status)
    return resp


# ---------------------------------------------------------------- register
@bp.route("/")
@require("documents.read")
def index():
    form = FilterForm(request.args)
    years = [y.year for y in Document.select(Document.year).where(Document.year.is_null(False))
             .distinct().order_by(Document.year.desc())]
    form.year.choices = [("", "全部")] + [(str(y), f"{y}年") for y in years]
    year = to_int(form.year.data, None, lo=1, hi=9999)
    q = (form.q.data or "").strip()[:50]
    query = service.register_query(current_user, form.kind.data or None, form.status.data or None, q, year)
    pg = paginate(query, request.args.get("page"), size=30)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render("documents/ui/index.html", "documents/ui/_rows.html", form=form, rows=pg.rows, total=pg.total,
                  page_no=pg.page, pages=pg.pages, page_url=lambda p: url_for("documents.index", page=p, **args),
                  new_form=NewDocumentForm(), kinds=KIND_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@require("documents.write")
def new():
    action_id = to_id(request.args.get("action"))
    if action_id:
        return _new_from_action(action_id)
    form = NewDocumentForm()
    if form.validate_on_submit():
        kind = form.kind.data
        data = dict(adapters.default_fields(kind), kind=kind, prefix=DEFAULT_PREFIX.get(kind, ""))
        doc = service.create_draft(current_user._get_current_object(), data)
        return redirect(url_for("documents.edit", doc_id=doc.id))
    if request.method == "POST":
        return render("documents/ui/new.html", None, 422, form=form)
    return render("documents/ui/new.html", form=form)


def _new_from_action(action_id):
    act = ProblemAction.get_or_none(ProblemAction.id == action_id)
    if act is None:
        abort(404)
    problem = Problem.get_by_id(act.problem_id)
    if act.kind not in ("reminder", "talk"):
        return render("documents/ui/new.html", None, 422, form=NewDocumentForm(),
                      message="只有“提醒”“约谈”措施可以生成提醒函、约谈通知书；通报请新建“通报”并选择问题。")
    if act.document_id:
        existing = Document.get_or_none(Document.id == act.document_id)
        if existing is not None:
            return redirect(url_for("documents.edit", doc_id=existing.id))
    draft = Document.get_or_none((Document.action_id == act.id) & (Document.status == "draft"))
    if draft is None:
        data = adapters.action_draft(act, problem)
        data["prefix"] = DEFAULT_PREFIX.get(data["kind"], "")
        draft = service.create_draft(current_user._get_current_object(), data, [problem.id], action_id=act.id)
    return redirect(url_for("documents.edit", doc_id=draft.id))


# ---------------------------------------------------------------- editor
def _editor_ctx(doc, form=None):
    if form is None:
        form = DocumentForm(formdata=None)
        form.load(doc)
    selected = service.linked_problems(doc)
    return dict(doc=doc, form=form, selected=selected, results=[], kinds=KIND_LABELS,
                glyphs=service.missing_glyphs(doc) if doc.is_draft else [],
                problems_for_issue=service.issue_problems(doc) if doc.is_draft else [],
                superseded_by=Document.get_or_none(Document.id == doc.superseded_by_id) if doc.superseded_by_id else None,
                supersedes=Document.get_or_none(Document.id == doc.supersedes_id) if doc.supersedes_id else None,
                corrections=list(Document.select().where((Document.supersedes == doc.id) & scope_documents(current_user))))


@bp.route("/<int:doc_id>")
@require("documents.read")
def edit(doc_id):
    doc = get_document_for(current_user, doc_id)
    if not doc.is_draft:
        return render("documents/ui/issued.html", **_editor_ctx(doc))
    return render("documents/ui/edit.html", **_editor_ctx(doc))


def _save(doc):
    """Validate the posted editor form and save the draft. Returns (doc, form, error_response)."""
    form = DocumentForm()
    if not form.validate():
        return doc, form, None
    data = form.content()
    if doc.extra_dict.get("attachment_pdfs"):          # uploaded separately (views_attach): kept
        data["extra"]["attachment_pdfs"] = doc.extra_dict["attachment_pdfs"]
    if data["kind"] != doc.kind:
        # fields still at the old kind's defaults follow the new kind
        old_d, new_d = adapters.default_fields(doc.kind), adapters.default_fields(data["kind"])
        if data["prefix"] == DEFAULT_PREFIX.get(doc.kind, ""):
            data["prefix"] = DEFAULT_PREFIX.get(data["kind"], "")
        for k in ("organ", "addressees", "printer"):
            if data.get(k, "") == old_d.get(k, ""):
                data[k] = new_d.get(k, "")
    try:
        doc = service.update_draft(doc.id, current_user._get_current_object(), data,
                                   request.form.getlist("problem_ids"))
    except PortalError as e:
        return doc, form, _error(e.message, e.status)
    return doc, form, None


@bp.route("/<int:doc_id>/save", methods=["POST"])
@require("documents.write")
def save(doc_id):
    doc = get_document_for(current_user, doc_id)
    old_kind = doc.kind
    doc, form, err = _save(doc)
    if err is not None:
        return err
    if form.errors:
        return render_template("documents/ui/_status.html", doc=doc, form=form, glyphs=[], saved=False,
                               problems_for_issue=[]), 422
    if not is_htmx() or doc.kind != old_kind:
        # a new kind shows other fields: reload the editor
        return redirect_to(url_for("documents.edit", doc_id=doc.id), 302)
    return render_template("documents/ui/_status.html", doc=doc, form=form, saved=True,
                           glyphs=service.missing_glyphs(doc), problems_for_issue=service.issue_problems(doc),
                           oob_preview=True)


@bp.route("/<int:doc_id>/issue", methods=["POST"])
@require("documents.write")
def issue(doc_id):
    doc = get_document_for(current_user, doc_id)
    if not doc.is_draft:
        audit.record("document_refused", "document", doc.id, outcome="denied", detail="issue of issued")
        return _error("该公文已印发，不能重复印发。", 409)
    if request.form:
        doc, form, err = _save(doc)
        if err is not None:
            return err
        if form.errors:
            return _error("请先按提示修改标出的内容，再印发。")
    try:
        doc = service.issue(doc.id, current_user._get_current_object())
    except PortalError as e:
        return _error(e.message, e.status if e.status in (409, 422) else 422)
    url = url_for("documents.edit", doc_id=doc.id)
    if is_htmx():
        return toast(hx_redirect(url), f"已印发：{doc.number or doc.title}")
    return redirect(url)


@bp.route("/<int:doc_id>/correct", methods=["POST"])
@require("documents.write")
def correct(doc_id):
    doc = get_document_for(current_user, doc_id)
    _refusals_as_message()
    new_doc = service.correct(doc.id, current_user._get_current_object())
    return redirect_to(url_for("documents.edit", doc_id=new_doc.id), 302)


@bp.route("/<int:doc_id>/delete", methods=["POST"])
@require("documents.write")
def delete(doc_id):
    doc = get_document_for(current_user, doc_id)
    _refusals_as_message()
    service.delete_draft(doc.id, current_user._get_current_object())
    return redirect_to(url_for("documents.index"), 302)


@bp.route("/<int:doc_id>/preview")
@require("documents.read")
def preview(doc_id):
    doc = get_document_for(current_user, doc_id)
    number = doc.number if not doc.is_draft else (
        f"{doc.prefix}〔{(doc.doc_date.year if doc.doc_date else '××××')}〕×号" if doc.prefix else None)
    data = adapters.document_to_doc(doc, number=number,
                                    seal_png=service.load_seal_png() if (doc.seal and not doc.is_draft) else None)
    try:
        html = adapters.preview_page(doc.kind, data, lambda r: url_for("documents.font", role=r),
                                     url_for("static", filename="css/gongwen.css"))
    except Exception:  # noqa: BLE001 - a preview never breaks the editor
        html = render_template("documents/ui/_preview_error.html")
    resp = make_response(html)
    resp.headers["Content-Security-Policy"] = adapters.PREVIEW_CSP
    resp.headers["X-Frame-Options"] = "SAMEORIGIN"  # framed by our own editor page only
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.route("/fonts/<role>")
@login_required
def font(role):
    from ..gongwen.fonts import CSS_FAMILY, font_set
    if role not in CSS_FAMILY or not (can(current_user, "documents.read")):
        abort(404)
    path = font_set(adapters.fonts_dir() if os.path.isdir(adapters.fonts_dir()) else None).path(role)
    resp = send_file(path, mimetype="font/otf", max_age=86400)
    resp.headers["Cache-Control"] = "private, max-age=86400"
    return resp


@bp.route("/<int:doc_id>/pdf")
@require("documents.read")
def pdf(doc_id):
    doc = get_document_for(current_user, doc_id)
    if doc.is_draft:  # a refusal (missing glyph, missing or altered file) goes to the error handler
        data = service.draft_pdf(doc)
        audit.record("document_print_draft", "document", doc.id)
        name = f"草稿-{doc.title or doc.kind_label}.pdf"
    else:
        data = service.stored_pdf(doc)
        audit.record("document_download", "document", doc.id, detail={"number": doc.number})
        name = f"{doc.number or ''}{doc.title}.pdf"
    return uploads.download(data, name.replace("/", "／")[:120], "pdf")


# ---------------------------------------------------------------- picking Problems for a 通报
@bp.route("/<int:doc_id>/problems")
@require("documents.write")
def problem_picker(doc_id):
    doc = get_document_for(current_user, doc_id)
    checked = int_list(request.args.getlist("problem_ids"), limit=200)
    q = (request.args.get("pq") or "").strip()[:50]
    base = (Problem.select(Problem, Department, User)
            .join(Department, on=(Problem.department == Department.id))
            .switch(Problem).join(User, on=(Problem.person == User.id), join_type=JOIN.LEFT_OUTER)
            .where(scope_citable_problems(current_user) & (Problem.withdrawn == False)))  # noqa: E712
    selected = list(base.where(Problem.id.in_(checked))) if checked else []
    order = {pid: i for i, pid in enumerate(checked)}
    selected.sort(key=lambda p: order.get(p.id, 0))
    results = base
    if checked:
        results = results.where(Problem.id.not_in(checked))
    if q:
        results = results.where(Problem.description.contains(q) | Department.name.contains(q)
                                | User.real_name.contains(q))
    results = list(results.order_by(Problem.id.desc()).limit(20))
    return render_template("documents/ui/_picker.html", doc=doc, selected=selected, results=results, q=q)


# ---------------------------------------------------------------- panels
@problem_panel(order=60)
def documents_on_problem(problem, user):
    rows = list(Document.select().join(DocumentProblem, on=(DocumentProblem.document == Document.id))
                .where(DocumentProblem.problem == problem.id).order_by(Document.id))
    writer = can(user, "documents.write")
    pending = []
    if writer:
        pending = list(ProblemAction.select().where(
            (ProblemAction.problem == problem.id) & ProblemAction.document_id.is_null()
            & ProblemAction.kind.in_(("reminder", "talk"))).order_by(ProblemAction.id))
    if not rows and not pending:
        return None
    return render_template("documents/ui/_problem_panel.html", rows=rows, pending=pending, can_open=writer)


@home_panel(order=40)
def drafts_panel(user):
    if not can(user, "documents.drafts"):
        return None
    drafts = list(Document.select().where((Document.status == "draft") & scope_documents(user))
                  .order_by(Document.updated_at.desc()).limit(8))
    count = Document.select().where((Document.status == "draft") & scope_documents(user)).count()
    return render_template("documents/ui/_home_panel.html", drafts=drafts, count=count)


@bp.app_template_filter("documents_codepoint")
def codepoint(ch):
    return f"{ord(ch):04X}" if ch else ""
