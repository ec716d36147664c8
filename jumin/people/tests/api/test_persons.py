"""``/api/persons``: scoping for every role, masking, idempotent writes, audit, bad input."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jumin.core.access import roles_with
from jumin.core.models import AuditEntry, Role
from jumin.core.services.tokens import token_create
from jumin.people import queries
from jumin.people.models import Person
from jumin.testing.factories import (
    HouseholdFactory,
    PersonFactory,
    SpecialStatusFactory,
    make_id_number,
)

ALL_ROLES = list(Role)
READ_ONLY = [role for role in Role if role not in roles_with("person.edit")]
MASKED = [role for role in Role if role not in roles_with("person.view_unmasked")]
# A second valid ID number ending in X, for a second person in one test.
OTHER_ID = "34112519800101004X"


class Api:
    """A bearer-token client for one staff user."""

    def __init__(self, client, user):
        _, key = token_create(acting_user=None, user=user, name="test")
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"}

    def get(self, path, params=None, headers=None):
        return self.client.get(path, params or {}, headers={**self.headers, **(headers or {})})

    def post(self, path, body, headers=None):
        return self._send("post", path, body, headers or {})

    def patch(self, path, body, headers=None):
        return self._send("patch", path, body, headers or {})

    def _send(self, method, path, body, headers):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return getattr(self.client, method)(
            path, data, content_type="application/json", headers={**self.headers, **headers}
        )


@pytest.fixture
def api(client, staff):
    return lambda role: Api(client, staff[role])


@pytest.fixture
def persons(tree):
    """One person in village a1, one in a2 (both township A), one in b1 (township B)."""
    return {
        "a1": PersonFactory(village=tree.village_a1, phone="13912345678"),
        "a2": PersonFactory(village=tree.village_a2),
        "b1": PersonFactory(village=tree.village_b1),
    }


def visible_keys(role) -> set[str]:
    return {
        Role.TOWNSHIP_CLERK: {"a1", "a2"},
        Role.VILLAGE_ASSISTANT: {"a1"},
    }.get(role, {"a1", "a2", "b1"})


def new_person_body(village_code="341125100001", **extra) -> dict:
    id_number = make_id_number(birth_date=datetime.date(1975, 6, 15), sequence=321, sex="female")
    return {"id_number": id_number, "name": "赵秀英", "village_code": village_code, **extra}


# --------------------------------------------------------------------------- scoping


@pytest.mark.parametrize("role", ALL_ROLES)
def test_person_detail_is_404_outside_scope_for_every_role(api, persons, role):
    client = api(role)
    for key, person in persons.items():
        response = client.get(f"/api/persons/{person.pk}")
        expected = 200 if key in visible_keys(role) else 404
        assert response.status_code == expected, (role, key, response.content)
        if expected == 404:
            assert response.json()["code"] == "not_found"
            assert person.name not in response.content.decode()
    missing = client.get("/api/persons/987654321")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


@pytest.mark.parametrize("role", ALL_ROLES)
def test_person_search_lists_only_persons_in_scope_for_every_role(api, persons, role):
    response = api(role).get("/api/persons")
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["items"]}
    assert ids == {persons[key].pk for key in visible_keys(role)}
    assert response.json()["count"] == len(visible_keys(role))


@pytest.mark.parametrize("role", ALL_ROLES)
def test_person_search_by_id_number_does_not_reach_outside_scope(api, persons, role):
    target = persons["b1"]
    response = api(role).get("/api/persons", {"q": target.id_number})
    assert response.status_code == 200
    found = [item["id"] for item in response.json()["items"]]
    assert found == ([target.pk] if "b1" in visible_keys(role) else [])


@pytest.mark.parametrize("role", ALL_ROLES)
def test_person_search_in_a_village_outside_scope_is_404(api, persons, tree, role):
    client = api(role)
    response = client.get("/api/persons", {"village": tree.village_a2.code})
    if "a2" in visible_keys(role):
        assert response.status_code == 200
        assert [item["id"] for item in response.json()["items"]] == [persons["a2"].pk]
    else:
        assert response.status_code == 404
    assert client.get("/api/persons", {"village": "341125109009"}).status_code == 404


@pytest.mark.parametrize("role", ALL_ROLES)
def test_person_update_is_403_without_edit_and_404_outside_scope(api, persons, role):
    client = api(role)
    for key, person in persons.items():
        response = client.patch(f"/api/persons/{person.pk}", {"relation_to_head": "户主"})
        if role in READ_ONLY:
            expected = 403
        else:
            expected = 200 if key in visible_keys(role) else 404
        assert response.status_code == expected, (role, key, response.content)
        person.refresh_from_db()
        assert (person.relation_to_head == "户主") == (expected == 200)
    expected_missing = 403 if role in READ_ONLY else 404
    assert client.patch("/api/persons/987654321", {"phone": ""}).status_code == expected_missing


@pytest.mark.parametrize("role", ALL_ROLES)
def test_person_create_is_403_without_edit_and_refuses_villages_outside_scope(api, tree, role):
    client = api(role)
    inside = client.post("/api/persons", new_person_body(tree.village_a1.code))
    if role in READ_ONLY:
        assert inside.status_code == 403
        assert inside.json()["code"] == "forbidden"
        assert not Person.objects.exists()
        return
    assert inside.status_code == 201, inside.content
    outside = client.post(
        "/api/persons",
        new_person_body(tree.village_b2.code, id_number=OTHER_ID, name="钱多"),
    )
    if role in (Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT):
        assert outside.status_code == 422
        assert outside.json()["errors"][0]["field"] == "village_code"
    else:
        assert outside.status_code == 201


def test_village_assistant_cannot_register_in_the_neighbouring_village(api, tree):
    response = api(Role.VILLAGE_ASSISTANT).post(
        "/api/persons", new_person_body(tree.village_a2.code)
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "village_code", "message": response.json()["errors"][0]["message"]}
    ]
    assert tree.village_a2.code in response.json()["message"]
    assert not Person.objects.exists()


# --------------------------------------------------------------------------- masking


@pytest.mark.parametrize("role", ALL_ROLES)
def test_id_and_phone_are_masked_for_roles_without_unmasked_view(api, persons, role):
    person = persons["a1"]
    person.passbook_number = "6228480012345678"
    person.save()
    client = api(role)
    listed = client.get("/api/persons", {"q": person.id_number}).json()["items"]
    detail = client.get(f"/api/persons/{person.pk}").json()
    if role in MASKED:
        masked_id = person.id_number[:4] + "*" * 10 + person.id_number[-4:]
        assert detail["id_number"] == masked_id
        assert detail["phone"] == "139****5678"
        assert detail["passbook_number"] == "6228********5678"
        assert [item["id_number"] for item in listed] == [masked_id]
        assert listed[0]["phone"] == "139****5678"
    else:
        assert detail["id_number"] == person.id_number
        assert detail["phone"] == "13912345678"
        assert detail["passbook_number"] == "6228480012345678"
        assert listed[0]["id_number"] == person.id_number


def test_masked_roles_are_exactly_finance_and_leader():
    assert set(MASKED) == {Role.FINANCE, Role.LEADER}
    assert set(READ_ONLY) == {Role.FINANCE, Role.LEADER, Role.AUDITOR}


# --------------------------------------------------------------------------- reads


def test_person_detail_shows_statuses_in_force_today_household_and_village(api, tree):
    household = HouseholdFactory(village=tree.village_a1, number="H-0042")
    person = PersonFactory(village=tree.village_a1, household=household)
    current = SpecialStatusFactory(
        person=person,
        kind="subsistence_allowance",
        detail="full",
        valid_from=datetime.date(2020, 1, 1),
    )
    ended = SpecialStatusFactory(
        person=person,
        kind="severe_disability",
        detail="2",
        valid_from=datetime.date(2015, 1, 1),
        valid_to=datetime.date(2019, 12, 31),
    )
    body = api(Role.TOWNSHIP_CLERK).get(f"/api/persons/{person.pk}").json()
    assert body["household_number"] == "H-0042"
    assert (body["village_code"], body["village_name"]) == (tree.village_a1.code, "东门村")
    assert (body["township_code"], body["township_name"]) == (tree.township_a.code, "定城镇")
    statuses = {status["id"]: status for status in body["special_statuses"]}
    assert statuses[current.pk]["in_force"] is True
    assert statuses[current.pk]["kind_label"] == "低保对象"
    assert statuses[ended.pk]["in_force"] is False
    assert statuses[ended.pk]["valid_to"] == "2019-12-31"


def test_person_detail_look_is_audited_with_the_request_id(api, persons, staff):
    person = persons["a1"]
    response = api(Role.AUDITOR).get(
        f"/api/persons/{person.pk}", headers={"X-Request-ID": "look-42"}
    )
    assert response.status_code == 200
    assert response["X-Request-ID"] == "look-42"
    entry = AuditEntry.objects.get(action="people.person.view")
    assert (entry.actor, entry.object_id, entry.request_id) == (
        staff[Role.AUDITOR],
        str(person.pk),
        "look-42",
    )


def test_person_search_matches_id_prefix_and_name_prefix(api, tree):
    wang = PersonFactory(village=tree.village_a1, name="王小明")
    PersonFactory(village=tree.village_a1, name="李四")
    client = api(Role.COUNTY_CLERK)
    by_name = client.get("/api/persons", {"q": "王小"}).json()
    assert [item["id"] for item in by_name["items"]] == [wang.pk]
    by_id = client.get("/api/persons", {"q": wang.id_number[:14]}).json()
    assert wang.pk in [item["id"] for item in by_id["items"]]
    lower_x = client.get("/api/persons", {"q": wang.id_number.lower()}).json()
    assert [item["id"] for item in lower_x["items"]] == [wang.pk]


def test_person_search_pages_with_limit_and_offset(api, tree):
    created = [PersonFactory(village=tree.village_a1, name=f"张{n}") for n in range(7)]
    client = api(Role.COUNTY_ADMIN)
    pages = [
        client.get("/api/persons", {"q": "张", "limit": 3, "offset": offset}).json()
        for offset in (0, 3, 6)
    ]
    assert [page["count"] for page in pages] == [7, 7, 7]
    assert [len(page["items"]) for page in pages] == [3, 3, 1]
    seen = [item["id"] for page in pages for item in page["items"]]
    assert sorted(seen) == sorted(person.pk for person in created)


def test_person_search_query_count_does_not_grow_with_rows(api, tree):
    client = api(Role.COUNTY_ADMIN)
    PersonFactory.create_batch(3, village=tree.village_a1)
    client.get("/api/persons")  # the token's first use is written back once
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/api/persons").json()["items"]) == 3
    PersonFactory.create_batch(30, village=tree.village_b1)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/api/persons").json()["items"]) == 33
    assert len(many) == len(few)


# --------------------------------------------------------------------------- create


def test_person_create_registers_and_audits_with_the_request_id(api, tree, staff):
    response = api(Role.VILLAGE_ASSISTANT).post(
        "/api/persons",
        new_person_body(phone="13800001111", hukou_type="农业", household_number="H1"),
        headers={"X-Request-ID": "create-7"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    person = Person.objects.get(pk=body["id"])
    assert (person.sex, person.birth_date) == ("female", datetime.date(1975, 6, 15))
    assert (body["hukou_type"], body["household_number"]) == ("agricultural", "H1")
    entry = AuditEntry.objects.get(action="people.person.create")
    assert (entry.actor, entry.object_id, entry.request_id) == (
        staff[Role.VILLAGE_ASSISTANT],
        str(person.pk),
        "create-7",
    )


def test_a_passbook_bank_is_set_on_registration_and_changed_by_patch(api):
    """The bank a passbook is with decides the withholding batch a person's dues go to."""
    client = api(Role.COUNTY_CLERK)
    body = new_person_body(passbook_number="6228480012345678", passbook_bank="农商行")
    created = client.post("/api/persons", body)
    assert created.status_code == 201, created.content
    assert created.json()["passbook_bank"] == "农商行"
    person = Person.objects.get(pk=created.json()["id"])
    assert person.passbook_bank == "农商行"
    # the same registration again is a safe repeat; another bank for it is a conflict
    assert client.post("/api/persons", body).status_code == 200
    conflict = client.post("/api/persons", {**body, "passbook_bank": "邮储银行"})
    assert conflict.status_code == 409 and "passbook_bank" in conflict.json()["message"]
    changed = client.patch(f"/api/persons/{person.pk}", {"passbook_bank": "邮储银行"})
    assert changed.status_code == 200, changed.content
    person.refresh_from_db()
    assert person.passbook_bank == changed.json()["passbook_bank"] == "邮储银行"
    detail = client.get(f"/api/persons/{person.pk}").json()
    assert detail["passbook_bank"] == "邮储银行"
    too_long = client.patch(f"/api/persons/{person.pk}", {"passbook_bank": "银" * 21})
    assert too_long.status_code == 422
    assert [e["field"] for e in too_long.json()["errors"]] == ["passbook_bank"]


def test_person_create_twice_registers_one_person_and_one_audit_row(api):
    client = api(Role.TOWNSHIP_CLERK)
    body = new_person_body(phone="13800001111", sex="女")
    first = client.post("/api/persons", body)
    second = client.post("/api/persons", body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Person.objects.count() == 1
    assert AuditEntry.objects.filter(action__startswith="people.person.").count() == 1


def test_person_create_repeated_with_lower_case_x_finds_the_same_person(api):
    client = api(Role.COUNTY_CLERK)
    body = new_person_body(id_number=OTHER_ID, name="钱多")
    assert client.post("/api/persons", body).status_code == 201
    again = client.post("/api/persons", {**body, "id_number": "34112519800101004x"})
    assert again.status_code == 200
    assert Person.objects.count() == 1


def test_person_create_racing_another_request_answers_the_stored_person(api, monkeypatch):
    client = api(Role.TOWNSHIP_CLERK)
    body = new_person_body()
    assert client.post("/api/persons", body).status_code == 201
    real_find = queries.person_find_by_id_number
    calls = []

    def not_yet_visible(user, id_number):
        calls.append(id_number)
        return None if len(calls) == 1 else real_find(user, id_number)

    monkeypatch.setattr(queries, "person_find_by_id_number", not_yet_visible)
    again = client.post("/api/persons", body)
    assert again.status_code == 200, again.content
    assert len(calls) == 2
    assert Person.objects.count() == 1
    assert AuditEntry.objects.filter(action__startswith="people.person.").count() == 1


def test_person_create_with_other_data_for_a_registered_id_is_409(api):
    client = api(Role.TOWNSHIP_CLERK)
    body = new_person_body(phone="13800001111")
    client.post("/api/persons", body)
    response = client.post("/api/persons", {**body, "phone": "13900002222", "name": "赵秀"})
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert "phone" in response.json()["message"] and "name" in response.json()["message"]
    person = Person.objects.get()
    assert (person.phone, person.name) == ("13800001111", "赵秀英")
    assert AuditEntry.objects.filter(action__startswith="people.person.").count() == 1


def test_person_create_for_an_id_registered_outside_scope_is_409_without_details(api, tree):
    other = PersonFactory(village=tree.village_b1, name="孙外乡", phone="13700001234")
    response = api(Role.TOWNSHIP_CLERK).post(
        "/api/persons",
        new_person_body(id_number=other.id_number, name="孙外乡"),
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    text = response.content.decode()
    for detail in (
        tree.village_b1.code,
        tree.village_b1.name,
        "炉桥",
        "13700001234",
    ):
        assert detail not in text
    assert Person.objects.count() == 1
    assert not AuditEntry.objects.filter(action__startswith="people.person.").exists()


# --------------------------------------------------------------------------- update


def test_person_update_changes_only_the_fields_sent_and_audits_reason_and_request_id(
    api, persons, staff
):
    person = persons["a1"]
    name_before = person.name
    response = api(Role.TOWNSHIP_CLERK).patch(
        f"/api/persons/{person.pk}",
        {"phone": "13600009999", "reason": "本人来电更正"},
        headers={"X-Request-ID": "patch-1"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["phone"] == "13600009999"
    person.refresh_from_db()
    assert (person.phone, person.name) == ("13600009999", name_before)
    entry = AuditEntry.objects.get(action="people.person.update")
    assert entry.before == {"phone": "13912345678"}
    assert entry.after == {"phone": "13600009999"}
    assert (entry.reason, entry.request_id, entry.actor) == (
        "本人来电更正",
        "patch-1",
        staff[Role.TOWNSHIP_CLERK],
    )


def test_person_update_twice_with_the_same_data_writes_one_audit_row(api, persons):
    client = api(Role.COUNTY_CLERK)
    path = f"/api/persons/{persons['b1'].pk}"
    for _ in range(2):
        assert client.patch(path, {"phone": "13600009999"}).status_code == 200
    assert AuditEntry.objects.filter(action="people.person.update").count() == 1


def test_person_update_moves_to_another_village_and_renames_the_error_field(api, persons, tree):
    client = api(Role.TOWNSHIP_CLERK)
    path = f"/api/persons/{persons['a1'].pk}"
    moved = client.patch(path, {"village_code": tree.village_a2.code})
    assert moved.status_code == 200
    assert moved.json()["village_name"] == "西门村"
    refused = client.patch(path, {"village_code": tree.village_b1.code})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "village_code"
    persons["a1"].refresh_from_db()
    assert persons["a1"].village_id == tree.village_a2.code


def test_person_update_cannot_change_the_id_number_or_send_nothing(api, persons):
    client = api(Role.COUNTY_ADMIN)
    path = f"/api/persons/{persons['a1'].pk}"
    refused = client.patch(path, {"id_number": OTHER_ID})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "id_number"
    assert client.patch(path, {}).status_code == 422
    assert client.patch(path, {"reason": "只写原因"}).status_code == 422
    assert client.patch(path, {"name": "王\x00"}).status_code == 422
    assert not AuditEntry.objects.filter(action="people.person.update").exists()


# --------------------------------------------------------------------------- bad input


def test_malformed_json_is_400_not_500(api):
    client = api(Role.COUNTY_CLERK)
    for body in ("{bad json", '{"name": "张三",', "\xff\xfe", "[1, 2"):
        response = client.post("/api/persons", body)
        assert response.status_code == 400, body
        assert response.json()["code"] == "bad_request"
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": 123}, "name"),
        ({"village_code": 341125100001}, "village_code"),
        ({"birth_date": "1975-13-45"}, "birth_date"),
        ({"death_date": "昨天"}, "death_date"),
        ({"household_number": ["H1"]}, "household_number"),
        ({"name": "张" * 51}, "name"),
        ({"name": "张" * 5000}, "name"),
        ({"village_code": "341125199999"}, "village_code"),
        ({"village_code": "3411251000011"}, "village_code"),
        ({"id_number": "341125197506150001"}, "id_number"),
        ({"id_number": "3" * 5000}, "id_number"),
        ({"sex": "男"}, "sex"),
        ({"birth_date": "1975-06-16"}, "birth_date"),
        ({"phone": "12345"}, "phone"),
        ({"hukou_type": "外星"}, "hukou_type"),
        ({"death_date": "2999-01-01"}, "death_date"),
        ({"favourite_colour": "red"}, "favourite_colour"),
        ({"household_number": "H" * 31}, "household_number"),
        ({"relation_to_head": "户" * 21}, "relation_to_head"),
        ({"name": "王\x00伟"}, "name"),
        ({"household_number": "H\x00"}, "household_number"),
        ({"relation_to_head": "\x00"}, "relation_to_head"),
        ({"id_number": "\x00"}, "id_number"),
    ],
)
def test_person_create_bad_field_is_422_naming_the_field(api, body, field):
    response = api(Role.COUNTY_CLERK).post("/api/persons", {**new_person_body(), **body})
    assert response.status_code == 422, response.content
    payload = response.json()
    assert payload["code"] == "validation_error"
    assert field in [error["field"] for error in payload["errors"]]
    assert all(error["message"] for error in payload["errors"])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in payload["message"])
    assert not Person.objects.exists()


def test_person_create_missing_fields_and_wrong_shapes_are_422(api):
    client = api(Role.COUNTY_CLERK)
    missing = client.post("/api/persons", {"name": "张三"})
    assert missing.status_code == 422
    assert {"id_number", "village_code"} <= {e["field"] for e in missing.json()["errors"]}
    for body in ([], [new_person_body()], None, "text", 42):
        response = client.post("/api/persons", json.dumps(body))
        assert response.status_code == 422, body
        assert response.json()["code"] == "validation_error"
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 100000},
        {"offset": -1},
        {"limit": "many"},
        {"village": "abc"},
        {"q": "张" * 51},
        {"q": "王\x00"},
        {"village": "34112510000\x00"},
    ],
)
def test_person_search_bad_parameters_are_422(api, params):
    response = api(Role.COUNTY_CLERK).get("/api/persons", params)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


@pytest.mark.parametrize("person_id", ["abc", "99999999999999999999", "-1", "0", "1.5"])
def test_person_odd_ids_never_answer_500(api, persons, person_id):
    client = api(Role.COUNTY_ADMIN)
    assert client.get(f"/api/persons/{person_id}").status_code in (404, 422)
    assert client.patch(f"/api/persons/{person_id}", {"phone": ""}).status_code in (404, 422)


def test_every_person_endpoint_needs_authentication(client, persons):
    person = persons["a1"]
    for method, path, body in (
        ("get", "/api/persons", None),
        ("get", f"/api/persons/{person.pk}", None),
        ("post", "/api/persons", new_person_body()),
        ("patch", f"/api/persons/{person.pk}", {"phone": ""}),
    ):
        kwargs = {"content_type": "application/json", "data": json.dumps(body)} if body else {}
        response = getattr(client, method)(path, **kwargs)
        assert response.status_code == 401, (method, path)
        assert response.json()["code"] == "unauthenticated"
    assert not AuditEntry.objects.filter(action__startswith="people.person.").exists()
