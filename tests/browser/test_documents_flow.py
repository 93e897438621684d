"""The clerk writes a 通报 naming two Problems, previews it, issues it and downloads the PDF; the number is
the next one and the ledger shows the link."""
import hashlib
import io

import pytest
from playwright.sync_api import expect

from portal import clock
from portal.documents import service
from portal.models import Document
from tests.browser.conftest import login
from tests.documents.register_helpers import draft, pdf_text
from tests.factories import PASSWORD, make_department, make_problem, make_user

pytestmark = pytest.mark.browser


def test_clerk_issues_a_circular_naming_two_problems(ctx, live_server, page, new_page):
    office = make_department("办公室")
    finance = make_department("财务科")
    clerk = make_user("b-clerk", office, roles=("clerk", "staff"), real_name="赵文静")
    disc = make_user("b-disc", make_department("机关党委（纪委）"), roles=("discipline", "staff"), real_name="郑清源")
    li = make_user("b-li", finance, real_name="李明")
    wang = make_user("b-wang", finance, real_name="王强")
    p1 = make_problem(person=li, description="工作时间多次脱岗未请假")
    p2 = make_problem(person=wang, description="值班记录填写不规范")
    make_problem(person=wang, description="与本通报无关的问题")
    year = clock.today().year
    first = service.issue(draft(clerk, doc_date=clock.today()).id, clerk)
    assert first.number == f"机管发〔{year}〕1号"

    base = live_server.url
    login(page, base, "b-clerk", PASSWORD)
    page.goto(base + "/documents/")
    page.select_option("#new-kind", "circular")
    page.click("text=起草公文")
    page.wait_for_url("**/documents/*")
    doc_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    page.fill("#title", "关于两起作风纪律问题的通报")
    page.fill("#body", "近期，局领导小组办公室在明察暗访中发现以下问题。\n一、基本情况\n财务科两名干部存在工作纪律问题。\n二、处理意见\n责令限期整改。")
    page.fill("#signature", "××市机关事务管理局")
    frame = page.frame_locator("#preview")
    frame.locator("text=关于两起作风纪律问题的通报").wait_for()
    frame.locator("text=财务科两名干部存在工作纪律问题。").wait_for()

    search = page.locator("input[name=pq]")
    search.fill("脱岗")
    page.locator(".pick-results label", has_text="工作时间多次脱岗未请假").locator("input").click()
    page.locator("#picked label", has_text="工作时间多次脱岗未请假").wait_for()  # moved up at once
    search.fill("值班")
    page.locator(".pick-results label", has_text="值班记录填写不规范").locator("input").click()
    page.locator("#picked label", has_text="值班记录填写不规范").wait_for()
    page.locator("#picked label", has_text="工作时间多次脱岗未请假").wait_for()
    expect(page.locator("#picked input:checked")).to_have_count(2)
    page.locator(".saved-state", has_text="已自动保存").wait_for()
    frame.locator("text=被通报问题清单：").wait_for()

    page.on("dialog", lambda d: d.accept())
    page.click("button:has-text('印发')")
    page.wait_for_selector("#doc-number")
    expected = f"机管发〔{year}〕2号"
    expect(page.locator("#doc-number")).to_have_text(expected)

    with page.expect_download() as dl:
        page.click("a:has-text('下载 PDF')")
    data = open(dl.value.path(), "rb").read()
    doc = Document.get_by_id(doc_id)
    assert doc.number == expected and hashlib.sha256(data).hexdigest() == doc.pdf_sha256
    text = pdf_text(data).replace("\n", "")  # table cells wrap
    assert expected in text and "多次脱岗" in text and "李明" in text and "王强" in text
    assert [p.id for p in service.linked_problems(doc)] == [p1.id, p2.id]

    other = new_page()
    login(other, base, "b-disc", PASSWORD)
    for p in (p1, p2):
        other.goto(f"{base}/ledger/{p.id}")
        panel = other.locator(".doc-panel")
        expect(panel).to_contain_text(expected)
        expect(panel).to_contain_text("关于两起作风纪律问题的通报")
    _ = io
