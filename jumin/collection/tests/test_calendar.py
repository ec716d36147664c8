"""The monthly cash calendar: collection's own dated parameters per county and year."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jumin.collection.models import CashCalendar
from jumin.collection.rules import calendar_errors
from jumin.collection.services.calendar import calendar_set
from jumin.collection.tests.factories import CashCalendarFactory
from jumin.core.models import AuditEntry, Role

COUNTY = "341125000000"


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ((0, 28, 30), "缴存截止日：应为每月1日至31日中的一天"),
        ((28, 28, 30), "缴存截止日：须早于乡镇核对截止日（28日）"),
        ((25, 31, 30), "乡镇核对截止日：不能晚于县级核对截止日（30日）"),
        ((25, 28, 32), "县级核对截止日：应为每月1日至31日中的一天"),
    ],
)
def test_calendar_errors_name_the_day(days, message):
    assert message in calendar_errors(*days)


def test_the_standard_days_and_the_township_check_on_the_county_day_are_valid():
    assert calendar_errors(25, 28, 30) == []
    assert calendar_errors(25, 30, 30) == []


def test_a_year_runs_on_its_own_row_else_an_earlier_one_else_the_standard_days(tree):
    standard = CashCalendar.objects.in_force(region_code=tree.village_a1.code, year=2026)
    assert (standard.pk, standard.deposit_day, standard.county_check_day) == (None, 25, 30)
    CashCalendarFactory(county=tree.county, year=2024, deposit_day=20)
    CashCalendarFactory(county=tree.county, year=2027, deposit_day=22)
    assert CashCalendar.objects.in_force(region_code=tree.village_a1.code, year=2026).year == 2024
    assert CashCalendar.objects.in_force(region_code=tree.county.code, year=2027).deposit_day == 22


def test_the_county_administrator_sets_a_year_once_and_it_is_audited(tree, staff):
    admin = staff[Role.COUNTY_ADMIN]
    row, changed = calendar_set(
        acting_user=admin,
        county_code=COUNTY,
        year=2026,
        deposit_day=20,
        township_check_day=24,
        county_check_day=28,
    )
    assert changed and (row.deposit_day, row.township_check_day, row.county_check_day) == (
        20,
        24,
        28,
    )
    again, changed = calendar_set(
        acting_user=admin,
        county_code=COUNTY,
        year=2026,
        deposit_day=20,
        township_check_day=24,
        county_check_day=28,
    )
    assert again.pk == row.pk and not changed
    entries = AuditEntry.objects.filter(action="collection.cash_calendar.set")
    assert entries.count() == 1 and entries.get().after["deposit_day"] == 20


def test_a_bad_calendar_or_another_role_changes_nothing(tree, staff):
    with pytest.raises(ValidationError) as error:
        calendar_set(
            acting_user=staff[Role.COUNTY_ADMIN],
            county_code=COUNTY,
            year=2026,
            deposit_day=28,
            township_check_day=28,
            county_check_day=30,
        )
    assert "缴存截止日：须早于乡镇核对截止日（28日）" in error.value.messages
    with pytest.raises(PermissionDenied):
        calendar_set(
            acting_user=staff[Role.FINANCE],
            county_code=COUNTY,
            year=2026,
            deposit_day=20,
            township_check_day=24,
            county_check_day=28,
        )
    assert not CashCalendar.objects.exists()
    assert not AuditEntry.objects.filter(action="collection.cash_calendar.set").exists()


def test_the_page_shows_the_days_to_everyone_and_the_form_to_the_administrator(client, tree, staff):
    url = reverse("collection:cash_calendar")
    client.force_login(staff[Role.TOWNSHIP_CLERK])
    page = client.get(url, {"year": 2026})
    assert page.status_code == 200
    assert "每月25日前缴存，28日前乡镇核对，30日前县级核对" in page.content.decode()
    assert page.context["form"] is None
    assert client.post(url, {"year": "2026", "deposit_day": "20"}).status_code == 403
    client.force_login(staff[Role.COUNTY_ADMIN])
    data = {
        "year": "2026",
        "deposit_day": "20",
        "township_check_day": "24",
        "county_check_day": "28",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    shown = client.get(url, {"year": 2026}).content.decode()
    assert "每月20日前缴存，24日前乡镇核对，28日前县级核对" in shown
    bad = client.post(url, {**data, "deposit_day": "26"})
    assert bad.status_code == 200
    assert "缴存截止日：须早于乡镇核对截止日（24日）" in bad.content.decode()
    assert CashCalendar.objects.get().deposit_day == 20
