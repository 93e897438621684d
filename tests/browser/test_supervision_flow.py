"""督办 in a real browser: the office urges an overdue item and generates a 督办通知单 PDF; an item left
overdue escalates to the 分管领导 and then the 局长 (the clock moved by portal.clock, no sleeping); the 局长
writes a 批示 and the responsible person sees it; the colours and ranking agree with the ledger's counts."""
import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from portal import campaign_settings, clock, jobs, workdays
from portal.models import Document
from tests.browser.conftest import login
from tests.factories import PASSWORD, make_bureau, make_problem

pytestmark = pytest.mark.browser


def test_supervision_flow(ctx, live_server, page, new_page):
    clock.travel(dt.datetime(2026, 12, 3, 9, 0))
    b = make_bureau()
    n = campaign_settings.get("escalation_days")
    late = make_problem(b.staff_a, description="公文办理超时限", deadline=dt.date(2026, 11, 20), status="in_progress")
    left = make_problem(b.staff_a2, description="值班期间脱岗", deadline=dt.date(2026, 12, 1))
    make_problem(b.staff_b, description="公务用车登记不全", deadline=dt.date(2027, 3, 31))
    base = live_server.url

    # the office urges the overdue item from the ledger (a selection) and generates a 督办通知单
    login(page, base, "office", PASSWORD)
    page.goto(base + "/ledger/")
    page.check(f"#row-{late.id} input[name=ids]")
    page.click("[data-bulk-urge]")
    expect(page.locator(f"#row-{late.id} [data-urges]")).to_have_text("催办 1")
    page.check(f"#row-{late.id} input[name=ids]")
    page.check(f"#row-{left.id} input[name=ids]")
    page.click("[data-bulk-notice]")
    page.wait_for_url(re.compile(r"/documents/\d+$"))
    doc = Document.select().order_by(Document.id.desc()).first()
    assert doc.kind == "supervision-notice" and "王立新" in doc.addressees
    page.on("dialog", lambda d: d.accept())
    page.click("button:has-text('印发')")
    expect(page.locator("#doc-number")).to_have_text("机管督〔2026〕1号")
    with page.expect_download() as dl:
        page.click("a:has-text('下载 PDF')")
    assert open(dl.value.path(), "rb").read()[:5] == b"%PDF-"

    # the staff member was told, with the urge and the notice in the bell
    sp = new_page()
    login(sp, base, "staff_a", PASSWORD)
    sp.goto(base + "/notices/")
    expect(sp.locator("body")).to_contain_text("郑清源催办")

    # left overdue: N working days → the 分管领导, 2N → the 局长
    jobs.enqueue("supervision_escalate")
    clock.travel(dt.datetime.combine(workdays.add_workdays(dt.date(2026, 12, 1), n), dt.time(9, 0)))
    jobs.enqueue("supervision_escalate")
    lp = new_page()
    login(lp, base, "leader", PASSWORD)
    lp.goto(base + "/notices/")
    expect(lp.locator("body")).to_contain_text("值班期间脱岗")
    expect(lp.locator("body")).to_contain_text("逾期升级督办（分管领导）")
    lp.goto(base + "/")
    expect(lp.locator("#charge-panel")).to_contain_text("财务科")
    login(page, base, "office", PASSWORD)
    page.goto(base + "/ledger/")
    expect(page.locator(f"#row-{left.id} [data-escalation]")).to_contain_text("分管领导")
    clock.travel(dt.datetime.combine(workdays.add_workdays(dt.date(2026, 12, 1), 2 * n), dt.time(9, 0)))
    jobs.enqueue("supervision_escalate")
    cp = new_page()
    login(cp, base, "chief", PASSWORD)
    cp.goto(base + "/notices/")
    expect(cp.locator("body")).to_contain_text("逾期升级督办（局长）")
    login(page, base, "office", PASSWORD)
    page.goto(base + "/ledger/")
    expect(page.locator(f"#row-{left.id} [data-escalation]")).to_contain_text("局长")

    # the 局长 writes a 批示; the responsible person sees it at the top of the item
    cp.goto(f"{base}/ledger/{left.id}")
    cp.fill("#instruction-text", "限三日内整改到位，并书面说明逾期原因")
    cp.click("button:has-text('提交批示')")
    expect(cp.locator("#supervision-top")).to_contain_text("限三日内整改到位")
    cp.goto(base + "/supervision/instructions")
    expect(cp.locator("body")).to_contain_text("限三日内整改到位")
    sp2 = new_page()
    login(sp2, base, "staff_a2", PASSWORD)
    sp2.goto(f"{base}/ledger/{left.id}")
    expect(sp2.locator("#supervision-top .instruction")).to_contain_text("限三日内整改到位")
    expect(sp2.locator("#supervision-top .instruction")).to_contain_text("周正华批示")

    # colours and ranking agree with the ledger's counts
    make_problem(b.staff_b, description="会议记录不全", deadline=workdays.add_workdays(clock.today(), 1))
    cp.goto(base + "/")
    rows = cp.locator("#rag-ranking table[data-rag=department] tbody tr")
    expect(rows.first).to_have_attribute("data-colour", "red")
    first_dept = rows.first.get_attribute("data-dept")
    link = rows.first.locator("a[data-count=overdue]")
    count = int(link.inner_text())
    assert count == 2 and first_dept == str(b.fin.id)
    link.click()
    cp.wait_for_url(re.compile(r"/ledger/\?.*overdue=1"))
    expect(cp.locator("tr.ledger-row")).to_have_count(count)
    cp.goto(base + "/dashboard/")
    amber = cp.locator(f"#rag-ranking tr[data-dept='{b.asset.id}']")
    expect(amber).to_have_attribute("data-colour", "amber")
    clock.travel(None)
