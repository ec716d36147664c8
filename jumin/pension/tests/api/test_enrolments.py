"""``/api/enrolments``: scoping for every role, idempotent register and grade, acts, errors."""

import datetime
from decimal import Decimal

import pytest

from jumin.collection.models import Due, DueStep
from jumin.core.models import AuditEntry, Role
from jumin.pension.models import Enrolment, EnrolmentStatus, GradeChoice
from jumin.pension.services import enrolment as services
from jumin.pension.tests.enrolling import adult, enrol_paying
from jumin.pension.tests.factories import PensionDueFactory
from jumin.people.tests.api.test_persons import Api

Status = EnrolmentStatus
COUNTY_ROLES = [Role.COUNTY_ADMIN, Role.COUNTY_CLERK, Role.FINANCE, Role.AUDITOR, Role.LEADER]
VISIBLE = {
    Role.TOWNSHIP_CLERK: {"a1", "a2"},
    Role.VILLAGE_ASSISTANT: {"a1"},
    **{role: {"a1", "a2", "b1"} for role in COUNTY_ROLES},
}


@pytest.fixture
def api(client, staff):
    return lambda role: Api(client, staff[role])


def put(api_client, path, body):
    return api_client._send("put", path, body, {})


@pytest.mark.parametrize("role", list(Role))
def test_list_and_get_are_scoped_for_every_role(api, enrolments, role):
    client = api(role)
    response = client.get("/api/enrolments")
    assert response.status_code == 200
    body = response.json()
    assert {item["id"] for item in body["items"]} == {enrolments[key].pk for key in VISIBLE[role]}
    assert body["count"] == len(VISIBLE[role])
    for key, enrolment in enrolments.items():
        answer = client.get(f"/api/enrolments/{enrolment.pk}")
        if key in VISIBLE[role]:
            assert answer.status_code == 200
            assert answer.json()["events"][0]["kind"] == "applied"
        else:
            assert answer.status_code == 404
            assert answer.json()["code"] == "not_found"


@pytest.mark.parametrize("role", [Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT])
def test_acts_outside_scope_are_404(api, enrolments, role):
    client = api(role)
    pk = enrolments["b1"].pk
    for path, body in (
        ("approve", {}),
        ("reject", {"reason": "x"}),
        ("pause", {"reason": "other"}),
        ("resume", {}),
        ("close", {"reason": "death"}),
    ):
        response = client.post(f"/api/enrolments/{pk}/{path}", body)
        assert response.status_code == 404, path
    assert Enrolment.objects.get(pk=pk).status == Status.PENDING_TOWNSHIP


def test_list_filters_status_village_and_pages(api, tree, enrolments, staff):
    services.enrolment_township_approve(
        acting_user=staff[Role.TOWNSHIP_CLERK], enrolment=enrolments["a1"]
    )
    client = api(Role.COUNTY_CLERK)
    body = client.get("/api/enrolments", {"status": "pending_county"}).json()
    assert [item["id"] for item in body["items"]] == [enrolments["a1"].pk]
    body = client.get("/api/enrolments", {"village": tree.village_b1.code}).json()
    assert [item["id"] for item in body["items"]] == [enrolments["b1"].pk]
    body = client.get("/api/enrolments", {"page": 2, "page_size": 2}).json()
    assert (body["count"], len(body["items"])) == (3, 1)
    body = client.get("/api/enrolments", {"mine": "true"}).json()
    assert [item["id"] for item in body["items"]] == [enrolments["a1"].pk]
    bad = client.get("/api/enrolments", {"status": "sleeping"})
    assert bad.status_code == 422 and "状态" in bad.json()["message"]
    township = api(Role.TOWNSHIP_CLERK)
    assert township.get("/api/enrolments", {"village": tree.village_b1.code}).status_code == 404


def test_register_is_idempotent(api, tree, plan):
    person = adult(tree.village_a1)
    client = api(Role.VILLAGE_ASSISTANT)
    body = {"id_number": person.id_number, "grade": "300"}
    first = client.post("/api/enrolments", body)
    assert first.status_code == 201
    assert first.json()["status"] == "pending_township"
    assert first.json()["first_grade"] == "300.00" or Decimal(first.json()["first_grade"]) == 300
    again = client.post("/api/enrolments", body)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Enrolment.objects.filter(person=person).count() == 1
    assert AuditEntry.objects.filter(action="pension.enrolment.register").count() == 1


def test_register_errors_name_the_field(api, tree, plan):
    client = api(Role.VILLAGE_ASSISTANT)
    response = client.post("/api/enrolments", {"id_number": "12345"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "id_number"
    assert "身份证号" in response.json()["message"]
    neighbour = adult(tree.village_a2)
    response = client.post("/api/enrolments", {"id_number": neighbour.id_number})
    assert response.status_code == 422 and "不在您的管辖范围内" in response.json()["message"]
    student = adult(tree.village_a1)
    response = client.post(
        "/api/enrolments", {"id_number": student.id_number, "full_time_student": True}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "person", "message": "在校学生不参加城乡居保"}]
    response = client.post("/api/enrolments", {"id_number": student.id_number, "grade": "250"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "amount"
    response = client.post("/api/enrolments", {"id_number": student.id_number, "extra": 1})
    assert response.status_code == 422


@pytest.mark.parametrize("role", [Role.FINANCE, Role.AUDITOR, Role.LEADER])
def test_register_is_403_for_roles_without_permission(api, tree, plan, role):
    person = adult(tree.village_a1)
    response = api(role).post("/api/enrolments", {"id_number": person.id_number})
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_flow_through_the_api(api, tree, plan):
    person = adult(tree.village_a1)
    pk = api(Role.VILLAGE_ASSISTANT).post("/api/enrolments", {"id_number": person.id_number})
    pk = pk.json()["id"]
    # the county may not take the township's step
    assert api(Role.COUNTY_CLERK).post(f"/api/enrolments/{pk}/approve", {}).status_code == 403
    answer = api(Role.TOWNSHIP_CLERK).post(f"/api/enrolments/{pk}/approve", {})
    assert answer.status_code == 200 and answer.json()["status"] == "pending_county"
    assert api(Role.FINANCE).post(f"/api/enrolments/{pk}/approve", {}).status_code == 403
    answer = api(Role.COUNTY_CLERK).post(f"/api/enrolments/{pk}/approve", {})
    assert answer.json()["status"] == "paying" and answer.json()["registered_on"]
    county = api(Role.COUNTY_CLERK)
    answer = county.post(f"/api/enrolments/{pk}/pause", {"reason": "nonsense"})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "reason"
    answer = county.post(f"/api/enrolments/{pk}/pause", {"reason": "imprisoned"})
    assert answer.json()["status"] == "paused" and answer.json()["pause_reason"] == "imprisoned"
    answer = county.post(f"/api/enrolments/{pk}/resume", {})
    assert answer.json()["status"] == "paying"
    township = api(Role.TOWNSHIP_CLERK)
    assert township.post(f"/api/enrolments/{pk}/close", {"reason": "death"}).status_code == 403
    answer = county.post(f"/api/enrolments/{pk}/close", {"reason": "other_pension"})
    assert answer.json()["status"] == "terminated"
    assert [event["kind"] for event in answer.json()["events"]] == [
        "applied",
        "township_approved",
        "county_approved",
        "paused",
        "resumed",
        "closed",
    ]


def test_reject_through_the_api_needs_a_reason(api, enrolments):
    client = api(Role.TOWNSHIP_CLERK)
    pk = enrolments["a1"].pk
    response = client.post(f"/api/enrolments/{pk}/reject", {"reason": " "})
    assert response.status_code == 422 and "原因" in response.json()["message"]
    response = client.post(f"/api/enrolments/{pk}/reject", {"reason": "材料不全"})
    assert response.json()["status"] == "rejected"
    assert response.json()["rejection_reason"] == "材料不全"


def test_put_grade_is_idempotent_and_reprices_the_open_due(api, tree, staff, plan):
    person = adult(tree.village_a1)
    enrolment = enrol_paying(staff, person)
    due = PensionDueFactory(person=person, plan=plan, amount="100", enrolment=enrolment)
    client = api(Role.VILLAGE_ASSISTANT)
    body = {"id_number": person.id_number, "year": plan.year, "amount": "800"}
    first = put(client, "/api/enrolments/grades", body)
    assert first.status_code == 200 and Decimal(first.json()["amount"]) == Decimal("800")
    again = put(client, "/api/enrolments/grades", body)
    assert again.status_code == 200
    assert GradeChoice.objects.filter(person=person).count() == 1
    assert AuditEntry.objects.filter(action="pension.grade.choose").count() == 1
    due.refresh_from_db()
    assert due.amount == Decimal("800")
    bad = put(client, "/api/enrolments/grades", {**body, "amount": "850"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "amount"
    assert "可选档次" in bad.json()["message"]
    Due.objects.filter(pk=due.pk).transition(
        DueStep.CASH_PAID,
        channel="cash",
        paid_amount=due.amount,
        paid_on=datetime.date(plan.year, 3, 1),
        payment_reference="X-1",
    )
    locked = put(client, "/api/enrolments/grades", {**body, "amount": "900"})
    assert locked.status_code == 422
    assert "本年度已缴费或正在代扣，不能再改档次" in locked.json()["message"]


def test_put_grade_scoping_and_permission(api, tree, staff, plan):
    neighbour = adult(tree.village_a2)
    enrol_paying(staff, neighbour)
    body = {"id_number": neighbour.id_number, "year": plan.year, "amount": "200"}
    assert put(api(Role.VILLAGE_ASSISTANT), "/api/enrolments/grades", body).status_code == 422
    assert put(api(Role.FINANCE), "/api/enrolments/grades", body).status_code == 403
    assert put(api(Role.TOWNSHIP_CLERK), "/api/enrolments/grades", body).status_code == 200
    assert not GradeChoice.objects.filter(amount=Decimal("100")).exists()


def test_api_needs_a_token(client, enrolments):
    assert client.get("/api/enrolments").status_code == 401
