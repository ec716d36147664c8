"""Every page of the site, as every role, answers without a server error: with real ids, with
ids that do not exist, and with query parameters a person (or a prober) might type."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jumin.core.models import Role

# URL names whose pages are outside this walk, with the reason.
SKIPPED = {
    "api": "the JSON API: tests/test_api_fuzz.py walks the OpenAPI document",
    "admin": "Django's admin: its own list and change pages are walked below",
    "core:logout": "a POST that ends the session the walk uses",
}
# Query strings every list page gets besides none at all.
ODD_QUERIES = [
    {"page": "²"},
    {"page": "9" * 5000},
    {"year": "9" * 5000},
    {"year": "²⁰²⁶"},
    {"q": "²"},
    {"on": "9999-12-31"},
    {"village": "x" * 300},
    {"month": "9999-12"},
]


def page_patterns() -> list[tuple[str, list[str]]]:
    """(URL name, its argument names) of every page outside the API and the admin."""
    found = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                if pattern.namespace in ("api", "admin"):
                    continue
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}{pattern.name}"
                if name not in SKIPPED:
                    found.append((name, list(pattern.pattern.converters)))

    walk(get_resolver().url_patterns, "")
    return found


def sample_arguments(name: str, world: dict) -> dict:
    """Real ids for the URL's arguments, chosen by what the page shows."""
    by_prefix = {
        "core:region": {"code": world["tree"].village_a1.code},
        "core:staff_": {"pk": world["staff"][Role.VILLAGE_ASSISTANT].pk},
        "people:household": {"pk": world["household"].pk},
        "people:status_end": {"pk": world["person"].pk, "status_pk": world["status"].pk},
        "people:import_": {"pk": world["roster_import"].pk},
        "people:": {"pk": world["person"].pk},
        "pension:plan_": {"pk": world["plan"].pk},
        "pension:enrolment_": {"pk": world["enrolment"].pk},
        "pension:grade_choose": {"person_pk": world["person"].pk, "year": world["year"]},
        "pension:account_entry_reverse": {"pk": world["entry"].pk},
        "pension:account_due_reverse": {
            "person_pk": world["person"].pk,
            "due_pk": world["due"].pk,
        },
        "pension:account": {"person_pk": world["person"].pk},
        "pension:statement": {"person_pk": world["person"].pk, "year": 2025},
        "pension:village_statements": {"code": world["tree"].village_a1.code, "year": 2025},
        "pension:interest_job": {"pk": world["interest_job"].pk},
        "pension:transfer_": {"pk": world["transfer"].pk},
        "pension:link_": {"pk": world["link"].pk},
        "pension:holiday_delete": {"pk": world["holiday"].pk},
        "pension:award_apply": {"person_pk": world["person"].pk},
        "pension:estimate_person": {"person_pk": world["person"].pk},
        "pension:award_": {"pk": world["award"].pk},
        "pension:payroll_": {"pk": world["payroll"].pk},
        "pension:death_": {"pk": world["death_report"].pk},
        "pension:recovery_": {"pk": world["recovery"].pk},
        "collection:receipt_void": {"pk": world["receipt"].pk},
        "collection:book_": {"pk": world["book"].pk},
        "collection:receipt_": {"pk": world["book"].pk},
        "contributions:dues_job": {"pk": world["dues_job"].pk},
        "contributions:posting_job": {"pk": world["posting_job"].pk},
        "collection:batch_": {"pk": world["batch"].pk},
        "collection:tax_file_": {"pk": world["tax_file"].pk},
        "collection:deposit_": {"pk": world["deposit"].pk},
        "collection:reconciliation_": {"pk": world["reconciliation"].pk},
        "collection:statement_": {"pk": world["statement"].pk},
        "medical:enrolment_": {"pk": world["medical_enrolment"].pk},
        "medical:financing_": {"pk": world["medical_financing"].pk},
        "medical:hospital_month": {"pk": world["hospital"].pk},
        "medical:policy_": {"pk": world["medical_policy"].pk},
        "medical:claim_": {"pk": world["claim"].pk},
        "medical:person_year": {"person_pk": world["person"].pk, "year": world["year"]},
    }
    for prefix, arguments in by_prefix.items():
        if name.startswith(prefix):
            return arguments
    raise AssertionError(f"no sample arguments for {name}: add them to sample_arguments")


def missing_arguments(arguments: dict) -> dict:
    """The same arguments pointing at nothing: an id past 2⁶³, a code of no region."""
    missing = {}
    for key, value in arguments.items():
        if key == "code":
            missing[key] = "999999999999"
        elif isinstance(value, int):
            missing[key] = 10**20
        else:
            missing[key] = "00000000-0000-0000-0000-000000000000"
    return missing


def urls(world) -> list[tuple[str, str]]:
    found = []
    for name, argument_names in page_patterns():
        if not argument_names:
            found.append((name, reverse(name)))
            continue
        arguments = sample_arguments(name, world)
        assert set(arguments) == set(argument_names), name
        found.append((name, reverse(name, kwargs=arguments)))
        found.append((name, reverse(name, kwargs=missing_arguments(arguments))))
    return found


def test_the_walk_covers_the_site(world):
    names = {name for name, _url in urls(world)}
    assert {"people:detail", "collection:deposit_detail", "pension:account"} <= names
    assert len(names) >= 80


@pytest.mark.parametrize("role", list(Role))
def test_every_page_answers_every_role_without_a_server_error(client, world, role):
    client.force_login(world["staff"][role])
    client.raise_request_exception = False
    failures = []
    answered_ok = 0
    for name, url in urls(world):
        response = client.get(url)
        if response.status_code >= 500:
            failures.append((name, url, response.status_code))
        answered_ok += response.status_code == 200
    assert failures == []
    assert answered_ok >= 20  # the walk reaches real pages, not only refusals


def test_list_pages_survive_odd_query_strings(client, world):
    """As the county administrator, who reaches every list page."""
    client.force_login(world["staff"][Role.COUNTY_ADMIN])
    client.raise_request_exception = False
    failures = []
    for name, argument_names in page_patterns():
        if argument_names:
            continue
        for query in ODD_QUERIES:
            response = client.get(reverse(name), query)
            if response.status_code >= 500:
                failures.append((name, query, response.status_code))
    assert failures == []


ADMIN_MODELS = ["core/user", "core/region", "core/auditentry", "core/apitoken", "core/jobrun"]


def test_admin_pages_answer_the_county_administrator(client, world):
    admin = world["staff"][Role.COUNTY_ADMIN]
    client.force_login(admin)
    client.raise_request_exception = False
    answers = {"/admin/": client.get("/admin/").status_code}
    for model in ADMIN_MODELS:
        answers[f"/admin/{model}/"] = client.get(f"/admin/{model}/").status_code
        answers[f"/admin/{model}/?q=²"] = client.get(f"/admin/{model}/", {"q": "²"}).status_code
    answers["/admin/core/user/change"] = client.get(
        f"/admin/core/user/{admin.pk}/change/"
    ).status_code
    assert all(status < 500 for status in answers.values()), answers
