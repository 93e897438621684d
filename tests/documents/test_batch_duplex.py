"""A batch print ready for a duplex printer: a cover list first, every report from a recto (odd) page with a
blank unnumbered page where one ends on a recto, bookmarks per department and per person, each report
numbered from 1, and the job's progress in reports and pages."""
import os

from pypdf import PdfReader

from portal.documents import batch
from portal.models import PrintJob
from tests.factories import make_department, make_user
from tests.gongwen.layout import PAGE_NO, Doc

from .register_helpers import submitted_selfcheck


def test_duplex_ready_batch(ctx, client, auth, app):
    a, b = make_department("财务科"), make_department("资产管理科")
    people = [make_user(f"a{i}", a, real_name=f"财务{i}号") for i in range(2)]
    people += [make_user(f"b{i}", b, real_name=f"资产{i}号") for i in range(2)]
    for k, p in enumerate(people):
        submitted_selfcheck(p, problems=1 + 2 * k)        # reports of different lengths: odd and even
    make_user("lazy", b, real_name="未交者")                # in scope, nothing submitted
    disc = make_user("disc", make_department("机关党委"), roles=("discipline", "staff"))
    seen = []
    job = batch.start(disc, None, run=False)
    job = batch.run(job.id, on_person=lambda jid, i: seen.append(PrintJob.get_by_id(jid).pages))
    assert job.status == "done" and job.done == 4
    assert seen == sorted(seen) and seen[0] > 0, "pages done grow with each report"
    data = open(os.path.join(app.instance_path, "jobs", job.result_path), "rb").read()
    reader = PdfReader(__import__("io").BytesIO(data))
    doc = Doc(data)
    texts = ["".join(ln.text for ln in lines) for _, _, lines, _ in doc.pages]
    assert len(texts) % 2 == 0 and job.pages == len(texts)
    assert "个人对照检查材料打印清单" in texts[0] and "未交者" in "".join(texts[:2])
    assert all(n in "".join(texts[:2]) for n in ("财务0号", "财务1号", "资产0号", "资产1号"))
    starts = [i for i, t in enumerate(texts) if "个人对照检查材料" in t and "打印清单" not in t
              and any(PAGE_NO.fullmatch(ln.text) and ln.text == "—1—" for ln in doc.pages[i][2])]
    assert len(starts) == 4 and all(i % 2 == 0 for i in starts), starts    # index 0, 2, 4… = pages 1, 3, 5…
    ends = starts[1:] + [len(texts)]
    blanks = 0
    for s, e in zip(starts, ends):
        body = [t for t in texts[s:e] if t]
        numbers = [int(PAGE_NO.fullmatch(ln.text)[1]) for _, _, lines, _ in doc.pages[s:e] for ln in lines
                   if PAGE_NO.fullmatch(ln.text)]
        assert numbers == list(range(1, len(body) + 1))                    # each report numbered from 1
        blanks += (e - s) - len(body)
    assert blanks >= 1, "some report ended on a recto and got a blank back"
    outline = reader.outline
    titles = [o.title if not isinstance(o, list) else [x.title for x in o] for o in outline]
    assert titles == ["打印清单", "财务科", ["财务0号", "财务1号"], "资产管理科", ["资产0号", "资产1号"]]
    person_pages = [reader.get_destination_page_number(x) for o in outline if isinstance(o, list) for x in o]
    assert person_pages == starts
    auth.login(disc)
    frag = client.hx_get(f"/documents/batch/{job.id}/progress").get_data(as_text=True)
    assert "4</span> / 4 份" in frag and f"{job.pages}</span> 页" in frag
