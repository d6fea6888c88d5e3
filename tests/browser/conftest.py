"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live_server.

Each test gets a fresh browser context (its own cookies and storage) in one Chromium that
is launched once for all of them. Every module here marks its tests `browser`, so that
`pytest -m browser` and `pytest -m "not browser"` select them.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.pages import DESKTOP, build_site

CHROMIUM = Path("/usr/bin/chromium")
# No sandbox because CI runs as root in a container, where Chromium's sandbox cannot start;
# the pages are our own. No GPU in CI, and no calls home from the browser while testing.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="package")
def _async_unsafe_allowed():
    """Let the test thread query the database while Playwright's event loop is running.

    Playwright's sync API drives the browser from an asyncio event loop in this thread, and
    marks that loop as running between its calls. Django then takes every query from this
    thread (building test data, and the flush after each test) for a query from async code
    and refuses it with SynchronousOnlyOperation. Nothing here is async: each query runs on
    its own, between two browser calls, and the live server answers from another thread.
    The flag is set from the first browser test until the browser stops after the last, so
    the rest of the suite keeps Django's check.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(_async_unsafe_allowed):
    """One headless Chromium for every browser test.

    Scoped to this package rather than the session: Playwright's event loop lives as long
    as the browser, and stopping it when the browser tests end gives the tests after them
    Django's async-safety check back (see _async_unsafe_allowed).
    """
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM} (Debian: apt-get install chromium)."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _token_links_not_rate_limited(settings):
    """Raise the rate limit on token links for these tests.

    Every request here comes from 127.0.0.1, and the counts live in the cache table, which
    the flush after each test does not empty: the production limit of 60 a minute would
    answer 429 part-way through the suite. The 429 page is tested by lowering it again.
    """
    settings.TOKEN_RATE_LIMIT = 1_000_000


@pytest.fixture
def new_context(browser, live_server):
    """Make browser contexts on the live server, closing them after the test."""
    contexts = []

    def new_context(**options):
        options = {"viewport": DESKTOP, **options}
        context = browser.new_context(
            base_url=live_server.url, locale="en-GB", accept_downloads=True, **options
        )
        # Fail fast: every page here is local and should answer in well under a second.
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield new_context
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def site(live_server):
    """An organisation half-way through its second round: see pages.build_site."""
    return build_site(live_server.url)
