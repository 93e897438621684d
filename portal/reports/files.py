"""Generating a report's files (PDF per recipient, the period's ledger .xlsx, a zip per recipient), each
written once under instance/reports/<id>/ with its SHA-256, and reading them back with a tamper check.
"""

import hashlib
import io
import json
import os
import shutil
import zipfile

from flask import current_app

from .. import audit, clock
from ..errors import Conflict, Invalid
from ..extensions import db
from ..models.report import RECIPIENTS, REPORT_KINDS, Report, ReportFile
from .common import organ_name, period_label
from ..ledger.export import build_xlsx
from .numbers import doc_for, period_problems, period_stats


# ---------------------------------------------------------------- files
def reports_dir():
    return os.path.join(current_app.instance_path, "reports")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _zip(members):
    """A reproducible zip: fixed timestamps, sorted names."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in sorted(members):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def _ledger_xlsx(problems_q, title, stats=None):
    """The period's ledger (first sheet) and, after it, every table of the report (sheet 统计表)."""
    data = build_xlsx(problems_q.iterator(), title)
    if not stats:
        return data
    from openpyxl import load_workbook
    from openpyxl.styles import Font
    from .. import xlsx
    from .numbers import all_tables
    wb = load_workbook(io.BytesIO(data))
    ws = wb.create_sheet("统计表")
    row = 1
    for t in all_tables(stats):
        ws.cell(row=row, column=1, value=t["caption"]).font = Font(name="黑体", size=12, bold=True)
        xlsx.header(ws, row + 1, t["header"], [max(12, 3 * float(w)) for w in t["widths"]])
        for i, r in enumerate(t["rows"], row + 2):
            for j, v in enumerate(r, 1):
                ws.cell(row=i, column=j, value=int(v) if str(v).isdigit() else v)
        row += len(t["rows"]) + 3
    wb.active = 0
    return xlsx.to_bytes(wb)


def generate(actor, kind, start, end, narrative, signer, number="", title="", signature="", date=None,
             typical_cases="", next_plan=""):
    """Build and keep a report: three PDFs (one per recipient), the period's ledger, a zip per recipient.
    Returns the Report. Raises Invalid with a Chinese message."""
    from ..gongwen.render import MissingGlyph
    from ..pdfs import render_pdf
    if kind not in REPORT_KINDS:
        raise Invalid("报告类型无效。")
    if start > end:
        raise Invalid("起始日期不能晚于截止日期。")
    if (end - start).days > 366:
        raise Invalid("报告时段不能超过一年。")
    today = clock.today()
    if start > today:
        raise Invalid("报告时段尚未开始。")
    label = period_label(kind, start, end)
    organ = organ_name()
    title = (title or "").strip() or f"关于{label}“六治六提”干部队伍作风纪律整顿工作开展情况的报告"
    fields = {"label": label, "organ": organ, "number": (number or "").strip(), "signer": signer.strip(),
              "title": title, "narrative": narrative, "signature": (signature or "").strip() or organ,
              "date": date or today, "typical_cases": typical_cases or "", "next_plan": next_plan or ""}
    stats = period_stats(start, end, today)
    audit_head = audit.head()  # printed in the report and anchored outside the database
    fields["audit_head"] = audit.head_line(audit_head)
    pdfs = {}
    try:
        for code, name in RECIPIENTS:
            pdfs[code] = render_pdf("report", doc_for(fields, stats, name))
    except MissingGlyph as e:
        raise Invalid(str(e))
    plist = period_problems(start, end)
    count = plist.count()
    xlsx = _ledger_xlsx(plist, f"{label}“六治六提”问题整改台账", stats)
    base = f"{label}作风纪律整顿工作情况报告"
    ledger_name = f"{label}问题整改台账.xlsx"
    files = [("", "xlsx", ledger_name, xlsx)]
    for code, name in RECIPIENTS:
        pdf_name = f"{base}（报{name}）.pdf"
        files.append((code, "pdf", pdf_name, pdfs[code]))
        files.append((code, "zip", f"{base}（报{name}）.zip", _zip([(pdf_name, pdfs[code]), (ledger_name, xlsx)])))
    root = reports_dir()
    os.makedirs(root, exist_ok=True)
    folder = None
    try:
        with db.atomic():
            report = Report.create(kind=kind, period_start=start, period_end=end, title=title,
                                   number=fields["number"], signer=fields["signer"], narrative=narrative or "",
                                   stats=json.dumps(stats, ensure_ascii=False, sort_keys=True),
                                   problem_count=count, created_by=actor, created_at=clock.now())
            folder = os.path.join(root, str(report.id))
            os.makedirs(folder, exist_ok=False)
            for i, (code, fkind, name, data) in enumerate(files, 1):
                rel = f"{report.id}/{i:02d}.{fkind}"
                path = os.path.join(root, rel)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o440)
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                ReportFile.create(report=report, recipient=code, kind=fkind, filename=name, path=rel,
                                  sha256=sha256(data), size=len(data))
            audit.record("report_generate", "report", report.id, actor=actor,
                         detail={"kind": kind, "start": start.isoformat(), "end": end.isoformat(),
                                 "problems": count, "files": len(files)})
    except Exception:
        if folder and os.path.isdir(folder):
            shutil.rmtree(folder, ignore_errors=True)
        raise
    audit.anchor(audit_head)
    return report


class Tampered(Conflict):
    """A stored report file is missing or differs from its recorded SHA-256 (409, audited)."""


def read_file(rf: ReportFile) -> bytes:
    """The stored bytes, checked against the recorded SHA-256."""
    path = os.path.join(reports_dir(), rf.path)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise Tampered("文件缺失")
    if sha256(data) != rf.sha256:
        raise Tampered("文件内容与登记的校验值不符")
    return data
