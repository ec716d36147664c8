"""API plumbing: token and session authentication, JSON errors, the OpenAPI document and docs."""

import json
import re

import pytest
from django.test import Client

from jumin.core.models import ApiToken, Role
from jumin.core.services.tokens import token_create, token_revoke
from jumin.testing.factories import TEST_PASSWORD, PersonFactory


def bearer(user) -> dict:
    _, key = token_create(acting_user=None, user=user)
    return {"Authorization": f"Bearer {key}"}


# --------------------------------------------------------------------------- token auth


def test_token_authenticates_and_marks_the_token_used(client, staff):
    user = staff[Role.COUNTY_CLERK]
    response = client.get("/api/regions", headers=bearer(user))
    assert response.status_code == 200
    assert [region["code"] for region in response.json()] == [user.region_id]
    assert ApiToken.objects.get(user=user).last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer ",
        "Bearer jm_not-a-real-token",
        "Bearer " + "x" * 5000,
        "Basic dXNlcjpwYXNz",
        "Token abc",
    ],
)
def test_missing_or_unknown_token_is_401(client, tree, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.get("/api/regions", headers=headers)
    assert response.status_code == 401
    assert response.json() == {
        "code": "unauthenticated",
        "message": response.json()["message"],
        "errors": [],
    }
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "令牌" in response.content.decode("utf-8")  # Chinese as is, not \u-escaped


def test_revoked_token_is_401(client, staff):
    user = staff[Role.TOWNSHIP_CLERK]
    token, key = token_create(acting_user=None, user=user)
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/regions", headers=headers).status_code == 200
    token_revoke(acting_user=None, user=user, prefix=token.prefix)
    assert client.get("/api/regions", headers=headers).status_code == 401


def test_token_of_an_inactive_user_is_401(client, staff):
    user = staff[Role.TOWNSHIP_CLERK]
    headers = bearer(user)
    user.is_active = False
    user.save()
    assert client.get("/api/regions", headers=headers).status_code == 401


def test_token_writes_need_no_csrf(staff, tree):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/persons",
        json.dumps(
            {
                "id_number": "34112519800101004X",
                "name": "钱多",
                "village_code": tree.village_a1.code,
            }
        ),
        content_type="application/json",
        headers=bearer(staff[Role.TOWNSHIP_CLERK]),
    )
    assert response.status_code == 201, response.content


# --------------------------------------------------------------------------- session auth


def login(client, user):
    response = client.post("/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_session_of_a_logged_in_user_reads_the_api(client, staff):
    login(client, staff[Role.VILLAGE_ASSISTANT])
    response = client.get("/api/regions")
    assert response.status_code == 200
    assert [region["code"] for region in response.json()] == ["341125100001"]


def test_session_write_without_csrf_token_is_refused(staff, tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    person = PersonFactory(village=tree.village_a1)
    response = client.patch(
        f"/api/persons/{person.pk}", json.dumps({"phone": ""}), content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    person.refresh_from_db()
    assert person.phone != ""


def test_session_write_with_csrf_token_is_accepted(staff, tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    client.get("/api/docs")  # the docs page sets the CSRF cookie, as in a browser
    token = client.cookies["csrftoken"].value
    person = PersonFactory(village=tree.village_a1)
    response = client.patch(
        f"/api/persons/{person.pk}",
        json.dumps({"phone": ""}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert person.phone == ""


def test_anonymous_write_is_401_not_a_csrf_failure(tree):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/persons", "{}", content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


# --------------------------------------------------------------------------- documents


def test_openapi_document_renders_every_endpoint(client, tree, staff):
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    paths = set(document["paths"])
    assert {
        "/api/persons",
        "/api/persons/{person_id}",
        "/api/regions",
        "/api/regions/{code}",
        "/api/jobs/{job_id}",
    } <= paths
    assert set(document["paths"]["/api/persons"]) == {"get", "post"}
    assert set(document["paths"]["/api/persons/{person_id}"]) == {"get", "patch"}
    schemes = document["components"]["securitySchemes"]
    assert any(scheme.get("scheme") == "bearer" for scheme in schemes.values())
    assert "village_code" in document["components"]["schemas"]["PersonIn"]["properties"]
    create = document["paths"]["/api/persons"]["post"]["responses"]
    assert {"200", "201", "401", "403", "409", "422"} <= set(create)
    assert create["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")


def test_docs_page_loads_nothing_from_outside(client, tree, staff):
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", html, re.IGNORECASE)
    # the words are looked for in what the page loads, not in the whole page: a random CSRF
    # token or CSP nonce may spell "cdn" by chance (which made this test flaky)
    addresses = " ".join(re.findall(r"(?:src|href|url)\s*[=(]\s*[\"']?([^\"'\s>)]+)", html))
    assert "/static/" in addresses
    for word in ("cdn", "jsdelivr", "unpkg", "cdnjs", "googleapis"):
        assert word not in addresses.lower()
    assert '"validatorUrl": null' in html  # no badge fetched from validator.swagger.io
    assets = re.findall(r"(?:src|href)=\"([^\"]+)\"", html)
    assert any(asset.endswith(".js") for asset in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        served = client.get(asset)
        assert served.status_code == 200, asset
        served.close()


# --------------------------------------------------------------------------- error shape


def test_unknown_api_path_is_404(client, staff):
    response = client.get("/api/persons/1/nothing-here", headers=bearer(staff[Role.COUNTY_ADMIN]))
    assert response.status_code == 404
