"""factory_boy factories of collection's rows (and usable from a Django shell).

Built with the ORM on top of ``jumin.testing.factories`` (regions, staff, persons) and, for
dues, ``jumin.pension.tests.factories`` (a due is priced by its scheme), so a test of one
area does not depend on the services of another: a cash calendar, a receipt book in a
holder's hands, an issued receipt of a due, a deposit slip carrying receipts, a bank
statement line, a withholding batch and its lines. ``clean_month`` and ``statement_csv``
compose them into the month and the file most reconciliation tests start from.
"""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from jumin.collection.models import (
    BankStatementFile,
    BankStatementLine,
    BatchStatus,
    BookStatus,
    CashCalendar,
    Deposit,
    DepositStatus,
    DueStatus,
    LineResult,
    Receipt,
    ReceiptBook,
    ReceiptStatus,
    WithholdingBatch,
    WithholdingLine,
)
from jumin.core.models import Region, RegionLevel, Role, User
from jumin.pension.tests.factories import EnrolmentFactory, PensionDueFactory
from jumin.testing.factories import RegionFactory, StaffFactory

YEAR = 2026
MARCH = datetime.date(YEAR, 3, 1)


def _county_of(region: Region) -> Region:
    return Region.objects.get(code=region.code[:6].ljust(12, "0"))


def _finance_of(region: Region) -> User:
    county = region.code[:6].ljust(12, "0")
    finance = User.objects.filter(role=Role.FINANCE, region_id=county).order_by("pk").first()
    return finance or StaffFactory(role=Role.FINANCE, region=_county_of(region))


def _assistant_of(village: Region) -> User:
    assistant = (
        User.objects.filter(role=Role.VILLAGE_ASSISTANT, region=village).order_by("pk").first()
    )
    return assistant or StaffFactory(role=Role.VILLAGE_ASSISTANT, region=village)


class CashCalendarFactory(factory.django.DjangoModelFactory):
    """A county's deposit and check days for a year (the standard days by default)."""

    class Meta:
        model = CashCalendar
        django_get_or_create = ("county", "year")

    county = factory.SubFactory(
        RegionFactory, code="341125000000", name="定远县", level=RegionLevel.COUNTY
    )
    year = YEAR
    deposit_day = 25
    township_check_day = 28
    county_check_day = 30


class ReceiptBookFactory(factory.django.DjangoModelFactory):
    """A book of 100 numbers in use by ``holder`` (the village's assistant by default) of
    ``holder_region``; registered by the county's finance."""

    class Meta:
        model = ReceiptBook

    series = "皖A"
    first_number = factory.Sequence(lambda n: (n + 1) * 1000)
    last_number = factory.LazyAttribute(lambda o: o.first_number + 99)
    holder_region = factory.SubFactory(
        RegionFactory, code="341125100001", name="东门村", level=RegionLevel.VILLAGE
    )
    holder = factory.LazyAttribute(lambda o: _assistant_of(o.holder_region))
    registered_by = factory.LazyAttribute(lambda o: _finance_of(o.holder_region))
    status = BookStatus.IN_USE


class ReceiptFactory(factory.django.DjangoModelFactory):
    """An issued receipt of ``due`` (an open 200-yuan pension due of a new person by default)
    at 10:00 on ``on`` (10 March), the book's next number, in the due's village."""

    class Meta:
        model = Receipt
        exclude = ("on",)

    on = datetime.date(YEAR, 3, 10)
    due = factory.SubFactory(PensionDueFactory)
    book = factory.SubFactory(ReceiptBookFactory, holder_region=factory.SelfAttribute("..region"))
    region = factory.LazyAttribute(lambda o: o.due.village)
    series = factory.LazyAttribute(lambda o: o.book.series)
    number = factory.LazyAttribute(lambda o: o.book.first_number + o.book.receipts.count())
    status = ReceiptStatus.ISSUED
    person = factory.LazyAttribute(lambda o: o.due.person)
    amount = factory.LazyAttribute(lambda o: o.due.amount)
    payer_name = factory.LazyAttribute(lambda o: o.due.person.name)
    contribution_year = factory.LazyAttribute(lambda o: o.due.year)
    issued_at = factory.LazyAttribute(
        lambda o: timezone.make_aware(datetime.datetime.combine(o.on, datetime.time(10, 0)))
    )
    issued_by = factory.LazyAttribute(lambda o: o.book.holder)
    deposit = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        if kwargs.get("payer_name") is None:  # None: the person paid themselves
            kwargs["payer_name"] = kwargs["person"].name if kwargs.get("person") else ""
        return super()._create(model_class, *args, **kwargs)


class DepositFactory(factory.django.DjangoModelFactory):
    """A county-checked slip of 200 yuan deposited on 20 March; ``receipts=[...]`` are the
    receipts whose cash it carried."""

    class Meta:
        model = Deposit
        skip_postgeneration_save = True

    village = factory.SubFactory(
        RegionFactory, code="341125100001", name="东门村", level=RegionLevel.VILLAGE
    )
    bank = "农商行"
    slip_number = factory.Sequence(lambda n: f"S{n + 1}")
    deposited_on = datetime.date(YEAR, 3, 20)
    amount = Decimal("200.00")
    depositor_name = "王会计"
    recorded_by = factory.LazyAttribute(lambda o: _assistant_of(o.village))
    status = DepositStatus.COUNTY_CHECKED

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kwargs["amount"] = Decimal(str(kwargs["amount"]))
        return super()._create(model_class, *args, **kwargs)

    @factory.post_generation
    def receipts(deposit, create, extracted, **kwargs):
        if create and extracted:
            Receipt.objects.filter(pk__in=[receipt.pk for receipt in extracted]).update(
                deposit=deposit
            )


class BankStatementFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BankStatementFile

    region = factory.SubFactory(
        RegionFactory, code="341125000000", name="定远县", level=RegionLevel.COUNTY
    )
    bank = "农商行"
    file_name = "statement.csv"
    sha256 = factory.Sequence(lambda n: f"{n + 1:064d}")
    line_count = 1
    amount_sum = Decimal("200.00")


class BankStatementLineFactory(factory.django.DjangoModelFactory):
    """A line of the county's statement booked on 21 March; ``deposit`` links it to a slip
    (none: the reconciliation matches it by ``reference``)."""

    class Meta:
        model = BankStatementLine

    region = factory.SubFactory(
        RegionFactory, code="341125000000", name="定远县", level=RegionLevel.COUNTY
    )
    amount = Decimal("200.00")
    file = factory.SubFactory(
        BankStatementFileFactory,
        region=factory.SelfAttribute("..region"),
        amount_sum=factory.SelfAttribute("..amount"),
    )
    line_number = 1
    booked_on = datetime.date(YEAR, 3, 21)
    reference = "S1"
    counterparty = "王会计"
    deposit = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kwargs["amount"] = Decimal(str(kwargs["amount"]))
        return super()._create(model_class, *args, **kwargs)


class WithholdingBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WithholdingBatch

    region = factory.SubFactory(
        RegionFactory, code="341125000000", name="定远县", level=RegionLevel.COUNTY
    )
    bank = "农商行"
    year = YEAR
    round = factory.Sequence(lambda n: n + 1)
    status = BatchStatus.CREATED


class WithholdingLineFactory(factory.django.DjangoModelFactory):
    """A pending line of ``batch`` for ``due`` (an open pension due of a new person)."""

    class Meta:
        model = WithholdingLine

    batch = factory.SubFactory(WithholdingBatchFactory)
    line_number = factory.Sequence(lambda n: n + 1)
    due = factory.SubFactory(PensionDueFactory)
    person = factory.LazyAttribute(lambda o: o.due.person)
    village = factory.LazyAttribute(lambda o: o.due.village)
    account_number = factory.LazyAttribute(lambda o: o.due.person.passbook_number or "6200")
    amount = factory.LazyAttribute(lambda o: o.due.amount)
    result = LineResult.PENDING


# --------------------------------------------------------------------------- scenarios


def clean_month(tree, staff, plan, *, amount="200.00", slip="S1", village=None):
    """One paid due of a paying person, its receipt, a county-checked deposit and its bank
    line: a village month without any difference."""
    village = village or tree.village_a1
    person = EnrolmentFactory(village=village, applied_by=staff[Role.VILLAGE_ASSISTANT]).person
    due = PensionDueFactory(plan=plan, person=person, amount=amount, status=DueStatus.PAID)
    book = ReceiptBookFactory(holder=staff[Role.VILLAGE_ASSISTANT], holder_region=village)
    receipt = ReceiptFactory(book=book, due=due)
    deposit = DepositFactory(
        village=village,
        recorded_by=staff[Role.VILLAGE_ASSISTANT],
        slip_number=slip,
        amount=Decimal(amount),
        receipts=[receipt],
    )
    line = BankStatementLineFactory(
        region=tree.county, reference=slip, amount=Decimal(amount), deposit=deposit
    )
    return {"person": person, "due": due, "receipt": receipt, "deposit": deposit, "line": line}


def statement_csv(lines, *, count=None, total=None, header=True, encoding="utf-8") -> bytes:
    """A statement file: control header (or trailer), titles, lines (date, amount, ref, name)."""
    count = len(lines) if count is None else count
    total = sum(Decimal(line[1]) for line in lines) if total is None else total
    rows = []
    if header:
        rows.append(f"JUMIN-STATEMENT,1,{count},{total}")
    rows.append("入账日期,金额,凭证号,对方户名")
    rows += [",".join(line) for line in lines]
    if not header:
        rows.append(f"合计,{count},{total}")
    return ("\n".join(rows) + "\n").encode(encoding)
