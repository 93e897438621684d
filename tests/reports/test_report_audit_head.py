"""The periodic report prints the audit chain's head in its 附注 and anchors it outside the database."""
import os

from portal import audit
from portal.models import AuditRecord
from portal.models.report import Report, ReportFile
from tests.reports.test_reports import draft_report, number_latest, pdf_text, sign_latest, world  # noqa: F401


def test_report_prints_and_anchors_the_audit_head(world, client, auth, app):  # noqa: F811
    auth.login(world["discipline"])
    assert draft_report(client).status_code == 303
    sign_latest()
    seq, mac = audit.head()
    assert seq > 0
    r = number_latest(client)
    assert r.status_code == 303, r.get_data(as_text=True)[:1000]
    report = Report.get()
    pdf = ReportFile.get((ReportFile.report == report) & (ReportFile.kind == "pdf"))
    text, _ = pdf_text(client.get(f"/reports/{report.id}/files/{pdf.id}").data)
    flat = text.replace(" ", "").replace("\n", "")
    assert f"审计日志：共{seq}条记录，链头校验值{mac[:16]}" in flat
    lines = open(os.path.join(app.instance_path, "audit_anchor.log")).read().splitlines()
    assert lines[-1].split("\t")[1:] == [str(seq), mac]
    # the chain goes on from there and still verifies against the anchor
    assert AuditRecord.select().where(AuditRecord.seq > seq).exists()
    assert audit.verify() == (True, "ok")
