"""``/api/medical/...``: scoped for every role (404 out of scope), idempotent register."""

import datetime

import pytest

from jumin.core.models import Role
from jumin.medical.models import MedicalEnrolment
from jumin.medical.services.enrolment import enrolment_register
from jumin.people.tests.api.test_persons import Api
from jumin.testing.factories import PersonFactory

COUNTY_ROLES = [Role.COUNTY_ADMIN, Role.COUNTY_CLERK, Role.FINANCE, Role.AUDITOR, Role.LEADER]
VISIBLE = {
    Role.TOWNSHIP_CLERK: {"a1", "a2"},
    Role.VILLAGE_ASSISTANT: {"a1"},
    **{role: {"a1", "a2", "b1"} for role in COUNTY_ROLES},
}


@pytest.fixture
def api(client, staff):
    return lambda role: Api(client, staff[role])


@pytest.fixture
def enrolments(tree, staff, financing):
    return {
        key: enrolment_register(
            acting_user=staff[Role.COUNTY_CLERK],
            person=PersonFactory(village=getattr(tree, f"village_{key}")),
            coverage_year=2026,
            on=datetime.date(2025, 10, 1),
        )
        for key in ("a1", "a2", "b1")
    }


@pytest.mark.parametrize("role", list(Role))
def test_list_and_get_are_scoped_for_every_role(api, enrolments, role):
    client = api(role)
    body = client.get("/api/medical/enrolments", {"coverage_year": 2026}).json()
    assert {item["id"] for item in body["items"]} == {enrolments[k].pk for k in VISIBLE[role]}
    for key, enrolment in enrolments.items():
        response = client.get(f"/api/medical/enrolments/{enrolment.pk}")
        assert response.status_code == (200 if key in VISIBLE[role] else 404)
        if response.status_code == 200:
            assert [d["scheme"] for d in response.json()["dues"]] == ["medical"]


def test_register_is_safe_to_repeat_and_refuses_out_of_scope(api, tree, financing):
    mine = PersonFactory(village=tree.village_a1)
    theirs = PersonFactory(village=tree.village_b1)
    client = api(Role.VILLAGE_ASSISTANT)
    body = {"id_number": mine.id_number, "coverage_year": 2026, "enrolled_on": "2025-10-02"}
    first = client.post("/api/medical/enrolments", body)
    assert first.status_code == 201
    assert first.json()["premium"] == "400.00"
    again = client.post("/api/medical/enrolments", body)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    refused = client.post("/api/medical/enrolments", {**body, "id_number": theirs.id_number})
    assert refused.status_code == 422
    assert "不在您的管辖范围内" in refused.content.decode()
    assert MedicalEnrolment.objects.count() == 1
    assert api(Role.LEADER).post("/api/medical/enrolments", body).status_code == 403


def test_financing_fund_and_participation_reads(api, tree, enrolments):
    financing = api(Role.VILLAGE_ASSISTANT).get("/api/medical/financing").json()
    assert {row["coverage_year"] for row in financing} >= set(range(2016, 2028))
    assert api(Role.TOWNSHIP_CLERK).get("/api/medical/fund").status_code == 403
    assert api(Role.FINANCE).get("/api/medical/fund").json() == []
    rows = (
        api(Role.TOWNSHIP_CLERK).get("/api/medical/participation", {"coverage_year": 2026}).json()
    )
    assert [row["code"] for row in rows[:-1]] == [tree.village_a1.code, tree.village_a2.code]
    assert rows[-1]["enrolled"] == 2
    outside = api(Role.TOWNSHIP_CLERK).get(
        "/api/medical/participation",
        {"coverage_year": 2026, "region": tree.township_b.code},
    )
    assert outside.status_code == 404
