"""Roster pages (sysadmin): template download, all-or-nothing import, export."""
import base64
import os

from flask import render_template, request
from flask_login import current_user

from .. import clock, htmx, uploads
from ..permissions import require
from . import bp
from . import roster as rosterlib
from .forms import RosterUploadForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 5 * 1024 * 1024


def _xlsx(data: bytes, filename: str):
    return uploads.download(data, filename, "xlsx")


@bp.route("/roster")
@require("admin.manage")
def roster():
    return render_template("admin/roster.html", form=RosterUploadForm(), result=None)


@bp.route("/roster/template.xlsx")
@require("admin.manage")
def roster_template():
    return _xlsx(rosterlib.template_bytes(), "人员花名册导入模板.xlsx")


@bp.route("/roster/export.xlsx")
@require("admin.manage")
def roster_export():
    data, _n = rosterlib.export_bytes(current_user)
    return _xlsx(data, f"人员花名册-{clock.today().isoformat()}.xlsx")


@bp.route("/roster/import", methods=["POST"])
@require("admin.manage")
def roster_import():
    form = RosterUploadForm()
    upload = request.files.get("file")
    result, message, status = None, None, 200
    if upload is None or not upload.filename:
        message, status = "请选择要导入的 .xlsx 文件", 422
    elif os.path.splitext(upload.filename)[1].lower() != ".xlsx":
        message, status = "只支持 .xlsx 格式（Excel 2007 及以上），请使用下载的模板", 422
    else:
        data = upload.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            message, status = "文件超过 5 MB，请分批导入", 422
        else:
            result = rosterlib.import_roster(data, current_user, filename=upload.filename)
            status = 200 if result.ok else 422
    ctx = {"form": form, "result": result, "message": message}
    if result is not None and result.ok:
        ctx["download"] = "data:%s;base64,%s" % (XLSX, base64.b64encode(rosterlib.result_bytes(result.created)).decode())
        ctx["download_name"] = f"初始密码-{clock.now().strftime('%Y%m%d-%H%M')}.xlsx"
    resp = htmx.render("admin/roster.html", "admin/_import_result.html", status=status, **ctx)
    if result is not None and result.ok:
        htmx.toast(resp, f"已导入 {len(result.created)} 人")
    return resp
