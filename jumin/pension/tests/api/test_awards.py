"""``/api/estimates`` (E1, E2, E7, bad input naming the field) and ``/api/awards`` (scoping for
every role, the turning-60 list with a 29 February birthday, apply and decide)."""

import datetime
from decimal import Decimal

import pytest

from jumin.core.models import Role
from jumin.pension.models import AwardStatus
from jumin.pension.tests.factories import (
    AwardFactory,
    BenefitStandardFactory,
    EnrolmentFactory,
    InterestRateFactory,
)
from jumin.people.tests.api.test_persons import Api

COUNTY_ROLES = [Role.COUNTY_ADMIN, Role.COUNTY_CLERK, Role.FINANCE, Role.AUDITOR, Role.LEADER]
VISIBLE = {
    Role.TOWNSHIP_CLERK: {"a1", "a2"},
    Role.VILLAGE_ASSISTANT: {"a1"},
    **{role: {"a1", "a2", "b1"} for role in COUNTY_ROLES},
}


@pytest.fixture
def api(client, staff):
    return lambda role: Api(client, staff[role])


def e1_body():
    return {
        "birth_date": "1964-12-10",
        "on": "2024-12-01",
        "history": [
            {"year": y, "personal": "500", "subsidy_county": "60"} for y in range(2010, 2025)
        ],
        "rate": "0.015",
        "mode": "A",
        "standard": {"central_minimum": "143"},
    }


def test_e1_through_the_api(api, tree):
    response = api(Role.VILLAGE_ASSISTANT).post("/api/estimates", e1_body())
    assert response.status_code == 200, response.content
    body = response.json()
    assert Decimal(body["balance_at_start"]) == Decimal("9342.00")
    assert Decimal(body["account_pension"]) == Decimal("67.21")
    assert Decimal(body["monthly_total"]) == Decimal("210.21")
    assert body["start_month"] == "2025-01-01"
    assert [s["label"] for s in body["steps"]][-1] == "月养老金合计"
    mode_b = api(Role.VILLAGE_ASSISTANT).post("/api/estimates", {**e1_body(), "mode": "B"})
    assert Decimal(mode_b.json()["balance_at_start"]) == Decimal("9482.13")


def test_e2_through_the_api_with_the_standards_in_force(api, tree):
    BenefitStandardFactory(
        effective_from=datetime.date(2025, 1, 1),
        central_minimum=Decimal("143"),
        local_start=datetime.date(2011, 7, 1),
    )
    BenefitStandardFactory(
        effective_from=datetime.date(2026, 1, 1),
        central_minimum=Decimal("163"),
        local_start=datetime.date(2011, 7, 1),
    )
    client = api(Role.COUNTY_CLERK)
    for on, expected in (("2025-06-01", "143.00"), ("2026-01-01", "163.00")):
        response = client.post(
            "/api/estimates", {"birth_date": "1940-03-05", "on": on, "history": []}
        )
        assert response.status_code == 200, response.content
        assert response.json()["monthly_total"] == expected
        assert response.json()["account_pension"] == "0.00"


def test_e7_through_the_api(api, tree):
    history = [{"year": y, "personal": "200", "subsidy_province": "30"} for y in range(2016, 2026)]
    body = {
        "birth_date": "1965-12-01",
        "on": "2025-12-01",
        "history": history,
        "back_payments": [{"years": 5, "amount": "1000", "credited_year": 2025}],
        "rates": [{"year": y, "rate": "0.015"} for y in range(2016, 2027)],
        "standard": {"central_minimum": "163", "local_start": "2016-01-01"},
    }
    response = api(Role.TOWNSHIP_CLERK).post("/api/estimates", body)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["balance_at_start"] == "3461.62"
    assert answer["account_pension"] == "24.90"
    assert answer["monthly_total"] == "187.90"
    assert answer["contribution_years"] == 15


def test_bad_estimates_are_refused_naming_the_field(api, tree):
    client = api(Role.VILLAGE_ASSISTANT)
    negative = e1_body()
    negative["history"][2]["personal"] = "-5"
    response = client.post("/api/estimates", negative)
    assert response.status_code == 422
    assert "history.2.personal" in response.content.decode()
    response = client.post("/api/estimates", {**e1_body(), "rate": "1.5"})
    assert response.status_code == 422
    assert '"rate"' in response.content.decode()
    assert api(Role.LEADER).post("/api/estimates", e1_body()).status_code == 403


def test_estimate_by_grade_from_a_year_uses_the_plan(api, tree):
    from jumin.pension.tests.factories import PlanFactory

    for year in range(2020, 2027):
        PlanFactory(year=year)
    body = {
        "birth_date": "1966-12-10",
        "on": "2026-01-10",
        "grade": "500",
        "from_year": 2020,
        "rate": "0",
        "standard": {"central_minimum": "163"},
    }
    response = api(Role.VILLAGE_ASSISTANT).post("/api/estimates", body)
    assert response.status_code == 200, response.content
    # 2020–2026: 7 years of 500 + the default plan's subsidy for 500
    assert response.json()["contribution_years"] == 7


@pytest.fixture
def awards(tree):
    return {
        key: AwardFactory(village=village)
        for key, village in (
            ("a1", tree.village_a1),
            ("a2", tree.village_a2),
            ("b1", tree.village_b1),
        )
    }


@pytest.mark.parametrize("role", list(Role))
def test_awards_are_scoped_for_every_role(api, awards, role):
    client = api(role)
    response = client.get("/api/awards")
    assert response.status_code == 200
    assert {item["id"] for item in response.json()["items"]} == {
        awards[k].pk for k in VISIBLE[role]
    }
    for key, award in awards.items():
        answer = client.get(f"/api/awards/{award.pk}")
        assert answer.status_code == (200 if key in VISIBLE[role] else 404)
    if role in (Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT):
        assert client.post(
            f"/api/awards/{awards['b1'].pk}/decide", {"approve": True}
        ).status_code in (403, 404)


def test_turning_60_on_a_leap_day_and_apply_then_decide(api, tree, staff):
    BenefitStandardFactory(
        effective_from=datetime.date(2020, 1, 1), local_start=datetime.date(2011, 7, 1)
    )
    leap = EnrolmentFactory(village=tree.village_a1, person__birth_date=datetime.date(1968, 2, 29))
    EnrolmentFactory(village=tree.village_b1, person__birth_date=datetime.date(1968, 2, 1))
    EnrolmentFactory(village=tree.village_a1, person__birth_date=datetime.date(1968, 3, 1))
    rows = api(Role.VILLAGE_ASSISTANT).get("/api/awards/turning-60", {"month": "2028-02"}).json()
    assert [row["person_id"] for row in rows] == [leap.person_id]
    assert rows[0]["start_month"] == "2028-03-01"
    assert rows[0]["missing_years"] == 15 and not rows[0]["eligible"]
    county = api(Role.COUNTY_CLERK).get("/api/awards/turning-60", {"month": "2028-02"}).json()
    assert len(county) == 2


def test_apply_and_decide_through_the_api(api, tree, staff):
    from jumin.pension.models import EntrySource
    from jumin.pension.tests.services.test_awards import grow

    for year in range(2010, 2027):
        InterestRateFactory(year=year)
    BenefitStandardFactory(
        effective_from=datetime.date(2025, 1, 1),
        central_minimum=Decimal("143"),
        local_start=datetime.date(2009, 10, 1),
    )
    person = EnrolmentFactory(
        village=tree.village_a1, person__birth_date=datetime.date(1964, 12, 10)
    ).person
    grow(
        person,
        {
            y: [
                (EntrySource.PERSONAL, Decimal("500"), 3),
                (EntrySource.SUBSIDY_COUNTY, Decimal("60"), 3),
            ]
            for y in range(2010, 2025)
        },
    )
    response = api(Role.VILLAGE_ASSISTANT).post(
        "/api/awards", {"id_number": person.id_number, "applied_on": "2024-12-03"}
    )
    assert response.status_code == 201, response.content
    again = api(Role.VILLAGE_ASSISTANT).post(
        "/api/awards", {"id_number": person.id_number, "applied_on": "2024-12-03"}
    )
    assert again.status_code == 200 and again.json()["id"] == response.json()["id"]
    pk = response.json()["id"]
    assert (
        api(Role.VILLAGE_ASSISTANT).post(f"/api/awards/{pk}/decide", {"approve": True}).status_code
        == 403
    )
    decided = api(Role.COUNTY_CLERK).post(f"/api/awards/{pk}/decide", {"approve": True})
    assert decided.status_code == 200, decided.content
    body = decided.json()
    assert body["status"] == AwardStatus.ACTIVE
    assert body["account_balance"] == "9342.00"
    assert body["account_pension"] == "67.21"
    assert body["monthly_total"] == "210.21"
    assert body["explanation"][-1]["amount"] == "210.21"
