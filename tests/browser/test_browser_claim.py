"""The issue's browser test of a counter claim: a county clerk enters a resident's hospital
invoice on the claim entry page, sees the three-layer settlement (basic insurance, critical
illness insurance, medical assistance) with its explanation before saving, then saves and
sees the same settlement on the claim's page."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from jumin.core.models import Role
from jumin.medical.models import Claim, HospitalLevel, Settlement
from jumin.medical.services import claims as services
from jumin.medical.tests.factories import HospitalFactory, MedicalEnrolmentFactory, seed_policy
from jumin.people.models import SpecialStatusKind
from jumin.testing.factories import PersonFactory, SpecialStatusFactory
from tests.browser.pages import log_in

pytestmark = pytest.mark.browser

INVOICE = {"a": "60000.00", "b": "20000.00", "self": "5000.00", "total": "85000.00"}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


def test_counter_clerk_sees_the_three_layers_before_saving_then_the_claim(
    page: Page, live_server, tree, staff
):
    seed_policy(tree.county.code, 2026)
    hospital = HospitalFactory(
        code="C002", name="县人民医院", level=HospitalLevel.LEVEL_2, region=tree.county
    )
    person = PersonFactory(village=tree.village_a1, name="吴桂兰")
    MedicalEnrolmentFactory(person=person, coverage_year=2026)
    SpecialStatusFactory(
        person=person,
        kind=SpecialStatusKind.SUBSISTENCE_ALLOWANCE,
        valid_from=datetime.date(2025, 1, 1),
    )
    clerk = staff[Role.COUNTY_CLERK]
    # what the real settlement will be, from the service the page calls (nothing stored)
    _checked, expected = services.trial(
        acting_user=clerk,
        data=services.ClaimData(
            id_number=person.id_number,
            hospital_code=hospital.code,
            kind="inpatient",
            invoice_number="FP2026-0001",
            admission_date=datetime.date(2026, 3, 1),
            discharge_date=datetime.date(2026, 3, 20),
            diagnosis="C34.9",
            total=Decimal(INVOICE["total"]),
            lines=[
                services.LineIn(name="甲类费用合计", line_class="a", amount=Decimal(INVOICE["a"])),
                services.LineIn(name="乙类费用合计", line_class="b", amount=Decimal(INVOICE["b"])),
                services.LineIn(
                    name="自费费用合计", line_class="self", amount=Decimal(INVOICE["self"])
                ),
            ],
        ),
    )
    assert min(expected.basic, expected.critical_illness, expected.assistance) > 0

    log_in(page, clerk)
    page.locator("nav").get_by_role("link", name="医疗报销").click()
    page.get_by_role("link", name="录入发票报销").click()
    expect(page).to_have_url(f"{live_server.url}/medical/claims/new/")
    page.get_by_label("身份证号").fill(person.id_number)
    page.get_by_label("医疗机构编码").fill(hospital.code)
    page.get_by_label("类别").select_option("inpatient")
    page.get_by_label("发票号").fill("FP2026-0001")
    page.get_by_label("入院（就诊）日期").fill("2026-03-01")
    page.get_by_label("出院日期").fill("2026-03-20")
    page.get_by_label("诊断编码（ICD-10）").fill("C34.9")
    page.get_by_label("甲类费用").fill(INVOICE["a"])
    page.get_by_label("乙类费用").fill(INVOICE["b"])
    page.get_by_label("自费费用").fill(INVOICE["self"])
    page.get_by_label("总费用").fill(INVOICE["total"])
    page.get_by_role("button", name="预结算").click()

    trial = page.locator("#trial-result")
    expect(trial).to_contain_text("预结算（未保存）")
    expect(trial.locator("#amount-basic")).to_have_text(str(expected.basic))
    expect(trial.locator("#amount-critical")).to_have_text(str(expected.critical_illness))
    expect(trial.locator("#amount-assistance")).to_have_text(str(expected.assistance))
    expect(trial.locator("#amount-patient")).to_have_text(str(expected.patient))
    steps = trial.locator("table.explanation tbody tr")
    expect(steps).to_have_count(len(expected.explanation))
    expect(steps.first).to_contain_text("乙类先行自付")
    expect(steps.first).to_contain_text("乙类 20000.00 × 10%")
    expect(trial).to_contain_text("大病保险")
    expect(trial).to_contain_text("第1类救助对象")
    assert not Claim.objects.exists()  # the preview stored nothing

    page.get_by_role("button", name="保存并结算").click()
    claim = Claim.objects.get()
    expect(page).to_have_url(f"{live_server.url}/medical/claims/{claim.pk}/")
    expect(page.locator("#amount-basic")).to_have_text(str(expected.basic))
    expect(page.locator("#amount-critical")).to_have_text(str(expected.critical_illness))
    expect(page.locator("#amount-assistance")).to_have_text(str(expected.assistance))
    expect(page.locator("#amount-patient")).to_have_text(str(expected.patient))
    saved_steps = page.locator("table.explanation tbody tr")
    expect(saved_steps).to_have_count(len(expected.explanation))
    expect(saved_steps.last).to_contain_text("个人负担")
    expect(page.locator("body")).to_contain_text(re.compile("FP2026-0001"))
    saved = Settlement.objects.get(claim=claim)
    assert saved.explanation_steps == expected.explanation
