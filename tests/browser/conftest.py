"""Browser tests: headless Debian chromium (root conftest.py) against pytest-django's live server.

Run them with ``make test-browser`` (``pytest -m browser -p no:xdist``). A failing test leaves a
screenshot under ``test-results/`` (pytest-playwright's ``--screenshot only-on-failure``; the
hook below takes one too when the run was started without that option).
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture(scope="session", autouse=True)
def _django_beside_playwright():
    """Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
    in a thread with a running loop unless told that this is safe. It is here: the test thread
    and the live-server thread never touch the database at the same moment."""
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if before is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="session")
def base_url(live_server):
    """``page.goto("/people/")`` goes to the live server."""
    return live_server.url


@pytest.fixture
def page(page: Page) -> Page:
    page.set_default_timeout(10_000)
    expect.set_options(timeout=10_000)
    return page


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """When a browser test fails and pytest-playwright was not asked for screenshots, keep one
    of the page as it was in ``test-results/<test name>.png``."""
    report = yield
    if report.when == "call" and report.failed and "page" in getattr(item, "funcargs", {}):
        if item.config.getoption("--screenshot", "off") == "off":
            SCREENSHOT_DIR.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", item.nodeid)[-150:]
            try:
                item.funcargs["page"].screenshot(
                    path=SCREENSHOT_DIR / f"{name}.png", full_page=True
                )
            except Exception as error:  # the page may be gone; the failure itself matters more
                report.sections.append(("screenshot", f"no screenshot: {error}"))
    return report
