"""The import page of an existing Excel 整改台账 and its template (importer.py does the work)."""
import io

from flask import request
from flask_login import current_user

from .. import audit, clock, uploads, xlsx
from ..htmx import render
from ..models import SEVERITIES, SOURCES, STATUSES
from ..permissions import require
from . import bp, choices, entry, importer
from .export import build_xlsx


def template_bytes(user) -> bytes:
    """The export's layout with no rows, and a second sheet listing the values each column accepts."""
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(build_xlsx([], "整改台账（导入模板）")))
    ws = wb.create_sheet("填写说明")
    lines = [
        ("列", "填写要求"),
        ("问题来源", "、".join(SOURCES.values()) + "；空白按“其他”"),
        ("责任单位", "必填，须与系统中的单位名称一致：" + "、".join(n for _, n in entry.entry_departments(user))),
        ("责任人", "可选，该单位在职人员的姓名；空白表示单位问题"),
        ("问题类别", "可选，活动清单问题项，如“" + _first_item() + "”，或只写序号"),
        ("问题描述", "必填，4–4000 字"),
        ("严重程度", "、".join(SEVERITIES.values()) + "；空白按“一般”"),
        ("整改时限", "日期，如 2026-12-31"),
        ("整改状态", "、".join(STATUSES.values()) + "；空白按“待整改”"),
        ("处理方式", "如“通报 2026-11-01；约谈 2026-11-20”"),
        ("销号情况", "已销号的写“已销号 2026-11-30”"),
        ("备注", "“立行立改”表示立行立改的问题"),
        ("编号（可选列）", "原台账的编号；有编号时按编号判断重复"),
        ("说明", "同一文件重复导入不会产生重复条目；任何一行有误时整个文件都不导入。"),
    ]
    for line in lines:
        ws.append(line)
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 100
    return xlsx.to_bytes(wb)


def _first_item() -> str:
    for cat, items in choices.category_choices():
        if items:
            return f"{cat.name} {items[0].seq}. {items[0].text[:12]}…"
    return "1"


@bp.route("/import", methods=["GET", "POST"])
@require("problem.create")
def import_ledger():
    ctx = dict(errors=[], file_error=None, result=None, filename="")
    if request.method == "GET":
        return render("ledger/import.html", None, **ctx)
    f = request.files.get("file")
    try:
        if f is None or not f.filename:
            raise uploads.UploadError("请选择要导入的 Excel 台账文件（.xlsx）。")
        name, _kind, data = uploads.check_file(f, kinds=("xlsx",))
        ctx["filename"] = name
        rows = importer.read(data)
    except (uploads.UploadError, importer.ImportFileError) as e:
        ctx["file_error"] = getattr(e, "message", None) or str(e)
        return render("ledger/import.html", None, 422, **ctx)
    errors = importer.check(current_user, rows)
    if errors:
        audit.record("ledger_import", "problem", "", outcome="refused",
                     detail={"file": name[:80], "rows": len(rows), "errors": len(errors)})
        ctx.update(errors=errors, rows=len(rows))
        return render("ledger/import.html", None, 422, **ctx)
    created, skipped = importer.write(current_user, rows, name)
    ctx["result"] = dict(rows=len(rows), created=created, skipped=skipped)
    return render("ledger/import.html", None, **ctx)


@bp.route("/import/template.xlsx")
@require("problem.create")
def import_template():
    return uploads.download(template_bytes(current_user), f"整改台账导入模板-{clock.today().isoformat()}.xlsx",
                            "xlsx")
