"""The government-funds page and API confirm one scheme at a time: the pension's 政府代缴 and
the medical assistance fund's 资助参保 come from different budgets."""

import datetime
import json

import pytest
from django.urls import reverse

from jumin.collection.models import Due, DueKind, DueStatus
from jumin.core.models import AuditEntry, Role
from jumin.core.services.tokens import token_create
from jumin.medical.models import CoverageStatus, MedicalEnrolment
from jumin.medical.services.enrolment import enrolment_register
from jumin.pension.services.dues import dues_generate
from jumin.pension.tests.factories import EnrolmentFactory, PlanFactory
from jumin.people.models import SpecialStatusKind
from jumin.testing.factories import SpecialStatusFactory

D = datetime.date


def bearer_headers(user):
    _, key = token_create(acting_user=None, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def poor(tree, staff, financing):
    """A person in extreme poverty: the government pays their pension (100) and the medical
    assistance fund their whole premium (400), both for 2026."""
    PlanFactory(year=2026)
    person = EnrolmentFactory(village=tree.village_a1).person
    SpecialStatusFactory(
        person=person, kind=SpecialStatusKind.EXTREME_POVERTY, detail="", valid_from=D(2020, 1, 1)
    )
    dues_generate(acting_user=staff[Role.COUNTY_CLERK], region_code="341125", year=2026)
    enrolment_register(
        acting_user=staff[Role.COUNTY_CLERK], person=person, coverage_year=2026, on=D(2026, 1, 20)
    )
    government = Due.objects.filter(person=person, kind=DueKind.GOVERNMENT_PAID)
    assert {(d.scheme, str(d.amount)) for d in government} == {
        ("pension", "100.00"),
        ("medical", "400.00"),
    }
    return person


def statuses(person):
    return dict(
        Due.objects.filter(person=person, kind=DueKind.GOVERNMENT_PAID).values_list(
            "scheme", "status"
        )
    )


def test_the_page_totals_each_scheme_and_confirms_the_one_chosen(client, staff, poor):
    client.force_login(staff[Role.FINANCE])
    url = reverse("collection:government_paid")
    page = client.get(url, {"year": 2026}).content.decode()
    assert "城乡居保" in page and "居民医保" in page and "400.00" in page
    # the two schemes' sum is no scheme's: refused, nothing confirmed
    response = client.post(
        url, {"year": 2026, "amount": "500.00", "reference": "CZ-1", "scheme": "medical"}
    )
    assert "财政拨付金额 500.00 元" in response.content.decode()
    # without a scheme: the form asks for one
    response = client.post(url, {"year": 2026, "amount": "400.00", "reference": "CZ-1"})
    assert response.status_code == 200 and "险种" in response.content.decode()
    assert statuses(poor) == {"pension": DueStatus.OPEN, "medical": DueStatus.OPEN}
    response = client.post(
        url, {"year": 2026, "amount": "400.00", "reference": "YLJZ-1", "scheme": "medical"}
    )
    assert response.status_code == 302 and response.url.endswith("?year=2026&scheme=medical")
    assert statuses(poor) == {"pension": DueStatus.OPEN, "medical": DueStatus.CONFIRMED}
    entry = AuditEntry.objects.get(action="collection.government_paid.confirm")
    assert entry.after["scheme"] == "medical" and "居民医保" in entry.object_label
    # the assistance fund's money covered the enrolment at once (on_paid)
    assert MedicalEnrolment.objects.get(person=poor).status == CoverageStatus.COVERED


def test_the_api_takes_the_scheme(client, staff, poor):
    headers = bearer_headers(staff[Role.FINANCE])

    def post(body):
        return client.post(
            "/api/reconciliations/government-paid",
            json.dumps(body),
            content_type="application/json",
            **headers,
        )

    body = {"year": 2026, "amount": "100.00", "reference": "CZ-1"}
    assert post(body).status_code == 422  # no scheme
    unknown = post({**body, "scheme": "dental"})
    assert unknown.status_code == 422 and "险种“dental”不正确" in unknown.content.decode()
    answer = post({**body, "scheme": "pension"})
    assert answer.status_code == 200
    assert answer.json() == {"scheme": "pension", "year": 2026, "confirmed": 1}
    assert statuses(poor) == {"pension": DueStatus.CONFIRMED, "medical": DueStatus.OPEN}
