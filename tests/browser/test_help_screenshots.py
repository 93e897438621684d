"""The small screenshots of 使用说明 (static/help/*.png), taken from the demo bureau; the help page shows
them when present (it works without them). Run this test to refresh them."""
import os

import pytest
from playwright.sync_api import expect

from portal.help.guides import GUIDES
from tests.browser.ux_helpers import ROOT, en_browser, en_page, seed_demo, sign_in  # noqa: F401

pytestmark = pytest.mark.browser
HELP = os.path.join(ROOT, "static", "help")
WHO = {"staff": "demo-staff", "dept_head": "demo-head", "leader": "demo-leader", "discipline": "demo-discipline"}


def test_help_screenshots_and_page(ctx, live_server, en_browser):  # noqa: F811
    from flask import url_for
    seed_demo()
    base = live_server.url
    os.makedirs(HELP, exist_ok=True)
    taken = []
    for role, username in WHO.items():
        page = en_page(en_browser, 1100, 700)
        sign_in(page, base, username)
        for title, _text, endpoint, shot in GUIDES[role][1]:
            if not shot:
                continue
            with live_server_app_context(ctx):
                path = url_for(endpoint)
            page.goto(base + path)
            path = os.path.join(HELP, shot)
            page.screenshot(path=path, clip={"x": 0, "y": 0, "width": 1100, "height": 700}, scale="css")
            shrink(path)
            taken.append(shot)
        page.context.close()
    assert len(taken) >= 6
    page = en_page(en_browser)
    sign_in(page, base, "demo-staff")
    page.goto(base + "/")
    page.click("a.help-link")
    expect(page.locator("h1")).to_have_text("使用说明")
    expect(page.locator("#help-staff")).to_have_text("干部职工")
    expect(page.locator("img.help-shot").first).to_be_visible()
    assert page.locator(".help-guide li").count() >= 5


def live_server_app_context(ctx):
    return ctx.test_request_context("/")


def shrink(path, width=480):
    """Keep the screenshots small (a few tens of kB each)."""
    from PIL import Image
    im = Image.open(path)
    im = im.convert("RGB").resize((width, round(im.height * width / im.width)), Image.LANCZOS)
    im = im.quantize(colors=128)
    im.save(path, optimize=True)
