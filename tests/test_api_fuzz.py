"""Schemathesis over the whole OpenAPI document: no input makes the API answer 5xx, and the
answers have the documented shape.

Every operation of ``/api/openapi.json`` is called with generated requests — valid ones and
deliberately wrong ones (types, lengths, control characters, huge numbers, odd dates) — as a
county administrator and as a village assistant, on the small world of ``tests/conftest.py``.
The budget is fixed and the generation deterministic (``derandomize``), so CI sees the same
requests on every run; raise ``EXAMPLES`` locally to search harder
(``JUMIN_FUZZ_EXAMPLES=200 pytest tests/test_api_fuzz.py``).
"""

import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from jumin.core.models import Role
from jumin.core.services.tokens import token_create

EXAMPLES = int(os.environ.get("JUMIN_FUZZ_EXAMPLES", "6"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def token_of(world, role) -> str:
    _, key = token_create(acting_user=None, user=world["staff"][role])
    return key


@pytest.fixture
def county_admin_token(world) -> str:
    return token_of(world, Role.COUNTY_ADMIN)


@pytest.fixture
def village_assistant_token(world) -> str:
    return token_of(world, Role.VILLAGE_ASSISTANT)


@pytest.fixture
def wsgi_application():
    """Django's WSGI handler in the test's own transaction.

    Django's test client keeps the test's database connection open across requests by
    disconnecting ``close_old_connections`` from the request signals; a WSGI call needs the
    same, or the first request would close the connection inside the test transaction.
    """
    application = get_wsgi_application()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def openapi_document() -> dict:
    """The document ``/api/openapi.json`` serves, built in process (no request needed)."""
    from jumin.api import api

    return json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/"), default=str))


def load_schema(*, phases: list[str]):
    loaded = schemathesis.openapi.from_dict(openapi_document())
    loaded.config.generation.update(max_examples=EXAMPLES, deterministic=True)
    loaded.config.phases.update(phases=phases)
    return loaded


# The county administrator may call everything: the deterministic boundary cases of every
# parameter (schemathesis' coverage phase: empty, too long, huge, wrong type, ...) and
# generated requests. The village assistant, refused or scoped on most operations: generated
# requests only, which keeps the whole run within a minute on two cores.
every_case = load_schema(phases=["examples", "coverage", "fuzzing"])
generated_cases = load_schema(phases=["examples", "fuzzing"])


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def call_as(case, token: str, application) -> None:
    case.call_and_validate(
        app=application, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
    )


@every_case.parametrize()
@FUZZ_SETTINGS
def test_no_request_of_a_county_administrator_makes_a_server_error(
    case, county_admin_token, wsgi_application
):
    call_as(case, county_admin_token, wsgi_application)


@generated_cases.parametrize()
@FUZZ_SETTINGS
def test_no_request_of_a_village_assistant_makes_a_server_error(
    case, village_assistant_token, wsgi_application
):
    call_as(case, village_assistant_token, wsgi_application)
