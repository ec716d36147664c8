"""The links to the pension: the person page and the enrolment page link the estimate and,
for a person aged 60 or turning 60 within two months, the application (a POST form); the
account page links each year's statement."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from jumin.core.models import Role
from jumin.pension.models import AccountEntry, Award, EntrySource
from jumin.pension.tests.factories import BenefitStandardFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


def person_born(tree, birth_date):
    enrolment = EnrolmentFactory(village=tree.village_a1, person__birth_date=birth_date)
    AccountEntry.objects.bulk_create(
        AccountEntry(
            person=enrolment.person,
            village=tree.village_a1,
            year=year,
            source=EntrySource.PERSONAL,
            amount=Decimal("300.00"),
            booked_on=datetime.date(year, 4, 30),
        )
        for year in range(2010, 2025)
    )
    return enrolment


def pages(client, enrolment):
    person = enrolment.person
    return (
        client.get(reverse("people:detail", args=[person.pk])).content.decode(),
        client.get(reverse("pension:enrolment_detail", args=[enrolment.pk])).content.decode(),
    )


def test_turning_60_within_two_months_links_the_estimate_and_the_application(
    client, tree, staff, time_machine
):
    time_machine.move_to(datetime.datetime(2026, 4, 10, 10, 0))
    BenefitStandardFactory()
    soon = person_born(tree, datetime.date(1966, 5, 31))  # 60 next month: may apply now
    later = person_born(tree, datetime.date(1966, 6, 1))  # 60 in June: not yet
    client.force_login(staff[Role.VILLAGE_ASSISTANT])
    estimate = reverse("pension:estimate_person", args=[soon.person.pk])
    apply = reverse("pension:award_apply", args=[soon.person.pk])
    for page in pages(client, soon):
        assert estimate in page
        assert f'action="{apply}"' in page
    for page in pages(client, later):
        assert reverse("pension:estimate_person", args=[later.person.pk]) in page
        assert "award_apply" not in page and "/awards/apply/" not in page
    # the button applies; the pages then link the application instead
    answer = client.post(apply)
    award = Award.objects.get(person=soon.person)
    assert answer.status_code == 302
    for page in pages(client, soon):
        assert f'action="{apply}"' not in page
        assert reverse("pension:award_detail", args=[award.pk]) in page


def test_an_auditor_sees_no_estimate_nor_application(client, tree, staff, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 10, 10, 0))
    enrolment = person_born(tree, datetime.date(1966, 1, 9))
    client.force_login(staff[Role.AUDITOR])
    for page in pages(client, enrolment):
        assert "/estimate/" not in page and "/awards/apply/" not in page


def test_the_account_page_links_each_years_statement(client, tree, staff):
    enrolment = person_born(tree, datetime.date(1970, 1, 9))
    client.force_login(staff[Role.COUNTY_CLERK])
    page = client.get(reverse("pension:account", args=[enrolment.person.pk])).content.decode()
    for year in (2010, 2017, 2024):
        assert reverse("pension:statement", args=[enrolment.person.pk, year]) in page
        assert reverse("pension:statement_pdf", args=[enrolment.person.pk, year]) in page
