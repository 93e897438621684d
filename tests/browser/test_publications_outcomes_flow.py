"""The office publishes a 通报 to two departments; a recipient sees it on the home page and acknowledges it;
the office reads the receipt table and reminds the others. A founded clue gets a 第一种形态 outcome for the
person and a 监督责任 outcome for their head, both shown on the case."""
import pytest
from playwright.sync_api import expect

from portal import clock
from portal.documents import service as documents
from portal.models import Notice
from portal.models.outcome import Outcome
from portal.models.publication import Publication
from tests.browser.conftest import login
from tests.documents.register_helpers import draft
from tests.factories import PASSWORD, make_bureau
from tests.outcomes.helpers import founded_clue

pytestmark = pytest.mark.browser


def test_publish_read_acknowledge_remind(ctx, live_server, page, new_page):
    b = make_bureau()
    doc = documents.issue(draft(b.clerk, title="关于近期作风纪律问题的通报").id, b.clerk)
    base = live_server.url

    login(page, base, "office", PASSWORD)
    page.goto(f"{base}/documents/{doc.id}")
    panel = page.locator("#publication-panel")
    panel.locator("input[name=audience][value=departments]").check()
    panel.locator("label", has_text="财务科").locator("input").check()
    panel.locator("label", has_text="资产管理科").locator("input").check()
    panel.locator("input[name=require_ack]").check()
    panel.locator("button", has_text="发布").click()
    page.wait_for_url("**/publications/*")
    pub = Publication.get(document=doc.id)
    expect(page.locator("[data-totals]")).to_contain_text("发布 5 人")

    reader = new_page()
    login(reader, base, "staff_a", PASSWORD)
    item = reader.locator("[data-publications-panel] li", has_text="关于近期作风纪律问题的通报")
    expect(item).to_contain_text("未读")
    item.locator("a", has_text="关于近期作风纪律问题的通报").click()
    reader.wait_for_url(f"**/publications/{pub.id}")
    expect(reader.locator("a[data-pdf]")).to_be_visible()
    reader.locator("#ack-box button", has_text="已阅").click()
    expect(reader.locator("[data-acked]")).to_contain_text("确认已阅")

    page.reload()
    row = page.locator("tr[data-receipt='李明']")
    expect(row).not_to_contain_text("未确认")
    expect(page.locator("tbody[data-dept='财务科']")).to_be_visible()
    expect(page.locator("tbody[data-dept='资产管理科']")).to_be_visible()
    expect(page.locator("tr[data-receipt='孙丽']")).to_contain_text("未确认")
    page.locator("#receipts button", has_text="一键提醒").click()
    expect(page.locator("[data-reminded]")).to_contain_text("已提醒 4 人")
    reminded = {n.user_id for n in Notice.select().where(Notice.dedupe_key == f"publication:{pub.id}:remind:1")}
    assert reminded == {b.head_a.id, b.staff_a2.id, b.head_b.id, b.staff_b.id}


def test_founded_clue_gets_both_outcomes_on_the_case(ctx, live_server, page):
    b = make_bureau()
    clue = founded_clue(b)
    base = live_server.url
    today = clock.today().isoformat()
    login(page, base, "office", PASSWORD)
    page.goto(f"{base}/clues/{clue.id}")

    page.locator("[data-record-outcome=person]").click()
    page.select_option("#form_measure", "1:criticism")
    page.fill("#decided_on", today)
    page.fill("#decided_by_body", "机关纪委")
    page.fill("#doc_number", "机管纪〔2026〕3号")
    page.click("button:has-text('登记')")
    page.wait_for_url(f"**/clues/{clue.id}")

    page.locator("[data-record-outcome=accountability]").click()
    page.select_option("#form_measure", "1:talk")
    page.select_option("#responsibility", "supervision")
    page.fill("#decided_on", today)
    page.fill("#decided_by_body", "局党组")
    page.click("button:has-text('登记')")
    page.wait_for_url(f"**/clues/{clue.id}")

    case = page.locator("#outcomes")
    expect(case.locator("[data-outcome='李明']")).to_contain_text("第一种形态")
    expect(case.locator("[data-outcome='李明']")).to_contain_text("批评教育")
    expect(case.locator("[data-outcome='王立新']")).to_contain_text("监督责任")
    expect(case.locator("[data-outcome='王立新']")).to_contain_text("谈话提醒")
    mine, theirs = Outcome.get(person=b.staff_a.id), Outcome.get(person=b.head_a.id)
    assert mine.partner_id == theirs.id and theirs.partner_id == mine.id and mine.clue_id == clue.id
