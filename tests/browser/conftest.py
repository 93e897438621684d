"""Playwright on Debian's chromium against the app served by a real HTTP server in a thread.
Never `playwright install`: the browser is /usr/bin/chromium."""
import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def _playwright():
    from playwright.sync_api import expect, sync_playwright
    expect.set_options(timeout=10_000)  # as the pages' action timeout: a busy 2-core CI machine is slow
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(_playwright):
    b = _playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(10000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def new_page(browser):
    """Factory for extra independent browser contexts (a second person, a second tab's session)."""
    contexts = []

    def make():
        c = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
        c.set_default_timeout(10000)
        contexts.append(c)
        return c.new_page()
    yield make
    for c in contexts:
        c.close()


def login(page, base_url, username, password):
    page.goto(base_url + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():  # the POST answers with a redirect; wait for the page it leads to
        page.click("button[type=submit]")
