"""What collection tells the medical scheme, and how it picks medical dues:

- a payment through any channel (bank, cash, tax, government funds) that pays an enrolment's
  last medical due covers the enrolment in the payment's own transaction (``on_paid``);
- a withholding batch of collection year Y carries a person's pension of Y with their medical
  premium of coverage year Y + 1 enrolled in Y's window (``Due.collected_in``);
- a tax line names its scheme (format version 2); a version-1 line whose amount fits the
  pension and the medical due alike is refused, not guessed."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jumin.collection.formats.tax_file import tax_file_bytes
from jumin.collection.formats.withholding import GENERIC
from jumin.collection.models import Due, DueKind, DueStatus, TaxPaymentFile, WithholdingLine
from jumin.collection.services import receipts, withholding
from jumin.collection.services.reconciliation import government_paid_confirm
from jumin.collection.services.tax import tax_file_import
from jumin.collection.tests import receipt_testing
from jumin.collection.tests.receipt_testing import hand_down, register
from jumin.core.models import AuditEntry, Role
from jumin.medical.models import CoverageStatus, MedicalEnrolment
from jumin.medical.services.enrolment import coverage_update, enrolment_register
from jumin.pension.services.dues import dues_generate
from jumin.pension.tests.factories import EnrolmentFactory, PlanFactory
from jumin.people.models import SpecialStatusKind
from jumin.testing.factories import SpecialStatusFactory

chain = receipt_testing.chain  # fixture
D = Decimal
DATE = datetime.date
BANK = "农商行"
LATE = DATE(2026, 1, 20)  # outside the 2026 window: a three-month wait


def enrolled(person, year=2026):
    return MedicalEnrolment.objects.get(person=person, coverage_year=year)


@pytest.fixture
def payer(tree, staff, financing):
    """A person of village A1 paying the pension at grade 400 for 2026 with a passbook at the
    bank, enrolled late (20 January) in the medical insurance for 2026 (premium 400)."""
    PlanFactory(year=2026)
    person = EnrolmentFactory(
        village=tree.village_a1,
        grade=D("400"),
        person__passbook_number="6228000000001",
        person__passbook_bank=BANK,
    ).person
    dues_generate(acting_user=staff[Role.COUNTY_CLERK], region_code="341125", year=2026)
    enrolment_register(
        acting_user=staff[Role.VILLAGE_ASSISTANT], person=person, coverage_year=2026, on=LATE
    )
    return person


def bank_pays(staff, year, deducted_on):
    batch = withholding.batch_create(
        acting_user=staff[Role.COUNTY_CLERK], region_code="341125", bank=BANK, year=year
    )
    result = GENERIC.result_file(
        withholding.batch_header(batch),
        [(line, "00", "成功") for line in withholding.export_lines(batch)],
        deducted_on=deducted_on,
        encoding="utf-8",
    )
    withholding.result_import(
        acting_user=staff[Role.COUNTY_CLERK], batch=batch, file_name="r.csv", data=result
    )
    return batch


# --------------------------------------------------------------------------- on_paid


def test_the_banks_payment_covers_the_enrolment_in_the_same_step(staff, payer):
    assert enrolled(payer).status == CoverageStatus.PENDING
    bank_pays(staff, 2026, DATE(2026, 2, 10))
    enrolment = enrolled(payer)
    assert enrolment.status == CoverageStatus.COVERED
    assert enrolment.paid_on == DATE(2026, 2, 10)
    assert enrolment.covered_from == DATE(2026, 5, 1)
    assert "集中参保期外参保：固定等待期3个月" in enrolment.waiting_reason
    assert AuditEntry.objects.filter(action="medical.enrolment.cover").count() == 1
    # the county's run afterwards has nothing left to do
    assert coverage_update(acting_user=None, region_code="341125", coverage_year=2026) == 0


def test_a_cash_receipt_covers_the_enrolment(staff, payer, chain):
    due = Due.objects.get(person=payer, scheme="medical", kind=DueKind.PERSONAL)
    book = hand_down(register(chain["finance"]), chain)
    receipts.receipt_issue(
        acting_user=chain["assistant"],
        book=book,
        number=1,
        due=due,
        amount=due.amount,
        issued_on=DATE(2026, 3, 3),
    )
    enrolment = enrolled(payer)
    assert (enrolment.status, enrolment.paid_on) == (CoverageStatus.COVERED, DATE(2026, 3, 3))
    assert enrolment.covered_from == DATE(2026, 6, 1)


def test_paying_the_pension_alone_covers_nobody(staff, payer, chain):
    due = Due.objects.get(person=payer, scheme="pension", kind=DueKind.PERSONAL)
    book = hand_down(register(chain["finance"]), chain)
    receipts.receipt_issue(
        acting_user=chain["assistant"],
        book=book,
        number=1,
        due=due,
        amount=due.amount,
        issued_on=DATE(2026, 3, 3),
    )
    assert enrolled(payer).status == CoverageStatus.PENDING
    assert not AuditEntry.objects.filter(action="medical.enrolment.cover").exists()


def test_the_assistance_funds_cover_a_person_whose_premium_they_pay_whole(tree, staff, financing):
    poor = EnrolmentFactory(village=tree.village_a1).person
    SpecialStatusFactory(
        person=poor, kind=SpecialStatusKind.EXTREME_POVERTY, detail="", valid_from=DATE(2020, 1, 1)
    )
    enrolment_register(
        acting_user=staff[Role.COUNTY_CLERK], person=poor, coverage_year=2026, on=LATE
    )
    due = Due.objects.get(person=poor, scheme="medical")
    assert due.kind == DueKind.GOVERNMENT_PAID
    government_paid_confirm(
        acting_user=staff[Role.FINANCE],
        region_code="341125",
        year=2026,
        amount=due.amount,
        reference="医疗救助拨款1号",
        scheme="medical",
    )
    assert enrolled(poor).status == CoverageStatus.COVERED


def test_an_enrolment_with_a_due_still_open_stays_pending(tree, staff, financing, chain):
    """Assistance pays part (a subsistence-allowance holder: 60 %): the personal rest paid in cash alone does
    not cover; the assistance funds arriving then do."""
    person = EnrolmentFactory(village=tree.village_a1).person
    SpecialStatusFactory(
        person=person,
        kind=SpecialStatusKind.SUBSISTENCE_ALLOWANCE,
        detail="",
        valid_from=DATE(2020, 1, 1),
    )
    enrolment_register(
        acting_user=staff[Role.COUNTY_CLERK], person=person, coverage_year=2026, on=LATE
    )
    dues = Due.objects.filter(person=person, scheme="medical")
    assert dues.count() == 2
    personal = dues.get(kind=DueKind.PERSONAL)
    book = hand_down(register(chain["finance"]), chain)
    receipts.receipt_issue(
        acting_user=chain["assistant"],
        book=book,
        number=1,
        due=personal,
        amount=personal.amount,
        issued_on=DATE(2026, 2, 2),
    )
    assert enrolled(person).status == CoverageStatus.PENDING
    government = dues.get(kind=DueKind.GOVERNMENT_PAID)
    government_paid_confirm(
        acting_user=staff[Role.FINANCE],
        region_code="341125",
        year=2026,
        amount=government.amount,
        reference="医疗救助拨款2号",
        scheme="medical",
    )
    assert enrolled(person).status == CoverageStatus.COVERED


# --------------------------------------------------------------------------- collected_in


def test_the_autumn_batch_carries_the_pension_of_the_year_and_the_premium_of_the_next(
    tree, staff, financing
):
    PlanFactory(year=2026)
    person = EnrolmentFactory(
        village=tree.village_a1,
        person__passbook_number="6228000000002",
        person__passbook_bank=BANK,
    ).person
    dues_generate(acting_user=staff[Role.COUNTY_CLERK], region_code="341125", year=2026)
    enrolment_register(
        acting_user=staff[Role.VILLAGE_ASSISTANT],
        person=person,
        coverage_year=2027,
        on=DATE(2026, 10, 15),
    )
    medical = Due.objects.get(person=person, scheme="medical")
    assert (medical.year, medical.collected_in) == (2027, 2026)

    batch = bank_pays(staff, 2026, DATE(2026, 11, 5))
    carried = {
        (line.due.scheme, line.due.year)
        for line in WithholdingLine.objects.filter(batch=batch).select_related("due")
    }
    assert carried == {("pension", 2026), ("medical", 2027)}
    enrolment = enrolled(person, 2027)
    assert enrolment.status == CoverageStatus.COVERED
    assert enrolment.covered_from == DATE(2027, 1, 1)  # paid in the window
    # the 2027 round has nothing of this person left to take
    with pytest.raises(ValidationError, match="2027年没有可由"):
        withholding.batch_create(
            acting_user=staff[Role.COUNTY_CLERK], region_code="341125", bank=BANK, year=2027
        )


def test_a_late_enrolment_is_collected_in_its_coverage_year(tree, staff, financing):
    person = EnrolmentFactory(village=tree.village_a1).person
    enrolment_register(
        acting_user=staff[Role.VILLAGE_ASSISTANT], person=person, coverage_year=2026, on=LATE
    )
    due = Due.objects.get(person=person, scheme="medical")
    assert (due.year, due.collected_in) == (2026, 2026)
    assert list(Due.objects.collected_in_year(2025).filter(person=person)) == []
    assert list(Due.objects.collected_in_year(2026).filter(person=person)) == [due]


# --------------------------------------------------------------------------- the tax file


def tax_line(person, voucher, amount="400", *scheme):
    return (voucher, person.id_number, person.name, 2026, amount, DATE(2026, 3, 20), *scheme)


def import_tax(staff, data):
    return tax_file_import(
        acting_user=staff[Role.FINANCE],
        region_code="341125",
        file_name="tax.csv",
        data=data,
        on=DATE(2026, 3, 31),
    )


def test_a_version_1_line_fitting_two_schemes_is_refused_not_guessed(staff, payer):
    amounts = set(Due.objects.filter(person=payer).values_list("amount", flat=True))
    assert amounts == {D("400.00")}  # pension grade 400, medical premium 400
    with pytest.raises(ValidationError) as caught:
        import_tax(staff, tax_file_bytes([tax_line(payer, "T1")]))
    message = "\n".join(caught.value.message_dict["file"])
    assert "第3行" in message and "无法确定缴的是哪个险种" in message
    assert "城乡居保" in message and "居民医保" in message
    assert not TaxPaymentFile.objects.exists()
    assert not Due.objects.filter(status=DueStatus.PAID).exists()


def test_a_version_2_line_pays_the_scheme_it_names(staff, payer):
    tax_file, _ = import_tax(staff, tax_file_bytes([tax_line(payer, "T1", "400", "居民医保")]))
    medical = Due.objects.get(person=payer, scheme="medical")
    pension = Due.objects.get(person=payer, scheme="pension")
    assert (medical.status, medical.payment_reference) == (DueStatus.PAID, "T1")
    assert pension.status == DueStatus.OPEN
    assert tax_file.lines.get().scheme == "medical"
    assert enrolled(payer).status == CoverageStatus.COVERED  # on_paid through the tax channel
    # the pension by its code in a second file; both dues paid now, each once
    import_tax(staff, tax_file_bytes([tax_line(payer, "T2", "400", "pension")]))
    assert Due.objects.get(pk=pension.pk).payment_reference == "T2"


def test_a_version_2_file_still_checks_its_totals_and_its_schemes(staff, payer):
    good = tax_file_bytes(
        [tax_line(payer, "T1", "400", "medical"), tax_line(payer, "T2", "400", "pension")]
    ).decode()
    assert good.startswith("JUMIN-TAX,2,2,800.00\n")
    for bad, expected in (
        (good.replace(",2,800.00", ",2,700.00"), "金额合计不符"),
        (good.replace(",2,800.00", ",3,800.00"), "笔数不符"),
        (good.replace(",medical", ",牙科"), "第3行：险种“牙科”不正确"),
        (good.replace(",pension", ""), "字段不全（应有7项，只有6项）"),
    ):
        with pytest.raises(ValidationError) as caught:
            import_tax(staff, bad.encode())
        assert expected in "\n".join(caught.value.message_dict["file"]), bad
    assert not Due.objects.filter(status=DueStatus.PAID).exists()
