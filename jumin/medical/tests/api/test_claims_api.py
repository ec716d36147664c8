"""``/api/medical/claims``: a hospital token sees and submits only its own claims; staff by
region; trial == real; refusals name the field."""

import json

import pytest

from jumin.core.models import Role
from jumin.medical.services.hospitals import hospital_token_create
from jumin.medical.tests.factories import MedicalEnrolmentFactory
from jumin.people.tests.api.test_persons import Api
from jumin.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db
URL = "/api/medical/claims"


def body(person, hospital, invoice="INV-1", **extra):
    return {
        "id_number": person.id_number,
        "hospital_code": hospital.code,
        "kind": "inpatient",
        "invoice_number": invoice,
        "admission_date": "2026-03-01",
        "discharge_date": "2026-03-08",
        "diagnosis": "K35.8",
        "total": "60000.00",
        "lines": [
            {"code": "S1", "name": "手术费", "line_class": "a", "amount": "20000"},
            {"code": "S2", "name": "床位费", "line_class": "a", "amount": "6000"},
            {"code": "S3", "name": "护理费", "line_class": "a", "amount": "20000"},
            {"code": "D1", "name": "乙类药品", "line_class": "b", "amount": "10000"},
            {"code": "D2", "name": "自费耗材", "line_class": "self", "amount": "4000"},
        ],
        **extra,
    }


class HospitalApi(Api):
    def __init__(self, client, hospital):
        _, key = hospital_token_create(acting_user=None, hospital=hospital)
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"}


def test_hospital_submits_e10_and_sees_only_its_own_claims(
    client, staff, hospitals, resident, resident_b
):
    county = HospitalApi(client, hospitals["level_2"])
    trial = county.post(URL + "/trial", body(resident, hospitals["level_2"]))
    assert trial.status_code == 200, trial.content
    assert (trial.json()["basic"], trial.json()["critical_illness"], trial.json()["patient"]) == (
        "38080.00",
        "1152.00",
        "20768.00",
    )
    created = county.post(URL, body(resident, hospitals["level_2"]))
    assert created.status_code == 201, created.content
    settled = created.json()["settlement"]
    assert {
        k: settled[k] for k in ("basic", "critical_illness", "assistance", "patient", "explanation")
    } == {
        k: trial.json()[k]
        for k in ("basic", "critical_illness", "assistance", "patient", "explanation")
    }
    repeat = county.post(URL, body(resident, hospitals["level_2"]))
    assert repeat.status_code == 200 and repeat.json()["id"] == created.json()["id"]
    township = HospitalApi(client, hospitals["township"])
    township.post(URL, body(resident_b, hospitals["township"], invoice="T-1"))
    claim_id = created.json()["id"]
    assert township.get(f"{URL}/{claim_id}").status_code == 404
    assert [item["invoice_number"] for item in township.get(URL).json()["items"]] == ["T-1"]
    assert county.get(f"{URL}/{claim_id}").status_code == 200
    # another hospital's code
    refused = township.post(URL, body(resident, hospitals["level_2"], invoice="X"))
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "hospital_code"
    # a hospital token is unknown to every other router
    assert township.get("/api/persons").status_code == 401


def test_staff_scoping_for_every_role(client, staff, hospitals, resident, resident_b):
    county = HospitalApi(client, hospitals["level_2"])
    county.post(URL, body(resident, hospitals["level_2"], invoice="A"))
    county.post(URL, body(resident_b, hospitals["level_2"], invoice="B"))
    for role, expected in {
        Role.COUNTY_ADMIN: {"A", "B"},
        Role.COUNTY_CLERK: {"A", "B"},
        Role.FINANCE: {"A", "B"},
        Role.AUDITOR: {"A", "B"},
        Role.LEADER: {"A", "B"},
        Role.TOWNSHIP_CLERK: {"A"},
        Role.VILLAGE_ASSISTANT: {"A"},
    }.items():
        answer = Api(client, staff[role]).get(URL)
        assert {item["invoice_number"] for item in answer.json()["items"]} == expected, role


def test_refusals_name_the_field(client, staff, tree, hospitals, policy):
    outsider = PersonFactory(village=tree.village_a1)  # not enrolled
    waiting = PersonFactory(village=tree.village_a2)
    MedicalEnrolmentFactory(person=waiting, covered_from="2026-04-01")
    county = HospitalApi(client, hospitals["level_2"])
    answer = county.post(URL, body(outsider, hospitals["level_2"]))
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "admission_date"
    assert "未参加 2026 年度" in answer.json()["message"]
    answer = county.post(URL, body(waiting, hospitals["level_2"]))
    assert "等待期" in answer.json()["message"]
    bad = body(
        waiting, hospitals["level_2"], total="59999.00", discharge_date="2026-02-01", diagnosis="XX"
    )
    answer = county.post(URL, bad)
    fields = {error["field"] for error in answer.json()["errors"]}
    assert answer.status_code == 422 and "discharge_date" in fields
    answer = county.post(URL, json.dumps({"id_number": "1"}))
    assert answer.status_code == 422
