"""The login page and the home page as a township clerk sees them in a real browser."""

import re

import pytest
from playwright.sync_api import Page, expect

from jumin.core.models import AuditEntry, Role
from tests.browser.pages import log_in, requests_elsewhere

pytestmark = pytest.mark.browser


def test_unauthenticated_visit_redirects_to_login(page: Page, live_server, tree):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()


def test_clerk_logs_in_and_sees_own_township_on_home_page(page: Page, live_server, staff, tree):
    clerk = staff[Role.TOWNSHIP_CLERK]
    log_in(page, clerk)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(tree.township_a.name)
    expect(page.locator("header .who")).to_contain_text("乡镇经办员")
    assert AuditEntry.objects.filter(action="core.session.login", actor=clerk).count() == 1


def test_wrong_password_shows_a_chinese_message_and_stays_on_login(page: Page, live_server, staff):
    log_in_page = "/login/"
    page.goto(log_in_page)
    page.fill("input[name=username]", staff[Role.TOWNSHIP_CLERK].username)
    page.fill("input[name=password]", "not-the-password-1")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_have_text("用户名或密码不正确。")
    expect(page).to_have_url(re.compile(r"/login/$"))


def test_login_and_home_pages_load_nothing_from_outside(page: Page, live_server, staff):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto("/login/")
    page.wait_for_load_state("networkidle")
    log_in(page, staff[Role.TOWNSHIP_CLERK])
    page.wait_for_load_state("networkidle")
    assert any(url.endswith(".css") for url in requests), requests
    assert any("htmx" in url for url in requests), requests
    assert requests_elsewhere(requests, live_server.url) == []


def test_api_docs_page_loads_nothing_from_outside(page: Page, live_server, staff):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    log_in(page, staff[Role.TOWNSHIP_CLERK])
    page.goto("/api/docs")
    expect(page.get_by_text("/api/persons", exact=True).first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert any(url.endswith("/api/openapi.json") for url in requests), requests
    assert requests_elsewhere(requests, live_server.url) == []
