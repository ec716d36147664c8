"""Helpers of the statement, reconciliation, posting and account tests (not a test module).

Rows are made directly with the ORM, so these tests do not depend on the receipt, deposit
and dues services of the other areas.
"""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from jumin.collection.models import (
    BankStatementFile,
    BankStatementLine,
    Channel,
    Deposit,
    DepositStatus,
    DueKind,
    DueStatus,
    Receipt,
    ReceiptBook,
    ReceiptStatus,
)
from jumin.core.models import Role
from jumin.pension.models import ContributionDue, Enrolment, EnrolmentStatus
from jumin.pension.services.plans import plan_data_from_file, plan_seed
from jumin.testing.factories import PersonFactory

YEAR = 2026
MARCH = datetime.date(YEAR, 3, 1)
_numbers = itertools.count(1)


def seed_plan(year: int = YEAR, region_code: str = "340000000000", **changes):
    data = {**plan_data_from_file(), **changes}
    plan, _ = plan_seed(actor=None, year=year, region_code=region_code, data=data)
    return plan


def paying_person(village, staff, *, status=EnrolmentStatus.PAYING, **fields):
    person = PersonFactory(village=village, **fields)
    Enrolment.objects.create(
        person=person,
        village=village,
        status=status,
        applied_by=staff[Role.VILLAGE_ASSISTANT],
        registered_on=datetime.date(YEAR - 1, 6, 1),
    )
    return person


def make_due(
    plan,
    person,
    *,
    amount="200.00",
    kind=DueKind.PERSONAL,
    status=DueStatus.PAID,
    channel=Channel.CASH,
    subsidies=("0", "0", "0"),
    collective="0",
    year=YEAR,
):
    province, city, county = (Decimal(value) for value in subsidies)
    paid = status in (DueStatus.PAID, DueStatus.CONFIRMED, DueStatus.POSTED)
    return ContributionDue.objects.create_due(
        person=person,
        village=person.village,
        plan=plan,
        year=year,
        kind=kind,
        grade=Decimal(amount),
        amount=Decimal(amount),
        subsidy_province=province,
        subsidy_city=city,
        subsidy_county=county,
        collective_subsidy=Decimal(collective),
        status=status,
        channel=channel if paid else "",
        paid_amount=Decimal(amount) if paid else None,
        paid_on=datetime.date(YEAR, 3, 10) if paid else None,
        confirmed_at=timezone.now() if status == DueStatus.CONFIRMED else None,
    )


def make_book(holder, region, series="皖A"):
    first = next(_numbers) * 1000
    return ReceiptBook.objects.create(
        series=series,
        first_number=first,
        last_number=first + 99,
        registered_by=holder,
        holder=holder,
        holder_region=region,
        status="in_use",
    )


def make_receipt(book, due, *, on=datetime.date(YEAR, 3, 10), payer_name=None, deposit=None):
    number = book.first_number + book.receipts.count()
    return Receipt.objects.create(
        book=book,
        series=book.series,
        number=number,
        status=ReceiptStatus.ISSUED,
        person=due.person,
        amount=due.amount,
        payer_name=due.person.name if payer_name is None else payer_name,
        contribution_year=due.year,
        region=due.village,
        issued_at=timezone.make_aware(datetime.datetime.combine(on, datetime.time(10, 0))),
        issued_by=book.holder,
        due=due,
        deposit=deposit,
    )


def make_deposit(
    village,
    user,
    *,
    slip="S1",
    amount="200.00",
    on=datetime.date(YEAR, 3, 20),
    status=DepositStatus.COUNTY_CHECKED,
    receipts=(),
):
    deposit = Deposit.objects.create(
        village=village,
        bank="农商行",
        slip_number=slip,
        deposited_on=on,
        amount=Decimal(amount),
        depositor_name="王会计",
        recorded_by=user,
        status=status,
    )
    if receipts:
        Receipt.objects.filter(pk__in=[r.pk for r in receipts]).update(deposit=deposit)
    return deposit


def make_line(
    county, *, reference="S1", amount="200.00", on=datetime.date(YEAR, 3, 21), deposit=None
):
    file = BankStatementFile.objects.create(
        region=county,
        bank="农商行",
        file_name="t.csv",
        sha256=f"{next(_numbers):064d}",
        line_count=1,
        amount_sum=Decimal(amount),
    )
    return BankStatementLine.objects.create(
        file=file,
        region=county,
        line_number=1,
        booked_on=on,
        amount=Decimal(amount),
        reference=reference,
        counterparty="王会计",
        deposit=deposit,
    )


def clean_month(tree, staff, plan, *, amount="200.00", slip="S1", village=None):
    """One paid due, its receipt, a county-checked deposit and its bank line: no difference."""
    village = village or tree.village_a1
    person = paying_person(village, staff)
    due = make_due(plan, person, amount=amount)
    book = make_book(staff[Role.VILLAGE_ASSISTANT], village)
    receipt = make_receipt(book, due)
    deposit = make_deposit(
        village, staff[Role.VILLAGE_ASSISTANT], slip=slip, amount=amount, receipts=[receipt]
    )
    line = make_line(tree.county, reference=slip, amount=amount, deposit=deposit)
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
