"""Two payments of one enrolment's two dues at the same time (the person's cash and the
assistance fund's transfer): the enrolment is covered once both have committed, whichever
commits first (PostgreSQL: two real connections)."""

import datetime
import threading
import time

import pytest
from django.db import connections, transaction
from django.db.models import F

from jumin.collection.models import Channel, Due, DueKind, DueStep
from jumin.core.models import Role
from jumin.medical.models import CoverageStatus, MedicalEnrolment
from jumin.medical.services.enrolment import enrolment_register
from jumin.people.models import SpecialStatusKind
from jumin.testing.concurrency import WAIT_SECONDS, postgres_only
from jumin.testing.factories import PersonFactory, SpecialStatusFactory

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]
D = datetime.date


def test_two_payments_at_once_still_cover_the_enrolment(tree, staff, financing):
    person = PersonFactory(village=tree.village_a1)
    SpecialStatusFactory(
        person=person,
        kind=SpecialStatusKind.SUBSISTENCE_ALLOWANCE,
        detail="",
        valid_from=D(2020, 1, 1),
    )
    enrolment_register(
        acting_user=staff[Role.COUNTY_CLERK], person=person, coverage_year=2026, on=D(2026, 1, 20)
    )
    personal = Due.objects.get(person=person, scheme="medical", kind=DueKind.PERSONAL)
    government = Due.objects.get(person=person, scheme="medical", kind=DueKind.GOVERNMENT_PAID)
    first_paid, release = threading.Event(), threading.Event()
    errors = []

    def cash():
        try:
            with transaction.atomic():
                Due.objects.filter(pk=personal.pk).transition(
                    DueStep.CASH_PAID,
                    channel=Channel.CASH,
                    paid_amount=F("amount"),
                    paid_on=D(2026, 2, 1),
                    payment_reference="R-1",
                )
                first_paid.set()
                release.wait(WAIT_SECONDS)  # still uncommitted while the other pays
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()  # this thread's connection

    def funds():
        try:
            Due.objects.filter(pk=government.pk).transition(
                DueStep.GOVERNMENT_FUNDS,
                at=datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC),
                channel=Channel.GOVERNMENT,
                paid_amount=F("amount"),
                paid_on=D(2026, 2, 1),
                payment_reference="YLJZ-1",
            )
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()  # this thread's connection

    threads = [threading.Thread(target=cash), threading.Thread(target=funds)]
    threads[0].start()
    assert first_paid.wait(WAIT_SECONDS)
    threads[1].start()
    time.sleep(0.5)  # the transfer reaches the enrolment's lock and waits there
    release.set()
    for thread in threads:
        thread.join(WAIT_SECONDS)
        assert not thread.is_alive()
    assert errors == []
    enrolment = MedicalEnrolment.objects.get(person=person)
    assert enrolment.status == CoverageStatus.COVERED
    assert enrolment.covered_from == D(2026, 5, 1)
