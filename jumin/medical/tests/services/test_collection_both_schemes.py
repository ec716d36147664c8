"""The medical premium goes through the same collection channels as the pension: one
withholding batch and one cash receipt carry a person's pension and medical dues together,
itemised by scheme; confirmation of government funds and posting keep the schemes apart."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jumin.collection.formats.withholding import GENERIC
from jumin.collection.models import Channel, Due, DueKind, DueStatus, WithholdingLine
from jumin.collection.services import receipts, withholding
from jumin.collection.services.reconciliation import government_paid_confirm
from jumin.collection.tests import receipt_testing
from jumin.collection.tests.receipt_testing import hand_down, register
from jumin.core.models import Role
from jumin.medical.models import FundEntry, FundSource
from jumin.medical.services.enrolment import enrolment_register
from jumin.medical.services.fund import post_confirmed as medical_post
from jumin.pension.models import AccountEntry
from jumin.pension.services.dues import dues_generate
from jumin.pension.services.posting import post_confirmed as pension_post
from jumin.pension.tests.factories import EnrolmentFactory, PlanFactory
from jumin.people.models import SpecialStatusKind
from jumin.testing.factories import SpecialStatusFactory

chain = receipt_testing.chain  # fixture
D = Decimal
BANK = "农商行"
YEAR = 2026
ON = datetime.date(2026, 1, 20)  # outside the window: registering for the current year


@pytest.fixture
def both(tree, staff, financing):
    """Two persons of village A1 paying the pension for 2026 with a passbook at the bank, and
    enrolled in the medical insurance for 2026."""
    PlanFactory(year=YEAR)
    persons = [
        EnrolmentFactory(
            village=tree.village_a1,
            person__passbook_number=f"622800000000{i}",
            person__passbook_bank=BANK,
        ).person
        for i in range(2)
    ]
    dues_generate(acting_user=staff[Role.COUNTY_CLERK], region_code="341125", year=YEAR)
    for person in persons:
        enrolment_register(
            acting_user=staff[Role.VILLAGE_ASSISTANT], person=person, coverage_year=YEAR, on=ON
        )
    return persons


def test_one_withholding_batch_carries_both_schemes_itemised(tree, staff, both):
    batch = withholding.batch_create(
        acting_user=staff[Role.COUNTY_CLERK], region_code="341125", bank=BANK, year=YEAR
    )
    lines = list(WithholdingLine.objects.filter(batch=batch).select_related("due"))
    by_person = {}
    for line in lines:
        by_person.setdefault(line.person_id, {})[line.due.scheme] = line.amount
    assert set(by_person) == {p.pk for p in both}
    for items in by_person.values():
        assert set(items) == {"pension", "medical"}
        assert items["medical"] == D("400.00")
    assert batch.line_count == 4
    assert batch.amount_sum == sum(line.amount for line in lines)

    # the bank pays every line: each due is paid with its own amount, in its own scheme
    result = GENERIC.result_file(
        withholding.batch_header(batch),
        [(line, "00", "成功") for line in withholding.export_lines(batch)],
        deducted_on=datetime.date(2026, 2, 10),
        encoding="utf-8",
    )
    withholding.result_import(
        acting_user=staff[Role.COUNTY_CLERK], batch=batch, file_name="r.csv", data=result
    )
    withholding.batch_confirm(acting_user=staff[Role.FINANCE], batch=batch)
    assert set(Due.objects.values_list("status", flat=True)) == {DueStatus.CONFIRMED}

    # postings keep the schemes apart: the pension credits accounts, the medical the fund
    pension_post(acting_user=staff[Role.FINANCE], region_code="341125", year=YEAR)
    assert set(Due.objects.filter(status=DueStatus.POSTED).values_list("scheme", flat=True)) == {
        "pension"
    }
    assert not AccountEntry.objects.filter(due__scheme="medical").exists()
    posting = medical_post(
        acting_user=staff[Role.FINANCE], region_code="341125", coverage_year=YEAR
    )
    assert posting.due_count == 2
    assert not FundEntry.objects.filter(due__scheme="pension").exists()
    sums = {
        source: sum(e.amount for e in FundEntry.objects.filter(source=source))
        for source in (FundSource.PREMIUM, FundSource.SUBSIDY)
    }
    assert sums == {FundSource.PREMIUM: D("800.00"), FundSource.SUBSIDY: D("1448.00")}
    assert {e.region_id for e in FundEntry.objects.all()} == {tree.county.code}


def test_one_cash_receipt_pays_both_schemes_itemised_and_voiding_reopens_both(
    tree, staff, both, chain
):
    person = both[0]
    pension_due = Due.objects.get(person=person, scheme="pension", kind=DueKind.PERSONAL)
    medical_due = Due.objects.get(person=person, scheme="medical", kind=DueKind.PERSONAL)
    book = hand_down(register(chain["finance"]), chain)
    assistant = chain["assistant"]
    total = pension_due.amount + medical_due.amount
    with pytest.raises(ValidationError, match=f"应缴金额{total}元"):
        receipts.receipt_issue(
            acting_user=assistant,
            book=book,
            number=1,
            due=pension_due,
            amount=pension_due.amount,
            with_dues=[medical_due],
            issued_on=datetime.date(2026, 2, 3),
        )
    receipt = receipts.receipt_issue(
        acting_user=assistant,
        book=book,
        number=1,
        due=pension_due,
        amount=total,
        with_dues=[medical_due],
        issued_on=datetime.date(2026, 2, 3),
    )
    assert receipt.amount == total
    items = list(receipts.receipt_items(receipt))
    assert [(d.scheme, d.paid_amount, d.channel) for d in items] == [
        ("medical", medical_due.amount, Channel.CASH),
        ("pension", pension_due.amount, Channel.CASH),
    ]
    # the same receipt sent again: nothing more
    again = receipts.receipt_issue(
        acting_user=assistant,
        book=book,
        number=1,
        due=pension_due,
        amount=total,
        with_dues=[medical_due],
        issued_on=datetime.date(2026, 2, 3),
    )
    assert again.pk == receipt.pk
    receipts.receipt_void(acting_user=assistant, receipt=receipt, reason="金额写错")
    assert set(
        Due.objects.filter(pk__in=[pension_due.pk, medical_due.pk]).values_list("status", flat=True)
    ) == {DueStatus.OPEN}


def test_a_receipt_refuses_another_persons_due(tree, staff, both, chain):
    first, second = both
    book = hand_down(register(chain["finance"]), chain)
    mine = Due.objects.get(person=first, scheme="pension", kind=DueKind.PERSONAL)
    theirs = Due.objects.get(person=second, scheme="medical", kind=DueKind.PERSONAL)
    with pytest.raises(ValidationError, match="同一缴费人"):
        receipts.receipt_issue(
            acting_user=chain["assistant"],
            book=book,
            number=1,
            due=mine,
            amount=mine.amount + theirs.amount,
            with_dues=[theirs],
        )
    assert not Due.objects.filter(status=DueStatus.PAID).exists()


def test_government_funds_are_confirmed_per_scheme(tree, staff, financing):
    PlanFactory(year=YEAR)
    poor = EnrolmentFactory(village=tree.village_a1).person
    SpecialStatusFactory(
        person=poor,
        kind=SpecialStatusKind.EXTREME_POVERTY,
        detail="",
        valid_from=datetime.date(2020, 1, 1),
    )
    dues_generate(acting_user=staff[Role.COUNTY_CLERK], region_code="341125", year=YEAR)
    enrolment_register(acting_user=staff[Role.COUNTY_CLERK], person=poor, coverage_year=YEAR, on=ON)
    government = Due.objects.filter(kind=DueKind.GOVERNMENT_PAID)
    assert set(government.values_list("scheme", flat=True)) == {"pension", "medical"}
    medical = government.get(scheme="medical")
    count = government_paid_confirm(
        acting_user=staff[Role.FINANCE],
        region_code="341125",
        year=YEAR,
        amount=medical.amount,
        reference="医疗救助拨款1号",
        scheme="medical",
    )
    assert count == 1
    assert government.get(scheme="medical").status == DueStatus.CONFIRMED
    assert government.get(scheme="pension").status == DueStatus.OPEN
    posting = medical_post(
        acting_user=staff[Role.FINANCE], region_code="341125", coverage_year=YEAR
    )
    assert posting.due_count == 1
    assert {(e.source, e.amount) for e in FundEntry.objects.all()} == {
        (FundSource.ASSISTANCE, D("400.00")),
        (FundSource.SUBSIDY, D("724.00")),
    }
