"""The OpenAPI document: one schema per name, the error answers listed on every operation,
and who may read the document and the docs page."""

import json

import pytest
from ninja.openapi.schema import OpenAPISchema

from jumin.core.models import Role
from jumin.core.services.tokens import token_create

WRITE_METHODS = {"post", "put", "patch", "delete"}


def build_document(monkeypatch=None) -> tuple[dict, list[str]]:
    """The document, and the schema names ninja was given two different definitions for
    (it keeps the last one silently: an operation would then describe another's answer)."""
    from jumin.api import api

    clashes: list[str] = []
    if monkeypatch is not None:
        seen: dict[str, dict] = {}
        original = OpenAPISchema.add_schema_definitions

        def checking(self, definitions):
            for name, definition in definitions.items():
                if seen.setdefault(name, definition) != definition:
                    clashes.append(name)
            return original(self, definitions)

        monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", checking)
    document = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/"), default=str))
    return document, clashes


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_schema_name_stands_for_one_schema(monkeypatch):
    document, clashes = build_document(monkeypatch)
    assert clashes == []
    names = set(document["components"]["schemas"])
    # pydantic's disambiguated names (module path with "__") would mean a clash inside one model
    assert not [name for name in names if "__" in name]
    assert {"JobOut", "PostingStartOut", "ErrorOut"} <= names
    started = document["paths"]["/api/postings"]["post"]["responses"]["202"]
    assert started["content"]["application/json"]["schema"]["$ref"].endswith("/PostingStartOut")
    job = document["paths"]["/api/jobs/{job_id}"]["get"]["responses"]["200"]
    assert job["content"]["application/json"]["schema"]["$ref"].endswith("/JobOut")
    assert "percent" in document["components"]["schemas"]["JobOut"]["properties"]


def test_every_operation_lists_its_error_answers():
    document, _ = build_document()
    missing = []
    for path, method, operation in operations(document):
        statuses = set(operation["responses"])
        expected = {"401"}
        if "requestBody" in operation:
            expected |= {"400", "422"}
        parameters = operation.get("parameters", [])
        if parameters:
            expected.add("422")
        if any(parameter["in"] == "path" for parameter in parameters):
            expected.add("404")
        if method in WRITE_METHODS:
            expected.add("403")
        if expected - statuses:
            missing.append(f"{method.upper()} {path}: {sorted(expected - statuses)}")
        for status, answer in operation["responses"].items():
            if int(status) >= 400:
                schema = answer["content"]["application/json"]["schema"]
                assert schema["$ref"].endswith("/ErrorOut"), (path, method, status)
    assert missing == []


def test_a_body_ninja_cannot_parse_answers_the_listed_400(client, staff):
    _, key = token_create(acting_user=None, user=staff[Role.FINANCE])
    response = client.post(
        "/api/postings",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
    document, _ = build_document()
    assert "400" in document["paths"]["/api/postings"]["post"]["responses"]


# --------------------------------------------------------------------------- who may read it


def test_the_docs_page_sends_an_anonymous_visitor_to_login(client, db):
    response = client.get("/api/docs")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/api/docs")


@pytest.mark.parametrize("role", list(Role))
def test_signed_in_staff_read_the_docs_page_and_the_document(client, staff, role):
    client.force_login(staff[role])
    assert client.get("/api/docs").status_code == 200
    assert client.get("/api/openapi.json").status_code == 200


def test_the_document_answers_a_token_and_refuses_anonymous_callers(client, staff):
    anonymous = client.get("/api/openapi.json")
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "unauthenticated"
    assert anonymous["WWW-Authenticate"].startswith("Bearer")
    user = staff[Role.COUNTY_CLERK]
    _, key = token_create(acting_user=None, user=user)
    headers = {"Authorization": f"Bearer {key}"}
    document = client.get("/api/openapi.json", headers=headers)
    assert document.status_code == 200 and "/api/persons" in document.json()["paths"]
    assert (
        client.get("/api/openapi.json", headers={"Authorization": "Bearer nope"}).status_code == 401
    )
    # a token is for the machine-readable document, not for the browser page
    assert client.get("/api/docs", headers=headers).status_code == 302
    user.is_active = False
    user.save()
    assert client.get("/api/openapi.json", headers=headers).status_code == 401
