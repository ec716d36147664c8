"""The Content-Security-Policy in a real browser: no page breaks it, and what used to be inline
JavaScript (a confirmation, a select that sends its form, as-you-type search) still works."""

import re

import pytest
from playwright.sync_api import Page, expect

from jumin.core.models import Role
from jumin.testing.factories import PersonFactory
from tests.browser.pages import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def violations(page: Page) -> list[str]:
    """Every CSP violation the browser reports, from the console and the page's own event."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', function (event) {"
        "  console.error('Content Security Policy violation: ' + event.violatedDirective"
        "    + ' ' + event.blockedURI); });"
    )
    return found


def test_pages_break_nothing_in_the_policy(page: Page, live_server, staff, tree, violations):
    PersonFactory(village=tree.village_a1, name="王小明")
    log_in(page, staff[Role.COUNTY_ADMIN])
    for url in ("/", "/people/", "/staff/", "/collection/progress/", "/api/docs"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
    page.goto("/people/")
    page.fill("input[name=q]", "王小明")
    expect(page.locator("#results")).to_contain_text("王小明")
    assert violations == []
    # the watcher sees a violation when there is one: an inline script is refused
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = true'; document.body.appendChild(s); }"
    )
    expect(page.locator("body")).to_be_visible()
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.ran === undefined")
    assert violations and "script-src" in violations[-1]


def test_the_reset_asks_first_and_a_no_keeps_the_password(
    page: Page, live_server, staff, violations
):
    clerk = staff[Role.TOWNSHIP_CLERK]
    log_in(page, staff[Role.COUNTY_ADMIN])
    page.goto(f"/staff/{clerk.pk}/")
    questions: list[str] = []

    def answer_no(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", answer_no)
    page.get_by_role("button", name="重置密码").click()
    assert questions == ["确定要重置这个账号的密码吗？原密码将不能再用。"]
    expect(page).to_have_url(re.compile(rf"/staff/{clerk.pk}/$"))
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="重置密码").click()
    expect(page.get_by_text("临时密码", exact=True)).to_be_visible()
    assert violations == []


def test_choosing_a_year_on_the_progress_page_sends_the_form(
    page: Page, live_server, staff, violations
):
    log_in(page, staff[Role.COUNTY_ADMIN])
    page.goto("/collection/progress/")
    options = page.locator("select#year option")
    other = options.nth(options.count() - 1).get_attribute("value")
    page.select_option("select#year", other)
    expect(page).to_have_url(re.compile(rf"year={other}"))
    assert violations == []
