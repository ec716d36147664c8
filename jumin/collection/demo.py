"""Collection's part of the demo year (``jumin demo-year``, run by ``jumin.reports.demo``).

* ``demo_staff``: the demo logins by role; ``demo_books``: receipt books registered by the
  demo finance user and handed down to the demo village assistant.
* ``demo_collection``: the year's collection done through the collection services, as the
  county's calendar has it (COUNTY.md; the seed reports: deposits by the 25th, township checks
  26th–28th, county finance 29th–30th), up to the demo's ``today``:

  1. a bank withholding round per passbook bank (batch created by the county clerk, the bank
     file exported, a result file made as the bank would — most paid, a few failed with the
     bank's reason — imported, the batch confirmed by county finance);
  2. cash receipts written by each village's assistant from a book handed down to them for
     most of the payers without a bank passbook (and some whose deduction failed), spread
     over the months; an assistant and a township labour-office clerk are added (no login)
     for every village and township that collects cash, besides the demo logins;
  3. each village's cash of a month deposited by the 25th (one village late: the month's
     explained difference), checked by its township and by county finance;
  4. the agency's bank statement of each month imported, each month reconciled and confirmed
     by county finance (which confirms the cash dues it covers);
  5. a second withholding round for a village whose passbook banks came in late, exported
     and waiting for the bank's result file;
  6. the finance bureau's funds for the government-paid dues confirmed.

  Work is left waiting so that the pages show it: this month's receipts not deposited yet or
  deposited and waiting for the township's check, the last month's receipts of one village
  not deposited (overdue; its township's month stays a draft), the second round, and the dues
  of those who have not paid (未缴).

Every choice per person comes from ``chance(seed, purpose, ID number)``, so the same seed gives
the same year; each step only does what is missing (a due already paid is not paid again, a
month reconciled is not recomputed), so a second run adds nothing.
"""

import calendar
import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from jumin.collection.formats.withholding import adapter_for
from jumin.collection.models import (
    BankResultFile,
    BankStatementFile,
    BatchStatus,
    CashCalendar,
    Deposit,
    DepositStatus,
    Due,
    DueKind,
    DueStatus,
    LineResult,
    Receipt,
    ReceiptBook,
    ReceiptStatus,
    Reconciliation,
    ReconciliationStatus,
    WithholdingBatch,
    WithholdingLine,
)
from jumin.collection.services import receipts
from jumin.collection.services.calendar import calendar_set
from jumin.collection.services.deposits import (
    deposit_check_county,
    deposit_check_township,
    deposit_record,
)
from jumin.collection.services.reconciliation import (
    government_paid_confirm,
    reconciliation_compute,
    reconciliation_confirm,
)
from jumin.collection.services.statements import statement_import
from jumin.collection.services.withholding import (
    batch_confirm,
    batch_create,
    batch_export,
    batch_header,
    export_lines,
    result_import,
)
from jumin.core.models import Region, RegionLevel, Role, User
from jumin.people.demo import demo_accounts, ensure_regions
from jumin.people.demo.county import _create_accounts
from jumin.people.models import Person
from jumin.people.services.persons import person_update

BOOK_SERIES = "皖财居保{year}"
BOOKS = ((1, 50, "village"), (51, 100, "village"), (101, 150, "township"))
# Each other collecting village's book: numbers CADRE_BOOK_FIRST + index × size, by the
# village's place among the county's villages (so a village always gets the same range).
CADRE_BOOK_FIRST = 1001
CADRE_BOOK_SIZE = 50

DEPOSIT_BANK = "农商银行"  # the agency's income account (the townships' 信用社, now 农商银行)
LATE_BANK = "农商银行"  # the bank of the late village's passbooks
BANK_FAILED_SHARE = 0.04
BANK_FAILURES = (("51", "余额不足"), ("54", "存折已挂失"), ("14", "账户已销户"))
LOST_PASSBOOK = ("54", "存折已挂失")
CASH_SHARE = 0.85  # of the payers without a passbook bank: those who have paid cash by today
FAILED_CASH_SHARE = 0.6  # of those whose deduction failed
CURRENT_MONTH_DEPOSIT_SHARE = 0.5  # villages that have deposited this month's cash already
# In the demo township, so that its clerk and the demo assistant see this month's work: the
# share of its cash payers who paid this month.
DEMO_TOWNSHIP_THIS_MONTH_SHARE = 0.35
LAST_RECEIPT_DAY = 20  # the cadres collect in the first weeks, deposit by the 25th
# The county's cash calendar (COUNTY.md): deposit by the 25th, township checks 26th–28th,
# county finance 29th–30th; the days below (``Calendar``) keep to it.
CASH_CALENDAR = (25, 28, 30)


def chance(seed: int, purpose: str, key: str) -> float:
    """A number in [0, 1) fixed by (seed, purpose, key): the same on every run."""
    digest = hashlib.blake2b(f"{seed}:{purpose}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def demo_staff(county_code: str) -> dict[str, User]:
    """The demo logins of the county by role, made now if ``demo-data`` has not made them
    (an account that exists is left as it is)."""
    accounts = demo_accounts(county_code)
    names = [account.username for account in accounts]
    if User.objects.filter(username__in=names).count() < len(names):
        _county, villages, _created = ensure_regions(county_code, seed=0)
        if not villages:
            raise ValidationError(f"区划{county_code}没有村（社区），先运行 jumin demo-data")
        _create_accounts(county_code, villages)
    users = {user.username: user for user in User.objects.filter(username__in=names)}
    return {account.role: users[account.username] for account in accounts}


def demo_books(year: int, staff, notes: list[str]) -> int:
    """Receipt books registered by county finance and handed down: two to the demo village
    assistant (through the township clerk), one kept at the township labour office."""
    finance = staff[Role.FINANCE]
    township_clerk, assistant = staff[Role.TOWNSHIP_CLERK], staff[Role.VILLAGE_ASSISTANT]
    series = BOOK_SERIES.format(year=year)
    if ReceiptBook.objects.filter(series=series, first_number__lt=CADRE_BOOK_FIRST).exists():
        return 0
    for first, last, goes_to in BOOKS:
        book = receipts.book_register(
            acting_user=finance, series=series, first_number=first, last_number=last
        )
        receipts.book_handover(
            acting_user=finance, book=book, receiver=township_clerk, note="演示：县财务发放"
        )
        if goes_to == "village":
            book.refresh_from_db()
            receipts.book_handover(
                acting_user=township_clerk, book=book, receiver=assistant, note="演示：乡镇发放到村"
            )
    notes.append(
        f"票据本 {series}：1–100 号两本已交到 {assistant.username}，101–150 号在 "
        f"{township_clerk.username}（乡镇没有单独的财政所演示账号，县财务直接交乡镇劳保所）"
    )
    return len(BOOKS)


def late_village(county_code: str, staff) -> str | None:
    """The village whose passbook banks come in late (a second withholding round waits for
    it): the last village of the demo township, other than the demo assistant's, with
    passbooks."""
    township = (staff[Role.TOWNSHIP_CLERK].region_id or "")[:9]
    if not township.startswith(county_code):
        return None
    return (
        Person.objects.filter(village__pk__startswith=township)
        .exclude(village_id=staff[Role.VILLAGE_ASSISTANT].region_id)
        .exclude(passbook_number="")
        .order_by("-village_id")
        .values_list("village_id", flat=True)
        .first()
    )


# --------------------------------------------------------------------------- the year


@dataclass
class Calendar:
    """The demo year's days, all on or before ``today``."""

    year: int
    today: datetime.date

    @property
    def bank_day(self) -> datetime.date:
        """The first round's deduction day: 20 April, or a week before today if earlier."""
        return min(datetime.date(self.year, 4, 20), self.today - datetime.timedelta(days=7))

    @property
    def result_day(self) -> datetime.date:
        return min(self.bank_day + datetime.timedelta(days=2), self.today)

    def cash_months(self, *, after_bank: bool) -> list[int]:
        first = self.bank_day.month + 1 if after_bank else 3
        first = min(first, self.today.month)
        return list(range(first, self.today.month + 1))

    @property
    def complete_months(self) -> list[int]:
        """The months whose deposits and checks are done (before this month)."""
        return list(range(1, self.today.month))

    def after_month(self, month: int, days: int) -> datetime.date:
        """``days`` days into the month after ``month`` (today at the latest)."""
        following = datetime.date(self.year + month // 12, month % 12 + 1, 1)
        return min(following + datetime.timedelta(days=days), self.today)

    def receipt_day(self, month: int, point: float) -> datetime.date:
        last = (
            LAST_RECEIPT_DAY if month < self.today.month else min(LAST_RECEIPT_DAY, self.today.day)
        )
        return datetime.date(self.year, month, 1 + int(point * last))

    def deposit_day(self, month: int, point: float, *, late: bool = False) -> datetime.date:
        if late:
            days = calendar.monthrange(self.year, month)[1]
            return datetime.date(self.year, month, min(27, days))
        return datetime.date(self.year, month, 21 + int(point * 5))


@dataclass
class CollectionCounts:
    calendars: int = 0
    cadres: int = 0
    books: int = 0
    batches: int = 0
    bank_paid: int = 0
    bank_failed: int = 0
    receipts: int = 0
    deposits: int = 0
    township_checked: int = 0
    county_checked: int = 0
    statements: int = 0
    reconciliations: int = 0
    government_paid: int = 0
    late_passbooks: int = 0
    details: list[str] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(value for value in vars(self).values() if isinstance(value, int))

    def as_dict(self) -> dict[str, int]:
        return {name: value for name, value in vars(self).items() if isinstance(value, int)}


def demo_collection(
    *, county: Region, year: int, seed: int, staff, notes: list[str], today: datetime.date
) -> CollectionCounts:
    """The year's collection up to ``today`` through the services (see the module doc).
    Inside the caller's transaction; only adds what is missing."""
    county_code = county.code[:6]
    days = Calendar(year, today)
    counts = CollectionCounts()
    late = late_village(county_code, staff)
    _cash_calendar(counts, county, year, staff)
    _bank_round(counts, county, year, seed, staff, days)
    _cash(counts, county, year, seed, staff, days, late)
    _statements(counts, county, year, staff, days)
    _reconcile(counts, county, year, staff, days)
    _late_round(counts, county, year, seed, staff, late)
    _government_paid(counts, county, year, staff)
    notes.append(
        f"征缴：银行代扣批次 {counts.batches} 个（扣款成功 {counts.bank_paid} 笔、失败 "
        f"{counts.bank_failed} 笔），村协理员开票 {counts.receipts} 张，缴存 {counts.deposits} 笔"
        f"（乡镇核对 {counts.township_checked}、县财务核对 {counts.county_checked}），银行对账单 "
        f"{counts.statements} 份，对账 {counts.reconciliations} 个月，政府代缴 "
        f"{counts.government_paid} 人；新增协理员和乡镇经办员 {counts.cadres} 人（无登录密码）"
    )
    notes.extend(counts.details)
    return counts


# --------------------------------------------------------------------------- 0. calendar


def _cash_calendar(counts, county, year, staff) -> None:
    """The county's days for the year as the seed reports give them (deposits by the 25th,
    township checks by the 28th, county finance by the 30th), set by the administrator."""
    if CashCalendar.objects.filter(county=county, year=year).exists():
        return
    _row, changed = calendar_set(
        acting_user=staff[Role.COUNTY_ADMIN],
        county_code=county.code,
        year=year,
        deposit_day=CASH_CALENDAR[0],
        township_check_day=CASH_CALENDAR[1],
        county_check_day=CASH_CALENDAR[2],
    )
    counts.calendars += int(changed)


# --------------------------------------------------------------------------- 1. bank round


def _county_banks(county: Region, year: int) -> list[str]:
    return sorted(
        set(
            Due.objects.filter(
                village__pk__startswith=county.prefix, year=year, kind=DueKind.PERSONAL
            )
            .exclude(person__passbook_bank="")
            .values_list("person__passbook_bank", flat=True)
        )
    )


def _bank_round(counts, county, year, seed, staff, days: Calendar) -> None:
    """Round 1 for every passbook bank of the county, from creation to confirmation; a batch
    left part-way (an earlier run stopped) is taken on from where it stands."""
    clerk, finance = staff[Role.COUNTY_CLERK], staff[Role.FINANCE]
    # the demo assistant's village: its passbooks fail, so that its people pay cash today
    lost = set(
        Person.objects.filter(village_id=staff[Role.VILLAGE_ASSISTANT].region_id).values_list(
            "id_number", flat=True
        )
    )
    for bank in _county_banks(county, year):
        batch = WithholdingBatch.objects.filter(
            region=county, year=year, bank=bank, round=1
        ).first()
        if batch is None:
            try:
                batch = batch_create(
                    acting_user=clerk, region_code=county.code, bank=bank, year=year
                )
            except ValidationError:  # nothing open for this bank
                continue
            counts.batches += 1
        if batch.status == BatchStatus.CREATED:
            batch_export(acting_user=clerk, batch=batch)
        if batch.status in (BatchStatus.CREATED, BatchStatus.EXPORTED):
            data = _bank_result(batch, seed, days.bank_day, lost)
            result_import(
                acting_user=clerk,
                batch=batch,
                file_name=f"回盘-{bank}-{days.bank_day:%Y%m%d}.txt",
                data=data,
                on=days.result_day,
            )
            counts.bank_paid += batch.paid_count
            counts.bank_failed += batch.failed_count
        if batch.status != BatchStatus.CONFIRMED:
            batch_confirm(acting_user=finance, batch=batch)
            # dated as it happened (the services stamp the moment of the demo run)
            WithholdingBatch.objects.filter(pk=batch.pk).update(
                created_at=at(days.bank_day - datetime.timedelta(days=10), 9),
                confirmed_at=at(min(days.result_day + datetime.timedelta(days=1), days.today), 8),
            )
            BankResultFile.objects.filter(batch=batch).update(imported_at=at(days.result_day, 10))


def _bank_result(
    batch: WithholdingBatch, seed: int, deducted_on: datetime.date, lost: set[str]
) -> bytes:
    """The bank's side of the exchange: its result file for the exported lines, most paid,
    a few failed with the bank's code and reason (fixed by the seed and the ID number); the
    passbooks of ``lost`` (ID numbers) reported lost."""

    def outcome(line):
        if line.id_number in lost:
            return line, *LOST_PASSBOOK
        point = chance(seed, "bank-failed", line.id_number)
        if point >= BANK_FAILED_SHARE:
            return line, "00", ""
        code, reason = BANK_FAILURES[int(point / BANK_FAILED_SHARE * len(BANK_FAILURES))]
        return line, code, reason

    lines = (outcome(line) for line in export_lines(batch))
    return adapter_for(batch.bank).result_file(batch_header(batch), lines, deducted_on=deducted_on)


# --------------------------------------------------------------------------- 2. cash


@dataclass
class CashPayment:
    due: Due
    issued_on: datetime.date


def _cash_payments(
    county, year, seed, days: Calendar, late: str | None, demo_village: str
) -> list[CashPayment]:
    """Who has paid cash by today, and when: most open personal dues of payers without a bank
    passbook, and some of those whose deduction failed (after the round); in the demo
    township a third of them this month, and every payer of the demo assistant's village
    today (their passbooks failed)."""
    demo_township = demo_village[:9]
    failed = set(
        WithholdingLine.objects.filter(
            batch__region=county, batch__year=year, result=LineResult.FAILED
        ).values_list("due_id", flat=True)
    )
    dues = (
        Due.objects.filter(
            village__pk__startswith=county.prefix,
            year=year,
            kind=DueKind.PERSONAL,
            status=DueStatus.OPEN,
        )
        .select_related("person")
        .order_by("pk")
    )
    payments = []
    for due in dues:
        person = due.person
        if person.death_date is not None or due.village_id == late:
            continue
        after_bank = due.pk in failed
        if person.passbook_bank and not after_bank:
            continue  # waits for the bank
        if due.village_id == demo_village:  # the demo assistant's receipts of today
            payments.append(CashPayment(due, days.today))
            continue
        share = FAILED_CASH_SHARE if after_bank else CASH_SHARE
        if chance(seed, "cash", person.id_number) >= share:
            continue  # has not paid yet (未缴)
        months = days.cash_months(after_bank=after_bank)
        month = months[int(chance(seed, "cash-month", person.id_number) * len(months))]
        if (
            due.village_id.startswith(demo_township)
            and chance(seed, "cash-this-month", person.id_number) < DEMO_TOWNSHIP_THIS_MONTH_SHARE
        ):
            month = days.today.month
        day = days.receipt_day(month, chance(seed, "cash-day", person.id_number))
        payments.append(CashPayment(due, day))
    return payments


def _cadres(counts, county: Region, village_codes, staff) -> tuple[dict, dict]:
    """The assistant of each village and the labour-office clerk of each township that
    collects cash: the demo logins where they work, else an account of its own without a
    password (staff who do not log in to the demo), made once."""
    assistant, clerk = staff[Role.VILLAGE_ASSISTANT], staff[Role.TOWNSHIP_CLERK]
    villages = Region.objects.in_bulk(sorted(village_codes))
    townships = Region.objects.in_bulk(sorted({code[:9] + "000" for code in village_codes}))
    wanted = {f"va_{code}": (Role.VILLAGE_ASSISTANT, villages[code]) for code in villages}
    wanted |= {f"tc_{code}": (Role.TOWNSHIP_CLERK, townships[code]) for code in townships}
    wanted.pop(f"va_{assistant.region_id}", None)
    wanted.pop(f"tc_{clerk.region_id}", None)
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    new = []
    for username, (role, region) in sorted(wanted.items()):
        if username in existing:
            continue
        label = "协理员" if role == Role.VILLAGE_ASSISTANT else "劳保所经办员"
        user = User(
            username=username,
            full_name=f"{region.name}{label}",
            role=role,
            region=region,
            is_active=True,
        )
        user.set_unusable_password()
        new.append(user)
    User.objects.bulk_create(new)
    counts.cadres += len(new)
    users = {user.username: user for user in User.objects.filter(username__in=wanted)}
    assistants = {
        code: assistant if code == assistant.region_id else users[f"va_{code}"] for code in villages
    }
    clerks = {
        code[:9]: clerk if code == clerk.region_id else users[f"tc_{code}"] for code in townships
    }
    return assistants, clerks


def _free_numbers(holder: User, series: str) -> list[tuple[ReceiptBook, int]]:
    books = ReceiptBook.objects.filter(holder=holder, series=series).order_by("first_number")
    used = set(Receipt.objects.filter(book__in=books).values_list("book_id", "number").iterator())
    return [
        (book, number)
        for book in books
        for number in range(book.first_number, book.last_number + 1)
        if (book.pk, number) not in used
    ]


def _book_for(counts, village: str, index: int, series, assistant, clerk, finance) -> None:
    """A book for the village's assistant, handed down county finance → township → village."""
    first = CADRE_BOOK_FIRST + index * CADRE_BOOK_SIZE
    book = receipts.book_register(
        acting_user=finance,
        series=series,
        first_number=first,
        last_number=first + CADRE_BOOK_SIZE - 1,
    )
    receipts.book_handover(acting_user=finance, book=book, receiver=clerk, note="演示：县财务发放")
    book.refresh_from_db()
    receipts.book_handover(acting_user=clerk, book=book, receiver=assistant, note="演示：发放到村")
    counts.books += 1


def _cash(counts, county, year, seed, staff, days: Calendar, late) -> None:
    demo_village = staff[Role.VILLAGE_ASSISTANT].region_id
    payments = _cash_payments(county, year, seed, days, late, demo_village)
    by_village: dict[str, list[CashPayment]] = defaultdict(list)
    for payment in payments:
        by_village[payment.due.village_id].append(payment)
    assistants, clerks = _cadres(counts, county, by_village, staff)
    finance = staff[Role.FINANCE]
    series = BOOK_SERIES.format(year=year)
    index_of = {
        code: index
        for index, code in enumerate(
            Region.objects.filter(code__startswith=county.prefix, level=RegionLevel.VILLAGE)
            .order_by("code")
            .values_list("code", flat=True)
        )
    }
    for village in sorted(by_village):
        assistant, clerk = assistants[village], clerks[village[:9]]
        free = _free_numbers(assistant, series)
        if not free:
            _book_for(counts, village, index_of[village], series, assistant, clerk, finance)
            free = _free_numbers(assistant, series)
        issued = sorted(
            by_village[village], key=lambda payment: (payment.issued_on, payment.due.pk)
        )
        if len(issued) > len(free):
            counts.details.append(f"{village}：票据本号码不够，{len(issued) - len(free)} 人未开票")
        for payment, (book, number) in zip(issued, free, strict=False):
            receipts.receipt_issue(
                acting_user=assistant,
                book=book,
                number=number,
                due=payment.due,
                amount=payment.due.amount,
                issued_on=payment.issued_on,
            )
            counts.receipts += 1
    _deposits(counts, county, year, seed, staff, days, assistants, clerks)


def _deposits(counts, county, year, seed, staff, days: Calendar, assistants, clerks) -> None:
    """Each village's cash of a month in one slip. Past months: deposited by the 25th (one
    village late, one village's last month not at all), checked by the township and county
    finance. This month: half the villages have deposited, waiting for county finance; in the
    demo township every village but the demo assistant's has, waiting for the township's
    check; the demo assistant still holds this month's cash."""
    finance = staff[Role.FINANCE]
    demo_township = staff[Role.TOWNSHIP_CLERK].region_id[:9]
    demo_village = staff[Role.VILLAGE_ASSISTANT].region_id
    waiting = Receipt.objects.filter(
        region__pk__startswith=county.prefix,
        contribution_year=year,
        status=ReceiptStatus.ISSUED,
        deposit__isnull=True,
    ).order_by("region_id", "issued_at", "number")
    by_month: dict[tuple[str, int], list[Receipt]] = defaultdict(list)
    for receipt in waiting:
        by_month[(receipt.region_id, _local_day(receipt).month)].append(receipt)
    complete = days.complete_months
    last = complete[-1] if complete else None
    late_month = complete[-2] if len(complete) >= 2 else None
    overdue = _pick_village([code for code, month in by_month if month == last], demo_township)
    late = _pick_village([code for code, month in by_month if month == late_month], "")
    past: list[Deposit] = []
    for (village, month), taken in sorted(by_month.items()):
        if village not in assistants:
            continue  # a receipt of a village the demo did not collect in (made by hand)
        if month in complete:
            if month == last and village == overdue:
                continue  # not deposited: the overdue list shows it
            point = chance(seed, "deposit-day", f"{village}:{month}")
            deposited_on = days.deposit_day(
                month, point, late=(month, village) == (late_month, late)
            )
            checks = 2
        else:
            point = chance(seed, "deposit-now", village)
            if village == demo_village or (
                not village.startswith(demo_township) and point >= CURRENT_MONTH_DEPOSIT_SHARE
            ):
                continue  # this month's cash still with the assistant
            deposited_on = days.today
            checks = 0 if village.startswith(demo_township) else 1
        deposited_on = max(deposited_on, max(_local_day(receipt) for receipt in taken))
        deposit = deposit_record(
            acting_user=assistants[village],
            village=village,
            bank=DEPOSIT_BANK,
            slip_number=f"JK{year}{month:02d}{village[6:]}",
            deposited_on=deposited_on,
            amount=sum((receipt.amount for receipt in taken), Decimal("0.00")),
            depositor_name=assistants[village].full_name or assistants[village].username,
            receipt_ids=[receipt.pk for receipt in taken],
        )
        counts.deposits += 1
        if checks == 2:
            past.append(deposit)
        if checks >= 1:
            deposit_check_township(acting_user=clerks[village[:9]], deposit=deposit)
            counts.township_checked += 1
        if checks >= 2:
            deposit_check_county(acting_user=finance, deposit=deposit)
            counts.county_checked += 1
    _date_the_checks(past, seed)
    if late:
        counts.details.append(
            f"对账的说明差异：{late} {year}年{late_month}月的现金在 25 日之后才缴存（逾期缴存）"
        )
    if overdue:
        counts.details.append(f"逾期未缴存：{overdue} {year}年{last}月的票款还在协理员手上")


def _date_the_checks(deposits: list[Deposit], seed: int) -> None:
    """The past months' slips were recorded on their deposit day and checked on the
    calendar's days (township 26th–28th, county finance 29th–30th); the services stamp the
    moment of the demo run, so the demo dates them afterwards, in one statement (the audit
    entries keep the moment of the run)."""
    for deposit in deposits:
        day = deposit.deposited_on
        last = calendar.monthrange(day.year, day.month)[1]
        point = chance(seed, "checked", deposit.slip_number)
        township = max(min(26 + int(point * 3), last - 1), day.day)
        county = max(min(29 + int(point * 2), last), township)
        deposit.recorded_at = at(day, 16)
        deposit.township_checked_at = at(day.replace(day=township), 10)
        deposit.county_checked_at = at(day.replace(day=county), 15)
    Deposit.objects.bulk_update(
        deposits, ["recorded_at", "township_checked_at", "county_checked_at"], batch_size=500
    )


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _local_day(receipt: Receipt) -> datetime.date:
    return timezone.localdate(receipt.issued_at)


def _pick_village(codes: list[str], prefer_prefix: str) -> str | None:
    """The first village (by code) of ``codes``, one under ``prefer_prefix`` if any."""
    codes = sorted(codes)
    if not codes:
        return None
    preferred = [code for code in codes if prefer_prefix and code.startswith(prefer_prefix)]
    return (preferred or codes)[0]


# --------------------------------------------------------------------------- 3. statements


def _statements(counts, county, year, staff, days: Calendar) -> None:
    """The agency account's statement of each past month: a line per slip county finance has
    checked (the bank's own booking of the cash the cadre paid in)."""
    finance = staff[Role.FINANCE]
    checked = Deposit.objects.filter(
        village__pk__startswith=county.prefix,
        status=DepositStatus.COUNTY_CHECKED,
        deposited_on__year=year,
        statement_lines__isnull=True,
    ).order_by("deposited_on", "slip_number")
    by_month: dict[int, list[Deposit]] = defaultdict(list)
    for deposit in checked:
        by_month[deposit.deposited_on.month].append(deposit)
    for month, deposits in sorted(by_month.items()):
        total = sum((deposit.amount for deposit in deposits), Decimal("0.00"))
        rows = [f"JUMIN-STATEMENT,1,{len(deposits)},{total}", "入账日期,金额,凭证号,对方户名"]
        rows += [
            f"{d.deposited_on.isoformat()},{d.amount},{d.slip_number},{d.depositor_name}"
            for d in deposits
        ]
        result = statement_import(
            acting_user=finance,
            region_code=county.code,
            bank=DEPOSIT_BANK,
            file_name=f"对账单-{DEPOSIT_BANK}-{year}{month:02d}.csv",
            content=("\n".join(rows) + "\n").encode(),
            on=days.today,
        )
        counts.statements += int(result.created)
        if result.created:  # received from the bank in the first days of the next month
            BankStatementFile.objects.filter(pk=result.file.pk).update(
                imported_at=at(days.after_month(month, 2), 9)
            )


# --------------------------------------------------------------------------- 4. reconciliation


def _reconcile(counts, county, year, staff, days: Calendar) -> None:
    """Every past month with cash reconciled by county finance and confirmed (a township
    with a blocking difference stays a draft); this month computed as a draft."""
    finance = staff[Role.FINANCE]
    first_month = min(3, days.today.month)
    for month in range(first_month, days.today.month + 1):
        on = datetime.date(year, month, 1)
        if Reconciliation.objects.filter(region=county, month=on).exists():
            continue
        row = reconciliation_compute(finance, county, on)
        counts.reconciliations += 1
        if month == days.today.month:
            continue  # this month's draft: receipts not deposited yet show as differences
        done = at(days.after_month(month, 4), 11)
        if not row.differences or not any(item.get("blocking") for item in row.differences):
            reconciliation_confirm(acting_user=finance, reconciliation=row)
        else:
            townships = Reconciliation.objects.filter(
                region__parent=county, month=on, status=ReconciliationStatus.DRAFT
            ).select_related("region")
            for township in townships:
                if not any(item.get("blocking") for item in township.differences):
                    reconciliation_confirm(acting_user=finance, reconciliation=township)
        # dated as it happened: early in the next month
        rows = Reconciliation.objects.filter(region__pk__startswith=county.prefix, month=on)
        rows.update(computed_at=done)
        rows.filter(status=ReconciliationStatus.CONFIRMED).update(confirmed_at=done)


# --------------------------------------------------------------------------- 5. late village


def _late_round(counts, county, year, seed, staff, late: str | None) -> None:
    """The late village's passbook banks recorded (the village's list came after round 1),
    then round 2 of that bank exported: waiting for the bank's result file."""
    if late is None:
        return
    if WithholdingBatch.objects.filter(region=county, year=year, bank=LATE_BANK, round__gte=2):
        return
    clerk = staff[Role.COUNTY_CLERK]
    persons = Person.objects.filter(village_id=late, passbook_bank="").exclude(passbook_number="")
    for person in persons.order_by("pk"):
        person_update(
            acting_user=clerk,
            person=person,
            data={"passbook_bank": LATE_BANK},
            reason="演示：村里补报的存折开户行",
        )
        counts.late_passbooks += 1
    try:
        batch = batch_create(acting_user=clerk, region_code=county.code, bank=LATE_BANK, year=year)
    except ValidationError:
        return
    batch_export(acting_user=clerk, batch=batch)
    counts.batches += 1
    counts.details.append(
        f"代扣第 2 批（{LATE_BANK}，{batch.line_count} 笔，含 {late} 补报开户行的存折）已导出，"
        "等待银行回盘"
    )


# --------------------------------------------------------------------------- 6. government


def _government_paid(counts, county, year, staff) -> None:
    open_dues = Due.objects.filter(
        village__pk__startswith=county.prefix,
        year=year,
        kind=DueKind.GOVERNMENT_PAID,
        status=DueStatus.OPEN,
    )
    total = open_dues.aggregate(total=Sum("amount"))["total"]
    if not total:
        return
    counts.government_paid += government_paid_confirm(
        acting_user=staff[Role.FINANCE],
        region_code=county.code,
        year=year,
        amount=total,
        reference=f"财拨{year}-居保代缴",
    )
