"""Every person page × every role, for objects inside and outside the role's scope.

Without the page's permission → 403 (checked first, whatever the object), out of scope (or not
existing) → 404, never a 500.
"""

import datetime

import pytest
from django.urls import reverse

from jumin.core.access import can
from jumin.core.models import Role
from jumin.people.models import DuplicateReview, SpecialStatus
from jumin.testing.factories import HouseholdFactory, PersonFactory, SpecialStatusFactory

ROLES = list(Role)
VILLAGES = ["a1", "a2", "b1"]
VISIBLE = {
    Role.TOWNSHIP_CLERK: {"a1", "a2"},
    Role.VILLAGE_ASSISTANT: {"a1"},
}
NAMES = {"a1": "东门甲", "a2": "西门乙", "b1": "桥南丙"}


def sees(role, village: str) -> bool:
    return village in VISIBLE.get(role, set(VILLAGES))


@pytest.fixture
def world(tree):
    """One household, person, special status and duplicate pair in each of a1, a2 and b1."""
    regions = {"a1": tree.village_a1, "a2": tree.village_a2, "b1": tree.village_b1}
    data = {}
    for key, village in regions.items():
        household = HouseholdFactory(village=village)
        person = PersonFactory(village=village, household=household, name=NAMES[key])
        twin = PersonFactory(village=village, name=NAMES[key], birth_date=person.birth_date)
        status = SpecialStatusFactory(person=person)
        data[key] = {
            "village": village,
            "household": household,
            "person": person,
            "twin": twin,
            "status": status,
        }
    return data


def expected(user, village: str, permission: str, success: int) -> int:
    """The page's permission first (403), then the scope (404)."""
    if not can(user, permission):
        return 403
    return success if sees(user.role, village) else 404


@pytest.mark.parametrize("village", VILLAGES)
@pytest.mark.parametrize("role", ROLES)
def test_detail_page_answers_404_outside_scope(client, staff, world, role, village):
    client.force_login(staff[role])
    response = client.get(reverse("people:detail", args=[world[village]["person"].pk]))
    assert response.status_code == (200 if sees(role, village) else 404)
    if response.status_code == 200:
        assert NAMES[village] in response.content.decode()


@pytest.mark.parametrize("village", VILLAGES)
@pytest.mark.parametrize("role", ROLES)
def test_edit_page_needs_scope_then_permission(client, staff, world, role, village):
    client.force_login(staff[role])
    url = reverse("people:edit", args=[world[village]["person"].pk])
    assert client.get(url).status_code == expected(staff[role], village, "person.edit", 200)
    response = client.post(url, {"name": "改名", "village_id": world[village]["village"].code})
    assert response.status_code == expected(staff[role], village, "person.edit", 302)
    person = world[village]["person"]
    person.refresh_from_db()
    assert (person.name == "改名") == (response.status_code == 302)


@pytest.mark.parametrize("role", ROLES)
def test_create_page_only_for_editors(client, staff, tree, role):
    client.force_login(staff[role])
    response = client.get(reverse("people:create"))
    assert response.status_code == (200 if can(staff[role], "person.edit") else 403)


@pytest.mark.parametrize("village", VILLAGES)
@pytest.mark.parametrize("role", ROLES)
def test_household_page_answers_404_outside_scope(client, staff, world, role, village):
    client.force_login(staff[role])
    response = client.get(reverse("people:household", args=[world[village]["household"].pk]))
    assert response.status_code == (200 if sees(role, village) else 404)


@pytest.mark.parametrize("role", ROLES)
def test_search_lists_only_persons_in_scope(client, staff, world, role):
    client.force_login(staff[role])
    for url in (reverse("people:search"), reverse("people:search_results")):
        page = client.get(url, {"q": "341125"}).content.decode()
        for village in VILLAGES:
            assert (NAMES[village] in page) == sees(role, village)


@pytest.mark.parametrize("village", VILLAGES)
@pytest.mark.parametrize("role", ROLES)
def test_export_of_a_village_outside_scope_answers_404(client, staff, world, role, village):
    client.force_login(staff[role])
    response = client.get(reverse("people:export"), {"village": world[village]["village"].code})
    assert response.status_code == (200 if sees(role, village) else 404)


@pytest.mark.parametrize("village", VILLAGES)
@pytest.mark.parametrize("role", ROLES)
def test_duplicates_page_of_a_village_outside_scope_answers_404(
    client, staff, world, role, village
):
    client.force_login(staff[role])
    response = client.get(reverse("people:duplicates"), {"village": world[village]["village"].code})
    assert response.status_code == (200 if sees(role, village) else 404)
    if response.status_code == 200:
        assert world[village]["twin"].name in response.content.decode()


@pytest.mark.parametrize("village", VILLAGES)
@pytest.mark.parametrize("role", ROLES)
def test_status_add_needs_scope_then_permission(client, staff, world, role, village):
    client.force_login(staff[role])
    person = world[village]["person"]
    response = client.post(
        reverse("people:status_add", args=[person.pk]),
        {"kind": "extreme_poverty", "valid_from": "2024-01-01"},
    )
    assert response.status_code == expected(staff[role], village, "person.edit", 302)
    added = SpecialStatus.objects.filter(person=person, kind="extreme_poverty").exists()
    assert added == (response.status_code == 302)


@pytest.mark.parametrize("village", VILLAGES)
@pytest.mark.parametrize("role", ROLES)
def test_status_end_needs_scope_then_permission(client, staff, world, role, village):
    client.force_login(staff[role])
    status = world[village]["status"]
    response = client.post(
        reverse("people:status_end", args=[status.person_id, status.pk]),
        {"valid_to": "2025-06-30"},
    )
    assert response.status_code == expected(staff[role], village, "person.edit", 302)
    status.refresh_from_db()
    assert (status.valid_to == datetime.date(2025, 6, 30)) == (response.status_code == 302)


@pytest.mark.parametrize("village", VILLAGES)
@pytest.mark.parametrize("role", ROLES)
def test_duplicate_review_needs_permission_then_scope(client, staff, world, role, village):
    client.force_login(staff[role])
    pair = world[village]
    response = client.post(
        reverse("people:duplicate_review"),
        {
            "first": pair["person"].pk,
            "second": pair["twin"].pk,
            "decision": "different_people",
        },
    )
    if not can(staff[role], "duplicate.review"):
        assert response.status_code == 403
    else:
        assert response.status_code == (302 if sees(role, village) else 404)
    assert DuplicateReview.objects.exists() == (response.status_code == 302)


@pytest.mark.parametrize("role", ROLES)
def test_guessed_ids_answer_404(client, staff, world, role):
    client.force_login(staff[role])
    missing = 10_000_000
    person = world["a1"]["person"]
    other_status = world["a2"]["status"]
    assert client.get(reverse("people:detail", args=[missing])).status_code == 404
    assert client.get(reverse("people:household", args=[missing])).status_code == 404
    # the page's permission is checked first: a role that may not edit gets 403 whatever the id
    editing = 404 if can(staff[role], "person.edit") else 403
    assert client.get(reverse("people:edit", args=[missing])).status_code == editing
    assert client.get("/people/not-a-number/").status_code == 404
    assert client.get(reverse("people:export"), {"village": "341125999999"}).status_code == 404
    # a township code is not a village
    assert client.get(reverse("people:export"), {"village": "341125100000"}).status_code == 404
    end_missing = client.post(
        reverse("people:status_end", args=[person.pk, missing]), {"valid_to": "2025-01-01"}
    )
    assert end_missing.status_code == editing
    # a real status of someone else, under this person's URL
    end_other = client.post(
        reverse("people:status_end", args=[person.pk, other_status.pk]),
        {"valid_to": "2025-01-01"},
    )
    assert end_other.status_code == editing
    other_status.refresh_from_db()
    assert other_status.valid_to is None


def test_village_assistant_in_a1_cannot_open_a_person_in_a2(client, staff, world):
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    assert client.get(reverse("people:detail", args=[world["a1"]["person"].pk])).status_code == 200
    assert client.get(reverse("people:detail", args=[world["a2"]["person"].pk])).status_code == 404


def test_township_clerk_gets_404_for_another_townships_person_by_every_page(client, staff, world):
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    other = world["b1"]
    for url in (
        reverse("people:detail", args=[other["person"].pk]),
        reverse("people:edit", args=[other["person"].pk]),
        reverse("people:household", args=[other["household"].pk]),
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize(
    "url",
    [
        "/people/",
        "/people/search/results/?q=3411",
        "/people/new/",
        "/people/1/",
        "/people/1/edit/",
        "/people/households/1/",
        "/people/duplicates/",
        "/people/export.xlsx",
    ],
)
def test_pages_send_anonymous_visitors_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))
