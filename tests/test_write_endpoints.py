"""Every write endpoint × every role: a role without the permission gets 403 and nothing is
written; nobody writes under a read permission (the leader, the auditor, village assistants).

The endpoints are discovered, not listed: every URL pattern whose view accepts POST (its
``require_http_methods`` list, or any method when it has none) and every API operation with
POST/PUT/PATCH/DELETE in the OpenAPI document. A new page or operation is covered as it is
added. URL arguments are filled by converter (every object of the "world" below has the primary
key ``WORLD_PK``, so ``<int:pk>`` of any model finds one); API bodies are built from the
operation's JSON schema, so they pass validation and reach the permission check.

For each request the test records which permissions the code asked for (``access.require`` and
``require_any``, wherever they were imported) and counts the rows of every table (audit trail included) before and
after; each request runs in a transaction rolled back afterwards, so every role meets the same
world. It then holds:

* anything written was written under a write permission (not a ``*.view`` one) the role holds;
* a 403 wrote nothing, and an API 403 is the JSON error ``forbidden``;
* every write endpoint asks for at least one write permission, and a role holding none of the
  write permissions it asks for gets 403 — whatever it sent (a township's or village's role
  may get 404 instead, for a county-level object outside its scope).
"""

import dataclasses
import datetime
import functools
import json
import sys
import uuid
from decimal import Decimal

import pytest
import time_machine
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, StringConverter, UUIDConverter

from jumin.collection.models import (
    BankStatementFile,
    Deposit,
    DueKind,
    DueStatus,
    LineResult,
    Receipt,
    ReceiptBook,
    ReceiptStatus,
    Reconciliation,
    TaxPaymentFile,
    WithholdingBatch,
    WithholdingLine,
)
from jumin.core import access, registration
from jumin.core.access import COUNTY_ROLES
from jumin.core.models import JobRun, JobStatus, Role
from jumin.core.services.tokens import token_create
from jumin.medical.models import Claim
from jumin.medical.tests.factories import HospitalFactory, MedicalEnrolmentFactory, seed_policy
from jumin.pension.models import (
    AccountEntry,
    Award,
    AwardStatus,
    ContributionDue,
    DeathReport,
    DeathSource,
    Enrolment,
    EnrolmentStatus,
    EntrySource,
    GradeChoice,
    Payroll,
    Recovery,
)
from jumin.pension.services.plans import plan_data_from_file, plan_seed
from jumin.people.models import Household, SpecialStatus, SpecialStatusKind
from jumin.testing.factories import PersonFactory, StaffFactory

WORLD_PK = 424242
WORLD_JOB = uuid.UUID("00000000-0000-4000-8000-000000424242")
YEAR = 2026
MONTH = f"{YEAR}-03"
VILLAGE = "341125100001"  # village A1 of conftest's tree: every role's scope covers it
NOW = datetime.datetime(YEAR, 3, 20, 2, 0, tzinfo=datetime.UTC)  # 10:00 in the county

# Every signed-in user's own acts, with no permission to hold: signing in and out, changing
# one's own password.
SELF_SERVICE = {"core:login", "core:logout", "core:password_change"}
# The Django admin has its own permission system and is closed to everyone but the county
# administrator (AdminOnlyForAdministratorsMiddleware, test_core); the API is walked below.
NOT_PAGES = ("admin/", "api/")
# Tables whose rows change without anyone writing business data.
UNCOUNTED_APPS = {"sessions", "axes", "contenttypes"}
WRITE_METHODS = ("post", "put", "patch", "delete")


def is_read_permission(permission: str) -> bool:
    return permission.endswith(".view") or permission.endswith(".view_unmasked")


def refusals(role) -> set[int]:
    """How a role without the permission is refused. County roles see the whole world, so
    only 403 will do; a township's or village's role may get 404 first, for a county-level
    object (a withholding batch, a tax file) outside its scope."""
    return {403} if role in COUNTY_ROLES else {403, 404}


def write_permissions_of(role) -> set[str]:
    return {
        permission
        for permission, roles in registration.permissions().items()
        if role in roles and not is_read_permission(permission)
    }


# --------------------------------------------------------------------------- discovery


@dataclasses.dataclass(frozen=True)
class Endpoint:
    kind: str  # "page" or "api"
    name: str  # URL name, or METHOD + path of the operation
    method: str
    url: str

    def __str__(self):
        return f"{self.kind} {self.name}"


def _patterns(resolver, prefix="", namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _patterns(pattern, prefix + str(pattern.pattern), inner or namespace)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield prefix + str(pattern.pattern), name, pattern


def accepted_methods(view) -> set[str] | None:
    """The methods Django's ``require_http_methods`` (or ``require_GET``/``POST``) lets
    through, found in its closure along the ``__wrapped__`` chain; None: no such decorator."""
    while view is not None:
        code = getattr(view, "__code__", None)
        if code is not None:
            for name, cell in zip(code.co_freevars, view.__closure__ or (), strict=True):
                if name == "request_method_list":
                    return {method.upper() for method in cell.cell_contents}
        view = getattr(view, "__wrapped__", None)
    return None


def argument_value(name: str, converter):
    if isinstance(converter, UUIDConverter):
        return WORLD_JOB
    if isinstance(converter, IntConverter):
        return YEAR if name == "year" else WORLD_PK
    if isinstance(converter, StringConverter):
        return VILLAGE
    raise AssertionError(f"no value for URL argument {name} ({type(converter).__name__})")


def page_endpoints() -> list[Endpoint]:
    found = []
    for route, name, pattern in _patterns(get_resolver()):
        if route.startswith(NOT_PAGES):
            continue
        methods = accepted_methods(pattern.callback)
        if methods is not None and "POST" not in methods:
            continue
        kwargs = {
            argument: argument_value(argument, converter)
            for argument, converter in pattern.pattern.converters.items()
        }
        found.append(Endpoint("page", name, "post", reverse(name, kwargs=kwargs)))
    return found


@functools.cache
def openapi_document() -> dict:
    from jumin.api import api

    return api.get_openapi_schema()


def api_endpoints() -> list[Endpoint]:
    found = []
    for path, operations in openapi_document()["paths"].items():
        for method in WRITE_METHODS:
            if method in operations:
                url = path
                for parameter in operations[method].get("parameters", []):
                    if parameter["in"] == "path":
                        url = url.replace("{" + parameter["name"] + "}", str(WORLD_PK))
                found.append(Endpoint("api", f"{method.upper()} {path}", method, url))
    return found


ENDPOINTS = page_endpoints() + api_endpoints()


def test_discovery_finds_the_write_endpoints():
    """The walk is not empty by accident: known write endpoints of each kind are in it."""
    names = {endpoint.name for endpoint in ENDPOINTS}
    assert {
        "collection:reconciliation_compute",
        "core:staff_unlock",
        "pension:enrolment_approve",
        "POST /api/reconciliations",
        "PATCH /api/persons/{person_id}",
        "PUT /api/enrolments/grades",
    } <= names
    assert "collection:reconciliations" not in names  # GET only
    assert len([e for e in ENDPOINTS if e.kind == "page"]) >= 40
    assert len([e for e in ENDPOINTS if e.kind == "api"]) >= 25


def test_the_leader_and_the_auditor_hold_no_write_permission_but_duplicate_review():
    assert write_permissions_of(Role.LEADER) == set()
    assert write_permissions_of(Role.AUDITOR) == {"duplicate.review"}
    assert "reconciliation.compute" not in write_permissions_of(Role.VILLAGE_ASSISTANT)


# --------------------------------------------------------------------------- the world


def rekey(obj):
    """Give ``obj`` the primary key ``WORLD_PK`` (and repoint the rows made with it): for an
    object a service made (a plan with its grades)."""
    model = type(obj)
    old = obj.pk
    model._base_manager.filter(pk=old).update(**{model._meta.pk.attname: WORLD_PK})
    for relation in model._meta.related_objects:
        if relation.many_to_many or not relation.field.concrete:
            continue
        relation.related_model._base_manager.filter(**{relation.field.name: old}).update(
            **{relation.field.name: WORLD_PK}
        )
    obj.pk = WORLD_PK
    return obj


@pytest.fixture
def world(tree, staff):
    """One of everything in village A1, each with the primary key WORLD_PK."""
    finance = staff[Role.FINANCE]
    assistant = staff[Role.VILLAGE_ASSISTANT]
    colleague = StaffFactory(id=WORLD_PK, role=Role.VILLAGE_ASSISTANT, region=tree.village_a1)
    plan, _ = plan_seed(
        actor=None, year=YEAR, region_code=tree.county.code, data=plan_data_from_file()
    )
    plan = rekey(plan)
    household = Household.objects.create(id=WORLD_PK, village=tree.village_a1, number="H424242")
    person = PersonFactory(
        id=WORLD_PK,
        village=tree.village_a1,
        household=household,
        birth_date=datetime.date(1970, 5, 1),
        passbook_number="6230000000004242",
        passbook_bank="农商行",
    )
    PersonFactory(village=tree.village_a1, name=person.name, birth_date=person.birth_date)
    (
        SpecialStatus.objects.create(
            id=WORLD_PK,
            person=person,
            village=tree.village_a1,
            kind=SpecialStatusKind.choices[0][0],
            valid_from=datetime.date(YEAR, 1, 1),
        )
    )
    enrolment = Enrolment.objects.create(
        id=WORLD_PK,
        person=person,
        village=tree.village_a1,
        status=EnrolmentStatus.PENDING_TOWNSHIP,
        applied_by=assistant,
    )
    (
        GradeChoice.objects.create(
            id=WORLD_PK,
            person=person,
            village=tree.village_a1,
            year=YEAR,
            amount=Decimal("100"),
            chosen_by=assistant,
        )
    )
    due = ContributionDue.objects.create_due(
        id=WORLD_PK,
        person=person,
        village=tree.village_a1,
        enrolment=enrolment,
        plan=plan,
        year=YEAR,
        kind=DueKind.PERSONAL,
        grade=Decimal("100"),
        amount=Decimal("100"),
        status=DueStatus.OPEN,
    )
    batch = WithholdingBatch.objects.create(
        id=WORLD_PK,
        region=tree.county,
        bank="农商行",
        year=YEAR,
        round=1,
        line_count=1,
        amount_sum=100,
    )
    WithholdingLine.objects.create(
        batch=batch,
        line_number=1,
        due=due,
        person=person,
        village=tree.village_a1,
        account_number=person.passbook_number,
        amount=100,
        result=LineResult.PENDING,
    )
    (
        TaxPaymentFile.objects.create(
            id=WORLD_PK, region=tree.county, file_name="tax.csv", sha256="0" * 64
        )
    )
    book = ReceiptBook.objects.create(
        id=WORLD_PK,
        series="W",
        first_number=1,
        last_number=50,
        registered_by=finance,
        holder=assistant,
        holder_region=tree.village_a1,
    )
    deposit = Deposit.objects.create(
        id=WORLD_PK,
        village=tree.village_a1,
        bank="农商行",
        slip_number="SW1",
        deposited_on=datetime.date(YEAR, 3, 10),
        amount=Decimal("100"),
        depositor_name="甲",
        recorded_by=assistant,
    )
    (
        Receipt.objects.create(
            id=WORLD_PK,
            book=book,
            series="W",
            number=1,
            status=ReceiptStatus.ISSUED,
            person=person,
            amount=Decimal("100"),
            payer_name=person.name,
            contribution_year=YEAR,
            region=tree.village_a1,
            issued_by=assistant,
            due=due,
            deposit=deposit,
        )
    )
    (
        Reconciliation.objects.create(
            id=WORLD_PK, region=tree.village_a1, month=datetime.date(YEAR, 3, 1)
        )
    )
    (
        BankStatementFile.objects.create(
            id=WORLD_PK,
            region=tree.county,
            bank="农商行",
            file_name="statement.csv",
            sha256="1" * 64,
        )
    )
    # the ledger's save() refuses a row with a key; bulk_create is how an entry gets one
    AccountEntry.objects.bulk_create(
        [
            AccountEntry(
                id=WORLD_PK,
                person=person,
                village=tree.village_a1,
                year=YEAR,
                source=EntrySource.PERSONAL,
                amount=Decimal("100"),
            )
        ]
    )
    JobRun.objects.create(
        id=WORLD_JOB, kind="collection.dues", region=tree.county, status=JobStatus.DONE
    )
    # hospitals, policy and claims (H5): a claim of the person, with the key WORLD_PK
    hospital = HospitalFactory(id=WORLD_PK, code="W4242", region=tree.township_a)
    rekey(seed_policy(tree.county.code, YEAR))
    MedicalEnrolmentFactory(person=person, coverage_year=YEAR, created_by=assistant)
    Claim.objects.create(
        id=WORLD_PK,
        person=person,
        hospital=hospital,
        coverage_year=YEAR,
        kind="accidental_injury",
        channel="counter",
        invoice_number="W1",
        admission_date=datetime.date(YEAR, 3, 1),
        discharge_date=datetime.date(YEAR, 3, 2),
        diagnosis="S82",
        investigation="pending",
        total=Decimal("100"),
        class_a=Decimal("100"),
        class_b=Decimal("0"),
        self_paid=Decimal("0"),
        submission_digest="0" * 64,
    )
    award = Award.objects.create(
        id=WORLD_PK,
        person=person,
        village=tree.village_a1,
        status=AwardStatus.ACTIVE,
        start_month=datetime.date(YEAR, 1, 1),
        applied_by=assistant,
    )
    Payroll.objects.create(id=WORLD_PK, region=tree.county, month=datetime.date(YEAR, 3, 1))
    DeathReport.objects.create(
        id=WORLD_PK,
        person=person,
        village=tree.village_a1,
        death_date=datetime.date(YEAR, 2, 10),
        source=DeathSource.PUBLIC_SECURITY,
    )
    Recovery.objects.create(
        id=WORLD_PK,
        award=award,
        person=person,
        village=tree.village_a1,
        death_date=datetime.date(YEAR, 2, 10),
        overpaid=Decimal("10.00"),
        account_part=Decimal("0.00"),
        outstanding=Decimal("10.00"),
    )
    return {"person": person, "colleague": colleague}


# --------------------------------------------------------------------------- request bodies

# Values that make sense in the world, by property name; any other property gets a value of
# its schema's type (so a new field needs no entry here to reach the permission check).
HINTS = {
    "region_code": VILLAGE,
    "village_code": VILLAGE,
    "county": "",
    "month": MONTH,
    "year": YEAR,
    "amount": "100",
    "grade": "100",
    "number": 2,
    "first_number": 101,
    "last_number": 150,
    "series": "Z",
    "bank": "农商行",
    "mode": "valid_only",
    "reason": "other",
    "name": "王五",
    "slip_number": "SZ9",
    "depositor_name": "王五",
    "reference": "拨款-1",
}


def resolve(schema: dict, document: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def example(schema: dict, document: dict, name: str = "", world=None):
    schema = resolve(schema, document)
    if name == "id_number":
        return world["person"].id_number
    if name.endswith("_ids"):
        return [WORLD_PK]
    if name.endswith("_id"):
        return WORLD_PK
    if name in HINTS:
        return HINTS[name]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [option for option in schema[key] if option.get("type") != "null"]
            return example(options[0], document, name, world)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {
            prop: example(schema["properties"][prop], document, prop, world)
            for prop in schema.get("required", [])
        }
    if kind == "array":
        return []
    if kind == "integer":
        return max(schema.get("minimum", 1), 1)
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return f"{YEAR}-03-10"
    if schema.get("format") == "binary":
        return SimpleUploadedFile("probe.csv", b"a,b\n1,2\n", content_type="text/csv")
    return "x" * max(schema.get("minLength", 1), 1)


def api_request_arguments(endpoint: Endpoint, document: dict, world) -> dict:
    path = endpoint.name.split(" ", 1)[1]
    operation = document["paths"][path][endpoint.method]
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        body = example(content["application/json"]["schema"], document, world=world)
        return {"data": json.dumps(body, ensure_ascii=False), "content_type": "application/json"}
    if "multipart/form-data" in content:
        return {"data": example(content["multipart/form-data"]["schema"], document, world=world)}
    return {}


# --------------------------------------------------------------------------- one request


def table_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in UNCOUNTED_APPS and not model._meta.proxy
    }


@pytest.fixture
def checked_permissions(monkeypatch) -> list[str]:
    """Every permission ``access.require`` / ``require_any`` is asked for, from any module that
    imported them. (``can`` is not recorded: menus and buttons call it for what they show.)"""
    asked: list[str] = []
    require, require_any = access.require, access.require_any

    def recording_require(user, permission):
        asked.append(permission)
        return require(user, permission)

    def recording_require_any(user, *permissions):
        asked.extend(permissions)
        return require_any(user, *permissions)

    for module in list(sys.modules.values()):
        if not getattr(module, "__name__", "").startswith("jumin"):
            continue
        if getattr(module, "require", None) is require:
            monkeypatch.setattr(module, "require", recording_require)
        if getattr(module, "require_any", None) is require_any:
            monkeypatch.setattr(module, "require_any", recording_require_any)
    return asked


@dataclasses.dataclass
class Outcome:
    role: str
    status: int
    asked: list[str]
    written: dict[str, int]
    body: bytes


def send(client, endpoint, role, user, token, document, world, asked) -> Outcome:
    asked.clear()
    with transaction.atomic():
        before = table_counts()
        if endpoint.kind == "page":
            client.force_login(user)
            response = client.post(endpoint.url, {})
        else:
            client.logout()
            arguments = api_request_arguments(endpoint, document, world)
            response = getattr(client, endpoint.method)(
                endpoint.url, headers={"Authorization": f"Bearer {token}"}, **arguments
            )
        after = table_counts()
        transaction.set_rollback(True)
    written = {
        label: after[label] - before[label] for label in after if after[label] != before[label]
    }
    return Outcome(role, response.status_code, list(asked), written, response.content)


# --------------------------------------------------------------------------- the walk


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_every_role_at_every_write_endpoint(client, staff, world, checked_permissions, endpoint):
    if endpoint.name in SELF_SERVICE:
        pytest.skip("every signed-in user's own act: no permission involved")
    document = openapi_document()
    tokens = {role: token_create(acting_user=None, user=staff[role])[1] for role in Role}
    with time_machine.travel(NOW, tick=False):
        outcomes = [
            send(
                client,
                endpoint,
                role,
                staff[role],
                tokens[role],
                document,
                world,
                checked_permissions,
            )
            for role in Role
        ]
    problems = []
    asked_for_writes = {
        permission
        for outcome in outcomes
        for permission in outcome.asked
        if not is_read_permission(permission)
    }
    if not asked_for_writes:
        asked = sorted({permission for outcome in outcomes for permission in outcome.asked})
        problems.append(f"asks for no write permission (only: {asked})")
    for outcome in outcomes:
        held = {p for p in outcome.asked if not is_read_permission(p)} & write_permissions_of(
            outcome.role
        )
        if outcome.written and not held:
            problems.append(
                f"{outcome.role} wrote {outcome.written} holding no write permission it was "
                f"asked for (asked: {outcome.asked}), answer {outcome.status}"
            )
        if outcome.status == 403:
            if outcome.written:
                problems.append(f"{outcome.role} got 403 but {outcome.written} was written")
            if endpoint.kind == "api" and json.loads(outcome.body).get("code") != "forbidden":
                problems.append(f"{outcome.role} got a 403 that is not the JSON error forbidden")
        if asked_for_writes and not (asked_for_writes & write_permissions_of(outcome.role)):
            if outcome.status not in refusals(outcome.role):
                problems.append(
                    f"{outcome.role} holds none of {sorted(asked_for_writes)} but got "
                    f"{outcome.status} (asked: {outcome.asked})"
                )
    assert not problems, f"{endpoint} ({endpoint.url}):\n" + "\n".join(problems)
