"""Staff get their own 个人对照检查材料 as the GB/T 9704 PDF the batch prints, for each submitted version."""
from portal.documents import batch
from portal.models import AuditRecord
from portal.models.selfcheck import SelfCheckVersion
from tests.factories import make_department, make_user
from tests.gongwen.layout import BOTTOM, DATE, GRID, LEFT, RIGHT, TOP, Doc

from .register_helpers import submitted_selfcheck


def test_own_pdf_for_each_version_as_the_batch_prints_it(ctx, client, auth):
    dept = make_department("财务科")
    me = make_user("li", dept, real_name="李明")
    sc = submitted_selfcheck(me)
    auth.login(me)
    vid = SelfCheckVersion.get(SelfCheckVersion.selfcheck == sc.id, SelfCheckVersion.number == 1).id
    page = client.get("/selfcheck/").get_data(as_text=True)
    assert f"/documents/selfcheck/{vid}.pdf" in page                                 # from their own page
    assert f"/documents/selfcheck/{vid}.pdf" in client.get(f"/selfcheck/{sc.id}/v/1").get_data(as_text=True)
    r = client.get(f"/documents/selfcheck/{vid}.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    doc = Doc(r.data)
    lines = [ln for _, _, ls, _ in doc.pages for ln in ls if ln.top <= BOTTOM + 1]
    assert any("个人对照检查材料" in ln.text and ln.size >= 21.9 for ln in lines)        # 2号 title
    assert any(ln.text == "财务科　李明" or ln.text == "财务科李明" for ln in lines)
    date = next(ln for ln in lines if DATE.fullmatch(ln.text))
    sig = lines[lines.index(date) - 1]
    assert sig.text == "李明" and abs(date.x1 - (RIGHT - 2 * GRID)) < 0.3               # 7.3.5.2
    for ln in lines:
        assert LEFT - 1 <= ln.x0 and ln.x1 <= RIGHT + 1 and ln.top >= TOP - 1
    same = Doc(batch.render_version(vid)[1])
    assert [[ln.text for ln in p[2]] for p in same.pages] == [[ln.text for ln in p[2]] for p in doc.pages]
    assert AuditRecord.select().where(AuditRecord.action == "selfcheck_print").exists()
    assert client.get(f"/documents/selfcheck/{vid + 1000}.pdf").status_code == 404


def test_someone_elses_pdf_is_refused_and_audited(ctx, client, auth):
    dept = make_department("财务科")
    owner = make_user("li", dept, real_name="李明")
    sc = submitted_selfcheck(owner)
    other = make_user("wang", make_department("办公室"), real_name="王强")
    auth.login(other)
    vid = SelfCheckVersion.get(SelfCheckVersion.selfcheck == sc.id).id
    assert client.get(f"/documents/selfcheck/{vid}.pdf").status_code == 404
    assert AuditRecord.select().where((AuditRecord.action == "access_denied")
                                      & (AuditRecord.outcome == "denied")).exists()
