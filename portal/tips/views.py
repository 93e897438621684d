"""The public tip box (no login) and the reporter's follow-up with receipt code + password.

Nothing from the request beyond the form itself reaches the service: no address, no user agent, no
account — even when the reporter happens to be logged in. Access-log lines for /tips lose the client
address (logfilter). Rate limits key on the address in memory only (Flask-Limiter memory storage).
"""
import logging

import click
from flask import current_app, make_response, redirect, render_template, request, url_for

from .. import audit, crypto, uploads, web
from ..extensions import db, limiter
from ..models import Campaign, Category, Department, Item
from ..models.tip import REPORTER_STATUS
from . import bp, pow, retention, service, tracking
from .forms import FollowUpForm, TipForm, TrackForm

# a logged-in person with a pending password change can still use the tip box
web._PW_CHANGE_OK.update({"tips.index", "tips.done", "tips.track", "tips.status", "tips.end"})

def limits_stay_in_memory(state):
    """The limiter's keys are client addresses: they must live in process memory only, never in a
    shared store that keeps them (Redis, memcached, a database). Production refuses to start otherwise."""
    uri = state.app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    if not uri.startswith(("memory://", "portaldb://")):  # portaldb keys are daily hashes (portal/ratelimit.py)
        message = (f"RATELIMIT_STORAGE_URI={uri.split(':', 1)[0]}://… would keep reporters' addresses outside "
                   "the process; the tip box needs memory:// or portaldb:// (see README)")
        if state.app.config.get("PORTAL_ENV") == "production":
            raise RuntimeError(message)
        logging.getLogger("portal.tips").warning(message)


bp.record_once(limits_stay_in_memory)

TRACK_FAIL_MSG = "查询码或查询密码错误次数过多，请 10 分钟后再试。"
BUSY_MSG = "举报箱当前访问过多，请稍后再试。"
SUBMIT_MSG = "提交过于频繁，请稍后再试。"


def _cfg(key, default):
    return lambda: current_app.config.get(key, default)


def _failed(resp) -> bool:
    return resp.status_code == 401


def _everyone() -> str:
    return "tips-all"


def department_choices():
    rows = (Department.select().where((Department.is_active == True) & (Department.kind != "bureau"))  # noqa: E712
            .order_by(Department.sort_order, Department.id))
    return [(0, "请选择")] + [(d.id, d.name) for d in rows] + [(-1, "其他单位或不确定")]


def item_choices():
    c = Campaign.active()
    groups = {}
    if c is not None:
        for cat in Category.select().where(Category.campaign == c).order_by(Category.seq):
            groups[cat.label] = [(i.id, i.short) for i in
                                 Item.select().where(Item.category == cat).order_by(Item.seq)]
    groups["其他"] = [(0, "其他问题 / 不确定类别")]
    return groups


def fill_choices(form):
    form.subject_department.choices = department_choices()
    form.item.choices = item_choices()


def subject_from(form) -> dict:
    dept_id = form.subject_department.data if (form.subject_department.data or 0) > 0 else None
    dept_text = form.subject_department_other.data or ""
    if dept_id:
        d = Department.get_or_none(Department.id == dept_id)
        dept_text = d.name if d else dept_text
    return {"name": form.subject_name.data, "department": dept_text, "department_id": dept_id,
            "title": form.subject_title.data, "when": form.happened_when.data, "where": form.happened_where.data}


def reporter_from(form):
    if form.identity.data != "named":
        return None
    return {"name": form.reporter_name.data, "phone": form.reporter_phone.data, "email": form.reporter_email.data}


def _private(resp):
    resp = make_response(resp)
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Referrer-Policy"] = "no-referrer"
    return resp


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(_cfg("TIPS_SUBMIT_LIMIT", "20 per hour"), methods=["POST"], error_message=SUBMIT_MSG)
@limiter.limit(_cfg("TIPS_SUBMIT_GLOBAL_LIMIT", "300 per hour"), key_func=_everyone, methods=["POST"],
               error_message=BUSY_MSG, scope="tips-submit-all")
def index():
    form = TipForm()
    fill_choices(form)
    status = 200
    if form.validate_on_submit():
        files = None
        problem = pow.check(form.pow_challenge.data, form.pow_nonce.data)
        if problem:
            form.pow_nonce.errors = [problem]
        else:
            try:
                files = uploads.check_files(request.files.getlist(form.files.name))
            except uploads.UploadError as e:
                form.files.errors = [str(e) + "。请重新选择文件，其余内容已保留。"]
        if files is not None:
            item_id = form.item.data or None
            tip, clue, code, password = service.create_tip(
                subject=subject_from(form), body=form.body.data, item_id=item_id,
                reporter=reporter_from(form), files=files,
                password=form.password.data if form.password_mode.data == "choose" else None)
            return _private(render_template("tips/receipt.html", code=service.format_code(code),
                                            password=password, received_on=tip.received_on,
                                            named=tip.named, files=len(files)))
        status = 422
    elif request.method == "POST":
        status = 422
    form.pow_challenge.data, form.pow_nonce.data = pow.issue(), ""  # a fresh challenge for every form shown
    return _private((render_template("tips/index.html", form=form, pow_bits=pow.bits(),
                                     max_files=current_app.config["UPLOAD_MAX_FILES"],
                                     max_mb=current_app.config["UPLOAD_MAX_BYTES"] // (1024 * 1024),
                                     allowed=uploads.ALLOWED_TEXT), status))


@bp.route("/done")
def done():
    return _private(render_template("tips/done.html"))


@bp.route("/track", methods=["GET", "POST"])
@limiter.limit(_cfg("TIPS_TRACK_LIMIT", "5 per 10 minutes"), methods=["POST"], deduct_when=_failed,
               error_message=TRACK_FAIL_MSG, scope="tips-track")
@limiter.limit(_cfg("TIPS_TRACK_GLOBAL_LIMIT", "200 per 10 minutes"), key_func=_everyone, methods=["POST"],
               deduct_when=_failed, error_message=BUSY_MSG, scope="tips-track-all")
def track():
    form = TrackForm()
    status = 200
    if form.validate_on_submit():
        tip = service.verify(form.code.data, form.password.data)
        if tip is not None:
            tracking.start(tip)
            return redirect(url_for("tips.status"))
        form.password.errors.append("查询码或查询密码不正确。连续错误 5 次将暂停查询 10 分钟。")
        status = 401
    elif request.method == "POST":
        status = 422
    return _private((render_template("tips/track.html", form=form), status))


@bp.route("/track/status", methods=["GET", "POST"])
@limiter.limit(_cfg("TIPS_SUBMIT_LIMIT", "20 per hour"), methods=["POST"], error_message=SUBMIT_MSG,
               scope="tips-followup")
def status():
    tip = tracking.current()
    if tip is None:
        return redirect(url_for("tips.track"))
    form = FollowUpForm()
    code = 200
    sent = False
    if form.validate_on_submit():
        try:
            from ..models.tip import TipFile  # the limits count the whole tip, not one message
            held = [size for (size,) in TipFile.select(TipFile.size).where(TipFile.tip == tip).tuples()]
            files = uploads.check_files(request.files.getlist(form.files.name), used_files=len(held),
                                        used_bytes=sum(held))
        except uploads.UploadError as e:
            form.files.errors = [str(e) + "。请重新选择文件，文字内容已保留。"]
            files = None
        if files is not None:
            service.add_reporter_message(tip, form.text.data, files)
            form = FollowUpForm(formdata=None)
            sent = True
        else:
            code = 422
    elif request.method == "POST":
        code = 422
    clue = tip.clue.get()
    ctx = {
        "tip": tip, "clue": clue, "form": form, "sent": sent,
        "status_label": REPORTER_STATUS.get(clue.status, ""),
        "reply": service.reply_text(clue) if clue.status == "concluded" else "",
        "messages": service.messages(tip),
        "content": service.read(tip),
        "files": service.files_of(tip, initial_only=True),
        "escalated": clue.escalated,
    }
    return _private((render_template("tips/status.html", **ctx), code))


@bp.route("/track/files/<ref>")
def track_file(ref):
    """A file of the tracked tip — the reporter's own or one the office attached to a reply."""
    from ..models.tip import TipFile
    tip = tracking.current()
    if tip is None:
        return redirect(url_for("tips.track"))
    tf = TipFile.get_or_none((TipFile.ref == ref) & (TipFile.tip == tip))
    if tf is None:
        return _private((render_template("errors/error.html", code=404, title="文件不存在",
                                         message="该文件不存在，或不属于您查询的举报。"), 404))
    return _private(uploads.download(service.file_bytes(tf), service.file_name(tf), tf.kind))


@bp.route("/track/end", methods=["POST"])
def end():
    tracking.end()
    return redirect(url_for("tips.track"))


@bp.app_errorhandler(crypto.TamperError)
def tampered(e):
    current_app.logger.critical("sealed tip data failed authentication: %s", e)
    try:
        audit.record("tip_tamper", "tip", "", outcome="failed", detail=str(e)[:200], anonymous=True)
    except Exception:  # noqa: BLE001 - the error page must still be shown
        pass
    return web.error_response(500, "加密保存的举报数据未通过完整性校验（可能已被篡改或密钥不符），"
                                   "已记录并告警。请立即联系安全管理员。")


# ------------------------------------------------------------------ CLI

@bp.cli.command("rotate-key")
def rotate_key_command():
    """Re-encrypt every tip, message, file and finding under a new key, then drop the old keys."""
    with db.connection_context():
        new = crypto.begin_rotation()
        counts = service.rotate_all()
        # a second pass catches rows another server sealed with its cached old key during the first
        for k, v in service.rotate_all().items():
            counts[k] += v
        removed = crypto.finish_rotation()
        audit.record("tip_key_rotate", "tip_key", new,
                     detail={"counts": counts, "removed": len(removed)})
    click.echo(f"已启用新密钥 {new}，重新加密：举报 {counts['tips']} 件、留言 {counts['messages']} 条、"
               f"文件 {counts['files']} 个、线索结论 {counts['clues']} 条；已删除旧密钥 {len(removed)} 个。")


@bp.cli.command("purge")
def purge_command():
    """Purge closed tips past their retention period (idempotent; run daily)."""
    with db.connection_context():
        out = retention.run()
    click.echo(f"保存期限：新设定 {out['scheduled']} 件，提前通知 {out['noticed']} 件；已删除 {out['purged']} 件举报的内容"
               f"（往来信息 {out['messages']} 条、证据材料 {out['files']} 个）。")
