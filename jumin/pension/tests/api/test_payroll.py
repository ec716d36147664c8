"""The payroll, certification, death and recovery API: per role, out of scope 404."""

import datetime

import pytest

from jumin.core.models import Role
from jumin.pension.models import AwardStatus, Payroll
from jumin.pension.tests.factories import AwardFactory, BenefitStandardFactory
from jumin.pension.tests.paying import pay_month
from jumin.pension.tests.web.test_accounts import bearer
from jumin.testing.factories import StaffFactory

pytestmark = pytest.mark.django_db
COUNTY_ROLES = (Role.COUNTY_ADMIN, Role.COUNTY_CLERK, Role.FINANCE, Role.AUDITOR, Role.LEADER)


@pytest.fixture
def awards(tree):
    BenefitStandardFactory(region=tree.province)
    return {
        "a1": AwardFactory(village=tree.village_a1),
        "b1": AwardFactory(village=tree.village_b1),
    }


@pytest.mark.parametrize("role", list(Role))
def test_payrolls_per_role(client, tree, staff, awards, role):
    payroll = pay_month(tree.county, datetime.date(2026, 1, 1))
    headers = bearer(staff[role])
    listing = client.get("/api/payrolls", **headers)
    one = client.get(f"/api/payrolls/{payroll.pk}", **headers)
    lines = client.get(f"/api/payrolls/{payroll.pk}/lines", **headers)
    if role in COUNTY_ROLES:
        assert listing.status_code == 200 and listing.json()[0]["amount_sum"] == "460.42"
        assert one.status_code == 200 and one.json()["status"] == "paid"
        assert lines.json()["count"] == 2
    else:
        assert (listing.status_code, one.status_code, lines.status_code) == (403, 403, 403)


def test_approve_through_the_api_is_maker_checker(client, tree, staff, awards):
    from jumin.pension.services import payroll as services

    admin = staff[Role.COUNTY_ADMIN]
    payroll = services.payroll_build(acting_user=admin, region_code=tree.county.code,
                                     month=datetime.date(2026, 1, 1))  # fmt: skip
    refused = client.post(f"/api/payrolls/{payroll.pk}/approve", **bearer(admin))
    assert refused.status_code == 422
    assert "双人复核" in refused.content.decode()
    approved = client.post(f"/api/payrolls/{payroll.pk}/approve", **bearer(staff[Role.FINANCE]))
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    other = StaffFactory(role=Role.FINANCE, region=tree.township_b)
    assert client.get(f"/api/payrolls/{payroll.pk}", **bearer(other)).status_code in (403, 404)
    assert Payroll.objects.get().approved_by == staff[Role.FINANCE]


def test_deaths_and_recoveries_through_the_api(client, tree, staff, awards):
    pay_month(tree.county, datetime.date(2026, 1, 1))
    pay_month(tree.county, datetime.date(2026, 2, 1))
    clerk = staff[Role.TOWNSHIP_CLERK]
    person = awards["a1"].person
    outside = awards["b1"].person
    assert (
        client.post(
            "/api/deaths",
            {"id_number": outside.id_number, "death_date": "2026-01-10"},
            content_type="application/json",
            **bearer(clerk),
        ).status_code
        == 404
    )
    future = client.post(
        "/api/deaths",
        {"id_number": person.id_number, "death_date": "2025-01-10"},
        content_type="application/json",
        **bearer(clerk),
    )
    assert future.status_code == 422 and "death_date" in future.content.decode()
    reported = client.post(
        "/api/deaths",
        {"id_number": person.id_number, "death_date": "2026-01-10", "proof": "证明"},
        content_type="application/json",
        **bearer(clerk),
    )
    assert reported.status_code == 200
    recovery_id = reported.json()["recovery_id"]
    awards["a1"].refresh_from_db()
    assert awards["a1"].status == AwardStatus.ENDED
    recovery = client.get(f"/api/recoveries/{recovery_id}", **bearer(staff[Role.FINANCE]))
    assert recovery.json()["overpaid"] == "230.21"
    outsider = StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_b)
    assert client.get(f"/api/recoveries/{recovery_id}", **bearer(outsider)).status_code == 404
    assert client.get("/api/recoveries", **bearer(outsider)).json() == []


def test_certifications_through_the_api(client, tree, staff, awards):
    assistant = staff[Role.VILLAGE_ASSISTANT]
    due = client.get("/api/certifications/due?months=12", **bearer(assistant))
    assert [row["name"] for row in due.json()] == [awards["a1"].person.name]
    made = client.post(
        "/api/certifications",
        {"id_number": awards["a1"].person.id_number, "certified_on": "2026-11-02",
         "channel": "02"},
        content_type="application/json",
        **bearer(assistant),
    )  # fmt: skip
    assert made.status_code == 200 and made.json()["next_due_on"] == "2027-11-02"
    outside = client.post(
        "/api/certifications",
        {"id_number": awards["b1"].person.id_number, "certified_on": "2026-11-02",
         "channel": "02"},
        content_type="application/json",
        **bearer(assistant),
    )  # fmt: skip
    assert outside.status_code == 404
