"""Transfers between counties and the link with the employee scheme, through the services."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from jumin.core.models import AuditEntry, RegionLevel, Role
from jumin.pension import rules
from jumin.pension.models import (
    AccountEntry,
    Enrolment,
    EnrolmentStatus,
    EntrySource,
    LinkOutcome,
    Movement,
    TransferStatus,
)
from jumin.pension.queries.statements import contribution_years
from jumin.pension.services import transfers as services
from jumin.pension.services.ledger_check import ledger_check_run
from jumin.pension.tests.factories import AccountEntryFactory, AwardFactory, EnrolmentFactory
from jumin.testing.factories import RegionFactory, StaffFactory

ON = datetime.date(2026, 3, 2)  # a Monday


@pytest.fixture
def other(tree):
    """A second county (341126, 凤阳县) with one village and its administrator."""
    county = RegionFactory(
        code="341126000000", name="凤阳县", level=RegionLevel.COUNTY, parent=tree.city
    )
    township = RegionFactory(
        code="341126100000", name="府城镇", level=RegionLevel.TOWNSHIP, parent=county
    )
    village = RegionFactory(
        code="341126100001", name="府城村", level=RegionLevel.VILLAGE, parent=township
    )
    return {"village": village, "admin": StaffFactory(role=Role.COUNTY_ADMIN, region=county)}


def ledger(person):
    for year in (2023, 2024, 2025):
        AccountEntryFactory(
            person=person, year=year, amount=Decimal("500"), booked_on=datetime.date(year, 4, 1)
        )
        AccountEntryFactory(
            person=person,
            year=year,
            amount=Decimal("60"),
            source=EntrySource.SUBSIDY_PROVINCE,
            booked_on=datetime.date(year, 4, 1),
        )
    AccountEntryFactory(
        person=person,
        year=2024,
        amount=Decimal("8.40"),
        source=EntrySource.INTEREST,
        booked_on=datetime.date(2024, 12, 31),
    )


def test_working_days_skip_weekends():
    assert rules.add_working_days(ON, 15) == datetime.date(2026, 3, 23)
    assert rules.add_working_days(datetime.date(2026, 3, 6), 1) == datetime.date(2026, 3, 9)
    assert rules.add_working_days(ON, 1, holidays={datetime.date(2026, 3, 3)}) == datetime.date(
        2026, 3, 4
    )


def test_a_transfer_moves_every_source_and_the_years(tree, staff, other):
    person = EnrolmentFactory(village=tree.village_a1).person
    ledger(person)
    receiving, sending = other["admin"], staff[Role.COUNTY_ADMIN]
    # the sending county cannot register it (the village is not theirs): 404
    with pytest.raises(Http404):
        services.transfer_request(
            acting_user=sending, person=person, to_village_code=other["village"].code, on=ON
        )
    transfer = services.transfer_request(
        acting_user=receiving, person=person, to_village_code=other["village"].code, on=ON
    )
    assert transfer.due_on == datetime.date(2026, 3, 23)
    with pytest.raises(ValidationError, match="转入地"):
        services.transfer_advance(acting_user=sending, transfer=transfer, on=ON)  # the letter
    services.transfer_advance(acting_user=receiving, transfer=transfer, on=ON)
    with pytest.raises(ValidationError, match="转出地"):
        services.transfer_advance(acting_user=receiving, transfer=transfer, on=ON)
    sent_on = datetime.date(2026, 3, 10)
    transfer = services.transfer_advance(acting_user=sending, transfer=transfer, on=sent_on)
    assert transfer.status == TransferStatus.SENT
    assert transfer.amount == Decimal("1688.40")
    assert transfer.by_source == {
        "interest": "8.40",
        "personal": "1500.00",
        "subsidy_province": "180.00",
    }
    assert transfer.contribution_years == 3
    assert AccountEntry.objects.filter(person=person).balance() == 0
    person.refresh_from_db()
    assert person.village_id == tree.village_a1.code
    assert Enrolment.objects.get(person=person).status == EnrolmentStatus.TERMINATED
    transfer = services.transfer_advance(
        acting_user=receiving, transfer=transfer, on=datetime.date(2026, 3, 20)
    )
    assert transfer.status == TransferStatus.BOOKED and transfer.due_on is None
    person.refresh_from_db()
    assert person.village_id == other["village"].code
    assert AccountEntry.objects.filter(person=person).balance() == Decimal("1688.40")
    incoming = AccountEntry.objects.filter(transfer=transfer, movement=Movement.TRANSFER_IN)
    assert {e.source: e.amount for e in incoming} == {
        "interest": Decimal("8.40"),
        "personal": Decimal("1500.00"),
        "subsidy_province": Decimal("180.00"),
    }
    assert incoming.first().village_id == other["village"].code
    assert contribution_years([person.pk], through=datetime.date(2026, 12, 31))[person.pk] == 3
    with pytest.raises(ValidationError, match="不能再办理"):
        services.transfer_advance(acting_user=receiving, transfer=transfer, on=ON)
    assert ledger_check_run(acting_user=None, region_code="341126")["ok"]
    assert AuditEntry.objects.filter(action__startswith="pension.transfer.").count() == 4


def test_no_transfer_once_receiving(tree, staff, other):
    award = AwardFactory(village=tree.village_a1)
    EnrolmentFactory(person=award.person, village=tree.village_a1)
    with pytest.raises(ValidationError, match="不在缴费期"):
        services.transfer_request(
            acting_user=other["admin"],
            person=award.person,
            to_village_code=other["village"].code,
            on=ON,
        )


def test_link_split_rule():
    credits = {
        2019: {
            "personal": Decimal("500"),
            "collective": Decimal("100"),
            "subsidy_county": Decimal("60"),
        },
        2020: {"personal": Decimal("500"), "subsidy_county": Decimal("60")},
    }
    split = rules.link_split(
        employee_years=10,
        required_years=Decimal(15),
        resident_years=[2019, 2020, 2021],
        year_credits=credits,
        overlap_months={2019: 6, 2020: 12},
    )
    assert split.outcome == "to_resident"
    assert split.refund_by_source == {"personal": Decimal("750.00"), "collective": Decimal("50.00")}
    assert split.subsidy_by_source == {"subsidy_county": Decimal("90.00")}
    assert split.resident_years == 2 + 10  # 2020 counted only as employee time
    assert (
        rules.link_split(
            employee_years=15,
            required_years=Decimal(15),
            resident_years=[2019],
            year_credits={},
            overlap_months={},
        ).outcome
        == "to_employee"
    )
    assert rules.employee_minimum_years(datetime.date(2029, 12, 31)) == 15
    assert rules.employee_minimum_years(datetime.date(2031, 1, 1)) == Decimal("16.0")
    assert rules.employee_minimum_years(datetime.date(2045, 1, 1)) == 20
    with pytest.raises(ValueError):
        rules.link_split(
            employee_years=3,
            required_years=15,
            resident_years=[],
            year_credits={},
            overlap_months={2019: 13},
        )


def test_link_below_fifteen_brings_the_employee_account_in(tree, staff):
    person = EnrolmentFactory(village=tree.village_a1).person
    ledger(person)
    clerk = staff[Role.COUNTY_CLERK]
    link = services.link_create(
        acting_user=clerk,
        person=person,
        employee_years=8,
        employee_balance="12000.50",
        overlap_months={"2024": 6},
        on=ON,
    )
    assert link.outcome == LinkOutcome.TO_RESIDENT and link.resident_years == 11
    assert link.refund == Decimal("250.00") and link.subsidy_reversed == Decimal("30.00")
    before = AccountEntry.objects.filter(person=person).balance()
    services.link_decide(acting_user=clerk, link=link, on=ON)
    after = AccountEntry.objects.filter(person=person).balance()
    assert after == before - Decimal("250.00") - Decimal("30.00") + Decimal("12000.50")
    assert AccountEntry.objects.get(
        person=person, source=EntrySource.EMPLOYEE_TRANSFER
    ).amount == Decimal("12000.50")
    assert contribution_years([person.pk], through=datetime.date(2026, 12, 31))[person.pk] == 11
    with pytest.raises(ValidationError, match="已经办结"):
        services.link_decide(acting_user=clerk, link=link, on=ON)


def test_link_at_fifteen_moves_the_balance_out_and_ends_the_record(tree, staff):
    enrolment = EnrolmentFactory(village=tree.village_a1)
    person = enrolment.person
    ledger(person)
    clerk = staff[Role.COUNTY_CLERK]
    link = services.link_create(
        acting_user=clerk, person=person, employee_years=16, employee_balance="0", on=ON
    )
    link = services.link_decide(acting_user=clerk, link=link, on=ON)
    assert link.outcome == LinkOutcome.TO_EMPLOYEE and link.moved_out == Decimal("1688.40")
    assert AccountEntry.objects.filter(person=person).balance() == 0
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.TERMINATED


def test_links_are_scoped_and_refuse_bad_input(tree, staff):
    person = EnrolmentFactory(village=tree.village_b1).person
    with pytest.raises(Http404):  # the county clerk of another county
        other_clerk = StaffFactory(
            role=Role.COUNTY_CLERK,
            region=RegionFactory(code="341126000000", level=RegionLevel.COUNTY, parent=tree.city),
        )
        services.link_create(
            acting_user=other_clerk, person=person, employee_years=3, employee_balance="1", on=ON
        )
    with pytest.raises(ValidationError, match="1至12"):
        services.link_create(
            acting_user=staff[Role.COUNTY_CLERK],
            person=person,
            employee_years=3,
            employee_balance="1",
            overlap_months={"2020": 13},
            on=ON,
        )
    with pytest.raises(ValidationError, match="负数"):
        services.link_create(
            acting_user=staff[Role.COUNTY_CLERK],
            person=person,
            employee_years=3,
            employee_balance="-1",
            on=ON,
        )
