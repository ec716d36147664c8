"""The issue's browser test of a death: a township clerk reports a pensioner's death, and the
county sees the stop and the recovery case in the next payroll."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from jumin.core.models import Role
from jumin.pension.models import AwardStatus, Recovery
from jumin.pension.services import payroll as payrolls
from jumin.pension.tests.factories import AwardFactory, BenefitStandardFactory
from jumin.pension.tests.paying import pay_month
from tests.browser.pages import log_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


def test_township_reports_a_death_and_the_county_sees_stop_and_recovery(
    page: Page, live_server, tree, staff
):
    BenefitStandardFactory(region=tree.province)
    dying = AwardFactory(village=tree.village_a1, person__name="孙秀英")
    AwardFactory(village=tree.village_a2, person__name="周建国")
    for month in (1, 2):
        pay_month(tree.county, datetime.date(2026, month, 1))

    log_in(page, staff[Role.TOWNSHIP_CLERK])
    page.locator("nav").get_by_role("link", name="死亡上报").click()
    page.get_by_label("身份证号").fill(dying.person.id_number)
    page.get_by_label("死亡日期").fill("2026-01-20")
    page.get_by_label("证明材料").fill("死亡医学证明")
    page.get_by_role("button", name="上报", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已上报孙秀英死亡")
    expect(page.locator(".messages")).to_contain_text("多发230.21元")
    dying.refresh_from_db()
    assert dying.status == AwardStatus.ENDED

    march = payrolls.payroll_build(
        acting_user=staff[Role.COUNTY_CLERK],
        region_code=tree.county.code,
        month=datetime.date(2026, 3, 1),
    )
    page.context.clear_cookies()
    log_in(page, staff[Role.COUNTY_ADMIN])
    page.locator("nav").get_by_role("link", name="待遇发放").click()
    page.get_by_role("row", name=re.compile("2026-03")).get_by_role("link", name="查看").click()
    expect(page).to_have_url(f"{live_server.url}/pension/payrolls/{march.pk}/")
    stopped = page.locator("#stopped")
    expect(stopped).to_contain_text("孙秀英")
    expect(stopped).to_contain_text("死亡 2026-01-20")
    expect(stopped).to_contain_text("多发 230.21 元，未追回 163.00 元")
    expect(page.locator("#changes")).to_contain_text("停发 1 人")
    stopped.get_by_role("link", name=re.compile("多发")).click()
    recovery = Recovery.objects.get()
    expect(page).to_have_url(f"{live_server.url}/pension/recoveries/{recovery.pk}/")
    expect(page.locator("#outstanding")).to_have_text("163.00")
