"""What a person does in the browser, written once: log in, and list requests that left the server."""

import re
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from jumin.testing.factories import TEST_PASSWORD


def log_in(page: Page, user, password: str = TEST_PASSWORD) -> None:
    """Fill the login form as a person would and wait until the home page shows."""
    page.goto("/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="登录").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))


def requests_elsewhere(requests: list[str], live_server_url: str) -> list[str]:
    """The requests that did not go to the live server (should be none: no CDN, ever)."""
    home = urlsplit(live_server_url)
    return [
        url
        for url in requests
        if not url.startswith(("data:", "blob:", "about:"))
        and (urlsplit(url).hostname, urlsplit(url).port) != (home.hostname, home.port)
    ]
