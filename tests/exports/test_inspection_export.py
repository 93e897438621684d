"""Spot-check draws and findings as .xlsx: scoped to the plans the user may see, one plan from its page,
paper layout, formula-like text kept as text."""
import datetime as dt
import io

from openpyxl import load_workbook

from portal.inspections import service
from portal.models import AuditRecord
from portal.models.inspection import InspectionTarget
from tests.exports.util import assert_paper_layout
from tests.inspections.helpers import bureau, draw, plan


def test_inspection_export_draws_findings_and_scope(client, auth, ctx, travel):
    travel(dt.datetime(2026, 11, 20, 9, 0))
    b = bureau()
    p1 = plan(b["discipline"], title="=cmd|' /C calc'!A0")
    p2 = plan(b["discipline"], title="会风会纪抽查")
    service.assign_inspector(p1, b["insp_b"], b["discipline"])
    d = draw(p1, b["discipline"])
    t = InspectionTarget.select().where(InspectionTarget.draw == d.id).first()
    service.record_finding(t, b["insp_b"], "problem", None, "@上班时间离岗", dt.datetime(2026, 11, 20, 9, 10),
                           "三楼", "general", dt.date(2026, 12, 20), [])
    draw(p2, b["discipline"], witness="654321")

    auth.login(b["discipline"])
    assert "/inspections/export.xlsx" in client.get("/inspections/").get_data(as_text=True)
    assert f"/inspections/export.xlsx?plan={p1.id}" in client.get(f"/inspections/{p1.id}").get_data(as_text=True)
    wb = load_workbook(io.BytesIO(client.get("/inspections/export.xlsx").data))
    draws, findings = wb["抽取记录"], wb["检查结果"]
    assert_paper_layout(draws, 2, "序号")
    assert_paper_layout(findings, 2, "序号")
    drows = list(draws.iter_rows(min_row=3, values_only=True))
    assert len(drows) == 2 and drows[0][4] == d.public_id and drows[0][1] == p1.title
    frows = list(findings.iter_rows(min_row=3, values_only=True))
    assert len(frows) == 1 and frows[0][5] == "发现问题" and frows[0][10] == "检查员乙"
    for ws in (draws, findings):
        for row in ws.iter_rows(min_row=3):
            for c in row:
                if isinstance(c.value, str) and c.value[:1] in "=@":
                    assert c.data_type == "s" and c.quotePrefix
    assert findings["G3"].value == "@上班时间离岗"

    # one plan, from its page
    wb = load_workbook(io.BytesIO(client.get(f"/inspections/export.xlsx?plan={p2.id}").data))
    assert "检查计划 会风会纪抽查" in wb["抽取记录"]["A2"].value
    assert [r[1] for r in wb["抽取记录"].iter_rows(min_row=4, values_only=True)] == ["会风会纪抽查"]
    assert list(wb["检查结果"].iter_rows(min_row=4, values_only=True)) == []
    assert AuditRecord.select().where(AuditRecord.action == "inspection_export").count() == 2
    auth.logout()

    # an inspector sees only the plan they are on, even when asking for another
    auth.login(b["insp_b"])
    wb = load_workbook(io.BytesIO(client.get("/inspections/export.xlsx").data))
    assert [r[4] for r in wb["抽取记录"].iter_rows(min_row=3, values_only=True)] == [d.public_id]
    wb = load_workbook(io.BytesIO(client.get(f"/inspections/export.xlsx?plan={p2.id}").data))
    assert list(wb["抽取记录"].iter_rows(min_row=4, values_only=True)) == []
    auth.logout()

    # staff are refused
    auth.login(b["bureau"].staff_a)
    assert client.get("/inspections/export.xlsx").status_code == 403
