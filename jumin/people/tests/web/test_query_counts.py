"""The people list pages issue as many queries for many rows as for one."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jumin.core.models import Role
from jumin.people.formats.roster_samples import roster_row
from jumin.people.models import RosterImport
from jumin.people.tests.rosters import import_rows
from jumin.testing.factories import HouseholdFactory, PersonFactory, SpecialStatusFactory

pytestmark = pytest.mark.usefixtures("media")


def queries_of(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(captured.captured_queries)


def grow(village, household, count: int, start: int) -> None:
    """``count`` more persons in ``household``, each with a status and a look-alike."""
    for number in range(start, start + count):
        person = PersonFactory(village=village, household=household, name=f"王{number:03d}")
        SpecialStatusFactory(person=person)
        PersonFactory(village=village, name=person.name, birth_date=person.birth_date)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("people:search", {"q": "王"}),
        ("people:search_results", {"q": "王"}),
        ("people:duplicates", {}),
        ("people:export", {}),
        ("people:household", None),
    ],
)
def test_list_pages_do_not_grow_with_the_rows(client, staff, tree, name, params):
    client.force_login(staff[Role.COUNTY_ADMIN])
    household = HouseholdFactory(village=tree.village_a1)
    url = reverse(name, args=[household.pk]) if params is None else reverse(name)
    grow(tree.village_a1, household, 1, 0)
    few = queries_of(client, url, params)
    grow(tree.village_a1, household, 20, 1)
    assert queries_of(client, url, params) == few


def test_the_detail_page_does_not_grow_with_statuses_and_history(client, staff, tree):
    """(The history names the villages and households its entries mention in one query
    each, asked once there is one to name: the first edit below moves the household.)"""
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    person = PersonFactory(
        village=tree.village_a1, household=HouseholdFactory(village=tree.village_a1)
    )
    url = reverse("people:detail", args=[person.pk])
    edit = reverse("people:edit", args=[person.pk])

    def change(number: int) -> None:
        SpecialStatusFactory(
            person=person,
            valid_from=datetime.date(2000 + number, 1, 1),
            valid_to=datetime.date(2000 + number, 6, 1),
        )
        form = {
            "name": person.name,
            "village_id": tree.village_a2.code,
            "household_number": f"H{number}",
            "phone": f"1390000{number:04d}",
        }
        assert client.post(edit, form).status_code == 302

    change(0)
    few = queries_of(client, url)
    for number in range(1, 10):
        change(number)
    assert queries_of(client, url) == few


def test_the_import_history_does_not_grow_with_the_imports(client, staff, tree, tmp_path):
    clerk = staff[Role.TOWNSHIP_CLERK]
    client.force_login(clerk)
    import_rows(tmp_path, [roster_row(0)], clerk, name="0.csv")
    url = reverse("people:import_list")
    few = queries_of(client, url)
    for number in range(1, 8):
        import_rows(tmp_path, [roster_row(number)], clerk, name=f"{number}.csv")
    assert RosterImport.objects.count() == 8
    assert queries_of(client, url) == few
