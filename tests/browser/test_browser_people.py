"""The issue's browser test: a township clerk finds a person by typing, edits the phone number,
sees the change in the person's history (修改记录), and cannot open another township's person."""

import re

import pytest
from playwright.sync_api import Page, expect

from jumin.core.models import AuditEntry, Role
from jumin.testing.factories import PersonFactory
from tests.browser.pages import log_in, requests_elsewhere

pytestmark = pytest.mark.browser

OLD_PHONE = "13900001111"
NEW_PHONE = "13812345678"


@pytest.fixture
def neighbours(tree):
    """Two people with the same leading name characters: one in each township."""
    return {
        "own": PersonFactory(name="王秀英", village=tree.village_a1, phone=OLD_PHONE),
        "other": PersonFactory(name="王秀兰", village=tree.village_b1, phone="13700002222"),
    }


def search_by_typing(page: Page, text: str) -> None:
    """Type into the search box key by key, as a clerk does; results appear without a submit."""
    page.goto("/people/")
    page.get_by_label("身份证号或姓名").press_sequentially(text, delay=60)


def test_clerk_finds_person_edits_phone_and_sees_it_in_history(
    page: Page, live_server, staff, neighbours
):
    clerk = staff[Role.TOWNSHIP_CLERK]
    own = neighbours["own"]
    log_in(page, clerk)

    search_by_typing(page, "王秀")
    results = page.locator("#results")
    expect(results.get_by_role("link", name="王秀英")).to_be_visible()
    expect(results).to_contain_text("找到 1 人")
    expect(results).not_to_contain_text("王秀兰")  # same name prefix, other township
    expect(page).to_have_url(re.compile(r"/people/$"))  # as-you-type: no form submit

    results.get_by_role("link", name="王秀英").click()
    expect(page).to_have_url(f"{live_server.url}/people/{own.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("王秀英")
    expect(page.locator("#history")).to_contain_text("修改记录")

    page.get_by_role("link", name="修改信息").click()
    expect(page).to_have_url(f"{live_server.url}/people/{own.pk}/edit/")
    phone = page.locator("input[name=phone]")
    expect(phone).to_have_value(OLD_PHONE)
    phone.fill(NEW_PHONE)
    page.locator("[name=reason]").fill("本人来电更换手机号")
    page.get_by_role("button", name="保存").click()

    expect(page).to_have_url(f"{live_server.url}/people/{own.pk}/")
    expect(page.locator(".messages")).to_contain_text("修改已保存")
    expect(page.locator("dl.facts").first).to_contain_text(NEW_PHONE)  # 基本信息, above 城乡居保
    history = page.locator("#history")
    expect(history).to_contain_text(OLD_PHONE)
    expect(history).to_contain_text(NEW_PHONE)
    expect(history).to_contain_text("本人来电更换手机号")
    expect(history).to_contain_text(str(clerk))

    own.refresh_from_db()
    assert own.phone == NEW_PHONE
    update = AuditEntry.objects.get(
        object_type="people.person", object_id=str(own.pk), action__endswith="update"
    )
    assert (update.actor_id, update.before["phone"], update.after["phone"]) == (
        clerk.pk,
        OLD_PHONE,
        NEW_PHONE,
    )


def test_clerk_cannot_open_or_edit_a_person_of_another_township(
    page: Page, live_server, staff, neighbours
):
    other = neighbours["other"]
    log_in(page, staff[Role.TOWNSHIP_CLERK])

    search_by_typing(page, "王秀兰")
    expect(page.locator("#results")).to_contain_text("没有找到")

    for path in (f"/people/{other.pk}/", f"/people/{other.pk}/edit/"):
        response = page.goto(path)
        assert response is not None and response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_contain_text("找不到")
        expect(page.locator("body")).not_to_contain_text("王秀兰")
        expect(page.locator("body")).not_to_contain_text("13700002222")

    other.refresh_from_db()
    assert other.phone == "13700002222"
    assert not AuditEntry.objects.filter(object_id=str(other.pk), actor=staff[Role.TOWNSHIP_CLERK])


def test_people_pages_load_nothing_from_outside(page: Page, live_server, staff, neighbours):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    log_in(page, staff[Role.TOWNSHIP_CLERK])
    search_by_typing(page, "王秀")
    expect(page.locator("#results").get_by_role("link", name="王秀英")).to_be_visible()
    page.goto(f"/people/{neighbours['own'].pk}/")
    page.goto(f"/people/{neighbours['own'].pk}/edit/")
    page.wait_for_load_state("networkidle")
    assert any("search/results" in url for url in requests), requests
    assert requests_elsewhere(requests, live_server.url) == []
