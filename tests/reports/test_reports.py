"""/reports/: the periodic report upward — contents vs the ledger of the period, the three recipients,
immutability and hashes, audited downloads, permissions, validation."""
import datetime as dt
import hashlib
import io
import os
import zipfile

import pdfplumber
import pytest
from openpyxl import load_workbook

from portal import clock
from portal.models import AuditRecord, Problem, User
from portal.models.report import RECIPIENTS, Report, ReportDraft, ReportFile
from portal.reports import service, signoff
from tests.dashboard.seed import TODAY, seed
from tests.factories import make_problem

NARRATIVE = "局党组召开专题会议，研究部署作风纪律整顿工作。\n机关党委（纪委）组织开展明察暗访两次。"


@pytest.fixture
def world(ctx, travel):
    # problems before, inside and after May 2026
    travel(dt.datetime(2026, 4, 28, 9, 0))
    before = seed(n=10, rng_seed=1)
    travel(dt.datetime(2026, 5, 12, 9, 0))
    depts = before["departments"]
    inside = [make_problem(person=before["staff"][i % 8], department=before["staff"][i % 8].department,
                           source=("selfcheck", "tip", "inspection")[i % 3], self_reported=(i % 3 == 0),
                           deadline=dt.date(2026, 5, 15), description=f"五月问题{i}")
              for i in range(14)]
    travel(dt.datetime(2026, 6, 2, 9, 0))
    make_problem(person=before["staff"][0], department=depts[0], description="六月问题")
    travel(dt.datetime.combine(TODAY + dt.timedelta(days=14), dt.time(10, 0)))  # 2026-06-03
    before["inside"] = inside
    return before


def period_rows(start, end):
    lo = dt.datetime.combine(start, dt.time.min)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)
    return list(Problem.select().where((Problem.created_at >= lo) & (Problem.created_at < hi)
                                       & (Problem.withdrawn == False)).order_by(Problem.id))  # noqa: E712


def pdf_text(data):
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\n".join(p.extract_text() or "" for p in pdf.pages), pdf


MM = 72 / 25.4


def _line(chars, text):
    """The chars of the first text line containing `text` (grouped by their top)."""
    lines = {}
    for c in chars:
        lines.setdefault(round(c["top"]), []).append(c)
    for top in sorted(lines):
        row = sorted(lines[top], key=lambda c: c["x0"])
        if text in "".join(c["text"] for c in row):
            return row
    raise AssertionError(f"{text!r} not found")


def layout_checks(data, recipient):
    """In-repo checks of the 报告 format (GB/T 9704): A4, red 发文机关标志, 发文字号 and 签发人 on one line
    (上行文), 2号 title, 3号 body, 主送机关 flush left at the 28 mm margin."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        p1 = pdf.pages[0]
        assert abs(p1.width - 210 * MM) < 1 and abs(p1.height - 297 * MM) < 1
        chars = p1.chars
        organ = _line(chars, "市机关事务管理局文件")
        colour = organ[0]["non_stroking_color"]
        assert colour and colour[0] > 0.7 and all(v < 0.35 for v in colour[1:3])
        docno = _line(chars, "签发人")
        text = "".join(c["text"] for c in docno)
        assert text.startswith("机管报〔2026〕3号") and text.endswith("周正华")
        assert docno[0]["x0"] > 28 * MM + 10  # 1 character in from the left (上行文)
        title = _line(chars, "作风纪律整顿")
        assert all(abs(c["size"] - 22) < 0.2 for c in title if c["text"].strip())
        addressee = _line(chars, recipient)
        assert abs(addressee[0]["x0"] - 28 * MM) < 1 * MM
        assert abs(addressee[0]["size"] - 16) < 0.2
        for page in pdf.pages:
            for c in page.chars:
                if c["text"].strip() and c["size"] < 15:  # page numbers and colophon only
                    assert c["top"] > 240 * MM or c["size"] >= 14 - 0.2


def draft_report(client, **over):
    """拟稿 through the form (the office is logged in); returns the response."""
    chief, leader = User.get(User.username == "chief"), User.get(User.username == "leader")
    data = {"kind": "monthly", "ref_date": "2026-05-20", "reviewer": str(leader.id), "signer": str(chief.id),
            "title": "", "narrative": NARRATIVE}
    data.update(over)
    return client.post("/reports/new", data=data)


def sign_latest():
    """审核 by the 分管领导, 签发 by the 局长 (the service, as they would on their home pages)."""
    d = ReportDraft.select().order_by(ReportDraft.id.desc()).get()
    signoff.submit(User.get_by_id(d.created_by_id), d)
    signoff.decide(User.get(User.username == "leader"), d, True, "同意")
    signoff.decide(User.get(User.username == "chief"), d, True, "同意上报")
    return d


def number_latest(client, number="机管报〔2026〕3号", signature=""):
    d = ReportDraft.select().order_by(ReportDraft.id.desc()).get()
    return client.post(f"/reports/drafts/{d.id}/number", data={"number": number, "signature": signature})


def post_report(client, **over):
    """The whole way of a report: drafted, reviewed, signed, numbered (archived). Returns the last response."""
    number = over.pop("number", "机管报〔2026〕3号")
    signature = over.pop("signature", "")
    over.pop("signer", None)
    r = draft_report(client, **over)
    if r.status_code != 303:
        return r
    sign_latest()
    return number_latest(client, number, signature)


def test_generate_monthly_report_contents_match_the_ledger(world, client, auth):
    auth.login(world["discipline"])
    r = post_report(client)
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    report = Report.get()
    assert (report.period_start, report.period_end) == (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    expected = period_rows(report.period_start, report.period_end)
    assert len(expected) == 14 == report.problem_count
    files = list(ReportFile.select().where(ReportFile.report == report))
    assert sorted((f.recipient, f.kind) for f in files) == sorted(
        [("", "xlsx")] + [(c, k) for c, _n in RECIPIENTS for k in ("pdf", "zip")])

    # the spreadsheet is the ledger of the period: exactly its problems
    xlsx = next(f for f in files if f.kind == "xlsx")
    data = client.get(f"/reports/{report.id}/files/{xlsx.id}").data
    assert hashlib.sha256(data).hexdigest() == xlsx.sha256
    ws = load_workbook(io.BytesIO(data)).active
    rows = [r for r in ws.iter_rows(min_row=3, values_only=True) if any(v not in (None, "") for v in r)]
    assert len(rows) == len(expected)
    texts = {str(c) for row in rows for c in row if c}
    assert {p.description for p in expected} <= texts
    assert "六月问题" not in texts

    # each recipient's PDF: the same report, addressed to it, with 签发人 and the period's numbers
    stats = service.period_stats(report.period_start, report.period_end)
    for code, name in RECIPIENTS:
        pdf = next(f for f in files if f.kind == "pdf" and f.recipient == code)
        body = client.get(f"/reports/{report.id}/files/{pdf.id}").data
        assert body.startswith(b"%PDF") and hashlib.sha256(body).hexdigest() == pdf.sha256
        text, _ = pdf_text(body)
        flat = text.replace(" ", "").replace("\n", "")
        assert f"{name}：" in flat
        others = [n for c, n in RECIPIENTS if c != code]
        assert not any(f"{o}：" in flat for o in others)
        assert "签发人：周正华" in flat and "机管报〔2026〕3号" in flat
        assert "局党组召开专题会议" in flat
        assert f"全局新登记问题{len(expected)}个" in flat
        n_self = sum(1 for p in expected if p.self_reported)
        assert f"其中个人自查发现{n_self}个" in flat
        assert "表1" in flat and "表2" in flat
        layout_checks(body, name)
    # the zip holds that recipient's PDF and the same spreadsheet
    z = next(f for f in files if f.kind == "zip" and f.recipient == "jigongwei")
    with zipfile.ZipFile(io.BytesIO(client.get(f"/reports/{report.id}/files/{z.id}").data)) as zf:
        names = zf.namelist()
        assert any(n.endswith("（报市纪工委）.pdf") for n in names)
        assert zf.read(next(n for n in names if n.endswith(".xlsx"))) == data
    assert stats["totals"]["new"] == len(expected)
    # listed, and downloads are audited
    listing = client.get("/reports/").get_data(as_text=True)
    assert report.title in listing and "报市纠风办" in listing
    assert AuditRecord.select().where(AuditRecord.action == "report_download").count() == 5
    assert AuditRecord.select().where(AuditRecord.action == "report_generate").count() == 1


def test_period_stats_equal_sql(world):
    start, end = dt.date(2026, 5, 1), dt.date(2026, 5, 31)
    stats = service.period_stats(start, end, clock.today())
    rows = period_rows(start, end)
    by_dept = {}
    for p in rows:
        by_dept[p.department.name] = by_dept.get(p.department.name, 0) + 1
    assert {d["name"]: d["new"] for d in stats["departments"] if d["new"]} == by_dept
    upto = list(Problem.select().where((Problem.created_at < dt.datetime(2026, 6, 1))
                                       & (Problem.withdrawn == False)))  # noqa: E712
    assert stats["totals"]["total"] == len(upto)
    assert stats["totals"]["done"] == sum(1 for p in upto if p.status in ("rectified", "closed"))
    assert stats["totals"]["overdue"] == sum(1 for p in upto if p.is_overdue)
    assert sum(stats["sources"].values()) == len(rows)
    assert stats["sources"]["tip"] == sum(1 for p in rows if p.source == "tip")
    assert sum(c["total"] for c in stats["categories"]) == len(rows)


def test_reports_are_immutable_and_files_verified(world, client, auth, app):
    auth.login(world["discipline"])
    assert post_report(client, kind="weekly", ref_date="2026-05-13").status_code == 303
    report = Report.get()
    assert (report.period_start, report.period_end) == (dt.date(2026, 5, 11), dt.date(2026, 5, 17))
    original = report.title
    report.title = "改过的标题"
    with pytest.raises(PermissionError):
        report.save()
    with pytest.raises(PermissionError):
        Report.update(title="x").execute()
    with pytest.raises(PermissionError):
        report.delete_instance()
    f = ReportFile.get((ReportFile.report == report) & (ReportFile.kind == "pdf") & (ReportFile.recipient == "jiufengban"))
    with pytest.raises(PermissionError):
        ReportFile.delete().execute()
    path = os.path.join(app.instance_path, "reports", f.path)
    with open(path, "rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == f.sha256
    assert not os.stat(path).st_mode & 0o222  # written read-only
    # someone alters the file on disk: the download is refused and audited
    os.chmod(path, 0o600)
    with open(path, "ab") as fh:
        fh.write(b"tampered")
    r = client.get(f"/reports/{report.id}/files/{f.id}")
    assert r.status_code == 409 and "校验值不符" in r.get_data(as_text=True)
    assert AuditRecord.select().where(AuditRecord.action == "report_tampered").count() == 1
    # a second report of the same period is a new record; the first is untouched
    assert post_report(client, kind="weekly", ref_date="2026-05-13", number="机管报〔2026〕4号").status_code == 303
    assert Report.select().count() == 2
    assert Report.get_by_id(report.id).title == original
    assert Report.get_by_id(report.id).number == "机管报〔2026〕3号"


def test_validation_keeps_input_and_explains(world, client, auth):
    auth.login(world["discipline"])
    r = post_report(client, number="机管报[2026]03号", narrative="我写的一段话")
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "六角括号" in html and "我写的一段话" in html
    r = post_report(client, kind="range", ref_date="", start="2026-05-31", end="2026-05-01")
    assert r.status_code == 422 and "截止日期不能早于起始日期" in r.get_data(as_text=True)
    r = post_report(client, kind="yearly", ref_date="2026-13-45")
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "有效的选择" in html and "Not a valid" not in html
    r = post_report(client, ref_date="2027-01-05")
    assert r.status_code == 422 and "尚未开始" in r.get_data(as_text=True)
    assert Report.select().count() == 0


def test_preview_fragment(world, client, auth):
    auth.login(world["discipline"])
    r = client.hx_get("/reports/preview?kind=monthly&ref_date=2026-05-09")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "2026年5月数据预览" in html
    assert "全局新登记问题14个" in html
    r = client.hx_get("/reports/preview?kind=range&start=2026-05-09")
    assert r.status_code == 422 and "data-error-message" in r.get_data(as_text=True)


def test_permissions(world, client, auth):
    for user in (world["staff"][0], world["head"], world["leader"]):
        auth.login(user)
        assert client.get("/reports/").status_code == 403
        assert client.get("/reports/new").status_code == 403
        assert post_report(client).status_code == 403
        auth.logout()
    auth.login(world["chief"])
    assert client.get("/reports/").status_code == 200
    assert client.get("/reports/new").status_code == 403
    assert Report.select().count() == 0


def test_reporting_periods_are_set_by_the_office(world, client, auth):
    auth.login(world["discipline"])
    r = client.post("/reports/departments", data={"code": "2026-05", "name": "2026年5月", "start": "2026-05-01",
                                                  "end": "2026-05-31", "due": "2026-06-05"})
    assert r.status_code == 303
    r = client.post("/reports/departments", data={"code": "2026-05", "name": "重复", "start": "2026-05-01",
                                                  "end": "2026-05-31", "due": "2026-06-05"})
    assert r.status_code == 422 and "已存在" in r.get_data(as_text=True)
    r = client.post("/reports/departments", data={"code": "五月", "name": "x", "start": "2026-05-01",
                                                  "end": "2026-05-31", "due": "2026-06-05"})
    assert r.status_code == 422 and "周期代码应为" in r.get_data(as_text=True)
