"""Date, month and file controls speak Chinese in a browser set to English (--lang=en-US): the one
enhancement of static/js/controls.js, under the strict CSP."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.ux_helpers import en_browser, en_page, seed_demo, shot, sign_in  # noqa: F401

pytestmark = pytest.mark.browser


def test_date_and_file_controls_are_chinese_in_an_english_browser(ctx, live_server, en_browser):  # noqa: F811
    seed_demo()
    base = live_server.url
    page = en_page(en_browser)
    assert page.evaluate("navigator.language") == "en-US"
    sign_in(page, base, "demo-discipline")

    # the ledger's date range: typed YYYY-MM-DD fields with a Chinese calendar
    page.goto(base + "/ledger/")
    field = page.locator("#f-from")
    expect(field).to_have_attribute("type", "text")
    expect(field).to_have_attribute("placeholder", re.compile("年-月-日"))
    field.click()
    cal = page.locator(".flatpickr-calendar.open")
    expect(cal).to_be_visible()
    expect(cal.locator(".flatpickr-weekday").first).to_contain_text("周")
    assert re.search(r"[一二三四五六七八九十]+月", cal.inner_text())
    assert not re.search(r"January|February|March|April|May|June|July|August|September|October|November|December|Mon|Sun",
                         cal.inner_text())
    shot(page, "controls-date-en-US")
    cal.locator(".flatpickr-day:not(.prevMonthDay):not(.nextMonthDay)").nth(14).click()
    assert re.fullmatch(r"\d{4}-\d{2}-15", field.input_value())
    page.wait_for_url(re.compile(r"due_from=\d{4}-\d{2}-15"))  # the filter form submitted the picked date
    # typing works too (keyboard only)
    to = page.locator("#f-to")
    to.fill("2027-01-31")
    to.press("Escape")
    to.press("Tab")
    page.wait_for_url(re.compile(r"due_to=2027-01-31"))

    # the month field (处理月份)
    month = page.locator("#f-action-month")
    expect(month).to_have_attribute("type", "text")
    month.click()
    expect(page.locator(".flatpickr-calendar.open")).to_contain_text("月")
    page.keyboard.press("Escape")

    # a file field: 选择文件 / 未选择文件, then the chosen name; drag and drop fills it too
    from portal.models import Problem
    page.goto(base + f"/ledger/{Problem.select().order_by(Problem.id).first().id}")
    page.locator("summary", has_text="上传整改佐证材料").click()
    box = page.locator(".cn-file").first
    expect(box).to_be_visible()
    expect(box.locator(".cn-file-button")).to_contain_text("选择文件")
    expect(box.locator(".cn-file-names")).to_have_text("未选择文件")
    assert "No file chosen" not in page.inner_text("body") and "Choose File" not in page.inner_text("body")
    box.locator("input[type=file]").set_input_files(
        files=[{"name": "证据照片.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff\xe0demo"}])
    expect(box.locator(".cn-file-names")).to_have_text("证据照片.jpg")
    page.evaluate("""() => {
        const box = document.querySelector('.cn-file');
        const dt = new DataTransfer();
        dt.items.add(new File(['%PDF-1.4'], '情况说明.pdf', {type: 'application/pdf'}));
        box.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
    }""")
    expect(box.locator(".cn-file-names")).to_contain_text("情况说明.pdf")
    shot(page, "controls-file-en-US")
    assert page.csp_errors == []
