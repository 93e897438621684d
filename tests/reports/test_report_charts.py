"""The 报告 PDF carries the period's charts (issue 7: "generated tables and the charts"): vector bar charts
whose labels and numbers are text in the document's embedded fonts and equal the ledger's numbers."""
import datetime as dt
import io
import json
import re

import pdfplumber
import pypdf

from portal.models import Department, Problem
from portal.models.report import RECIPIENTS, Report, ReportFile
from portal.reports import charts
from tests.gongwen.layout import BOTTOM, DATE, Doc

from .test_reports import post_report, world  # noqa: F401  (the fixture)

SOURCE_LABELS = {"selfcheck": "自查", "tip": "举报", "inspection": "明察暗访", "review": "审核", "other": "其他"}


def expected_lines(report):
    """The chart lines the period's data must produce, computed by SQL over the raw Problem rows."""
    end = dt.datetime.combine(report.period_end + dt.timedelta(days=1), dt.time.min)
    start = dt.datetime.combine(report.period_start, dt.time.min)
    lines = []
    for d in Department.select().order_by(Department.sort_order, Department.id):
        rows = list(Problem.select().where((Problem.department == d) & (Problem.created_at < end)
                                           & (Problem.withdrawn == False)))  # noqa: E712
        if rows:
            done = sum(p.status in ("rectified", "closed") for p in rows)
            lines.append(f"{d.name}{len(rows)}个，整改率{100.0 * done / len(rows):.1f}%")
    new = list(Problem.select().where((Problem.created_at >= start) & (Problem.created_at < end)
                                      & (Problem.withdrawn == False)))  # noqa: E712
    for code, label in SOURCE_LABELS.items():
        n = sum(p.source == code for p in new)
        lines.append(f"{label}{n}个（{100.0 * n / len(new):.1f}%）")
    return lines


def test_report_pdf_contains_the_charts(world, client, auth):  # noqa: F811
    auth.login(world["discipline"])
    assert post_report(client).status_code == 303
    report = Report.get()
    want = expected_lines(report)
    assert any("整改率" in w for w in want) and len(want) >= 6
    stats = json.loads(report.stats)
    for code, _name in RECIPIENTS:
        f = ReportFile.get((ReportFile.report == report) & (ReportFile.kind == "pdf") & (ReportFile.recipient == code))
        data = client.get(f"/reports/{report.id}/files/{f.id}").data
        doc = Doc(data)
        lines = list(doc.lines())
        texts = [ln.text for ln in lines]
        for w in want:
            ln = lines[texts.index(w)]                   # label and number on one line of the chart
            assert abs(ln.size - 16) < 0.1 and all("GWFang" in c["fontname"] for c in ln.chars), w
        for caption in ("图1各部门问题整改情况（截至期末）", "图2本期新增问题来源"):
            assert caption in texts
        if stats.get("actions") is not None:
            assert "图3本期通报、提醒、约谈情况" in texts
            for k, label in (("circular", "通报"), ("reminder", "提醒"), ("talk", "约谈")):
                assert f"{label}{stats['actions'].get(k, 0)}次" in texts
        # the charts are 附件 pages after the signature, listed in the 附件说明
        date = max(i for i, t in enumerate(texts) if DATE.fullmatch(t))
        assert texts.index("特此报告。") < date < texts.index("附件2") < texts.index("图1各部门问题整改情况（截至期末）")
        assert re.search(r"附件：1\.2026年5月.*2\.2026年5月各部门问题整改情况\S*统计图", "".join(texts))
        # every full page keeps 22 lines; charts are vectors, fonts embedded
        for no, (_, _, page_lines, _) in enumerate(doc.pages[:-1], 1):
            inside = [ln for ln in page_lines if ln.top <= BOTTOM + 1]
            if inside and all(abs(ln.size - 16) < 0.1 for ln in inside) and not any(
                    DATE.fullmatch(ln.text) for ln in inside):
                assert len(inside) == 22, (code, no)
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            bars = [r for p in pdf.pages for r in p.rects if abs(r["height"] - charts.BAR_H) < 0.2]
        assert bars
        reader = pypdf.PdfReader(io.BytesIO(data))
        for page in reader.pages:
            for x in (page["/Resources"].get_object().get("/XObject") or {}).values():
                assert x.get_object().get("/Subtype") != "/Image"


def test_chart_svg_numbers_follow_the_stats():
    stats = {"departments": [{"name": "机关事务服务中心站", "total": 8, "done": 6},
                             {"name": "办公室", "total": 0, "done": 0}],
             "sources": {"tip": 3, "selfcheck": 1}, "actions": {"talk": 2}}
    svg = charts.departments_chart(stats)
    assert "机关事务服务中…" in svg and "8个，整改率75.0%" in svg and "办公室" not in svg
    src = charts.sources_chart(stats)
    assert src.index("自查") < src.index("举报") and "3个（75.0%）" in src and "1个（25.0%）" in src
    assert [f["caption"][:2] for f in charts.figures(stats)] == ["图1", "图2", "图3"]
    assert len(charts.figures(dict(stats, actions=None))) == 2
    # a chart fits one 附件 page: the largest departments, then the rest together
    many = {"departments": [{"name": f"部门{i}", "total": 100 - i, "done": i} for i in range(30)]}
    texts = re.findall(r">([^<]+)</text>", charts.departments_chart(many))
    assert "部门12" in texts and "部门13" not in texts and texts[-2:] == [
        "其余17个部门", f"{sum(100 - i for i in range(13, 30))}个，整改率{100 * sum(range(13, 30)) / 1343:.1f}%"]
    packs = charts.attachment_pages(charts.figures(dict(stats, departments=many["departments"])), "2026年5月")
    assert [len(p["figures"]) for p in packs] == [1, 2]
    assert all(sum(charts.figure_lines(f) for f in p["figures"]) <= 16 for p in packs)
    # the last 附件 page keeps room for the 版记 (else a blank page and an unnumbered colophon page follow)
    eight = [{"name": f"部门{i}", "total": 9, "done": 3} for i in range(8)]
    packs = charts.attachment_pages(charts.figures(dict(stats, departments=eight, actions=None)), "2026年5月")
    assert [len(p["figures"]) for p in packs] == [1, 1]
    assert sum(charts.figure_lines(f) for f in packs[-1]["figures"]) + 5 <= 22 - charts.COLOPHON_LINES
    # every chart line is one grid line with its text on the figure baseline
    heights = re.search(r'height="([0-9.]+)pt"', svg)[1]
    assert abs(float(heights) - 2 * 28.95) < 0.01
