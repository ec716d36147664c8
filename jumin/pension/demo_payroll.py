"""The payroll's part of the demo year: ``demo_payroll`` (runs after the awards exist).

On the demo county: the basic-pension standard of the year (the 2026 central minimum, unless
one is in force), active awards for those receiving if nobody has one yet (set-based, the
account balance from the person's ledger), certifications for every pensioner (one a year,
spread so a few fall due in the next two months), then the year's payrolls:

- January to November built by the county clerk, approved by county finance, exported and
  answered by the bank (about 0.5 % of lines fail, retried the next month);
- a raise of 20 a month entered before July, back-dated to January: July pays the arrears;
- a lapse: about 1 % of pensioners certified in March of last year lapse in April; a few of
  them certify in June and July pays their suspended months;
- a death in the demo township in August, reported after October's payroll: a recovery case
  with the overpaid months, open;
- December built by the county clerk and waiting for approval.

Every choice per person is ``chance(seed, purpose, id)``; every month that has a payroll is
skipped, so a second run adds nothing.
"""

import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from jumin.core.models import Region, Role
from jumin.pension import rules
from jumin.pension.demo import chance, day_between
from jumin.pension.models import (
    AccountEntry,
    Award,
    AwardStatus,
    BenefitStandard,
    Certification,
    CertificationChannel,
    Enrolment,
    EnrolmentStatus,
    LineStatus,
    Payroll,
    PayrollLine,
    PayrollStatus,
)
from jumin.pension.services import certification as certifications
from jumin.pension.services import deaths
from jumin.pension.services import payroll as payrolls

CHUNK = 5000
FAIL_SHARE = 0.005
LAPSE_SHARE = 0.01
RAISE_MONTH = 7
RAISE = Decimal("20.00")
RAISE_DOCUMENT = "演示：县政府提高地方基础养老金，自1月1日起执行"
CHANNELS = (
    (CertificationChannel.MATCHED, 0.55),
    (CertificationChannel.PHONE, 0.25),
    (CertificationChannel.COUNTER, 0.15),
    (CertificationChannel.KIOSK, 0.05),
)


def demo_payroll(
    *, county, year: int, seed: int, staff, notes: list[str], today: datetime.date | None = None
) -> int:
    """Add what is missing of the demo payroll year; returns how many rows it added.

    ``today`` (the demo's day, 1 December of the year by default): the months before its
    month are paid, its month is built and waiting for approval."""
    today = today or datetime.date(year, 12, 1)
    waiting = today.month if today.year == year else 12
    county = county if isinstance(county, Region) else Region.objects.get(code=county)
    clerk, finance = staff[Role.COUNTY_CLERK], staff[Role.FINANCE]
    added = 0
    with transaction.atomic():
        added += _standard(county, year)
        made = _awards(county, year, clerk)
        added += made
        if made:
            notes.append(f"待遇：为{made}名领取人建立了正常领取的待遇（账户余额取自个人账户）")
        added += _certifications(county, year, seed)
    for number in range(1, waiting + 1):
        month = datetime.date(year, number, 1)
        if Payroll.objects.filter(region=county, month=month).exists():
            continue
        if number == RAISE_MONTH:
            added += _raise(county, year, notes)
        if number == 6:
            added += _resume_some(county, year, staff, notes)
        payroll = payrolls.payroll_build(acting_user=clerk, region_code=county.code, month=month)
        added += payroll.line_count
        if number == waiting:
            notes.append(
                f"{month:%Y年%m月}发放表已由{clerk.username}生成（{payroll.line_count}笔，"
                f"{payroll.amount_sum}元），等待{finance.username}审核"
            )
            break
        _pay(payroll, finance, seed)
        if number == 10:
            added += _death(county, year, seed, staff, notes)
    return added


def _standard(county, year: int) -> int:
    start = datetime.date(year, 1, 1)
    if BenefitStandard.objects.in_force(region_code=county.code, on=start) is not None:
        return 0
    province = Region.objects.get(code=county.code[:2] + "0" * 10)
    BenefitStandard.objects.create(
        region=province,
        effective_from=start,
        central_minimum=Decimal("163.00"),
        local_top_up=Decimal("0.00"),
        extra_per_year=Decimal("1.00"),
        funeral_grant=Decimal("1000.00"),
        document_number="演示：2026年基础养老金最低标准",
    )
    return 1


def _raise(county, year: int, notes: list[str]) -> int:
    """A raise of 20 a month at the county from 1 January, entered now (before July). When
    the county already has its row from 1 January (the awards' demo gives it a top-up), the
    raise is entered on that row; otherwise a county row is added."""
    start = datetime.date(year, 1, 1)
    standard = BenefitStandard.objects.in_force(region_code=county.code, on=start)
    if standard.document_number == RAISE_DOCUMENT:
        return 0
    if standard.region_id == county.code and standard.effective_from == start:
        BenefitStandard.objects.filter(pk=standard.pk).update(
            local_top_up=standard.local_top_up + RAISE,
            document_number=RAISE_DOCUMENT,
        )
        notes.append(
            f"{year}年7月录入县级基础养老金每月提高{RAISE}元（自1月1日起）：7月补发1–6月差额"
        )
        return 1
    BenefitStandard.objects.create(
        region=county,
        effective_from=start,
        central_minimum=standard.central_minimum,
        local_top_up=standard.local_top_up + RAISE,
        extra_per_year=standard.extra_per_year,
        extra_after_years=standard.extra_after_years,
        funeral_grant=standard.funeral_grant,
        certification_cycle_months=standard.certification_cycle_months,
        document_number=RAISE_DOCUMENT,
    )
    notes.append(f"{year}年7月录入县级基础养老金每月提高{RAISE}元（自1月1日起）：7月补发1–6月差额")
    return 1


def _awards(county, year: int, clerk) -> int:
    """Active awards for those receiving, only if the county has no award at all."""
    prefix = county.code[:6]
    if Award.objects.filter(village__pk__startswith=prefix).exists():
        return 0
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    start = ops.adapt_datefield_value(datetime.date(year - 1, 1, 1))
    award, entry, enrolment = (
        Award._meta.db_table,
        AccountEntry._meta.db_table,
        Enrolment._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {award} (person_id, enrolment_id, village_id, kind, status, start_month,
                contribution_years, account_balance, divisor, account_pension, basic_pension,
                explanation, applied_on, applied_by_id, decided_on, suspension_reason,
                end_reason, created_at, updated_at)
            SELECT e.person_id, e.id, e.village_id, 'normal', 'active', %s, 15 + e.id %% 6,
                   COALESCE(b.balance, 0), 139,
                   CASE WHEN COALESCE(b.balance, 0) > 0
                        THEN ROUND(COALESCE(b.balance, 0) / 139.0, 2) ELSE 0 END,
                   163.00, '[]', %s, %s, %s, '', '', %s, %s
            FROM {enrolment} e
            LEFT JOIN (SELECT person_id, SUM(amount) AS balance FROM {entry}
                       GROUP BY person_id) b ON b.person_id = e.person_id
            WHERE e.status = %s AND e.village_id LIKE %s
            """,
            [start, start, clerk.pk, start, now, now, EnrolmentStatus.RECEIVING.value,
             prefix + "%"],
        )  # fmt: skip
        return cursor.rowcount


def _certifications(county, year: int, seed: int) -> int:
    """One certification a year for each pensioner without one; about 1 % certified in March
    of last year (they lapse in April)."""
    prefix = county.code[:6]
    awards = (
        Award.objects.filter(village__pk__startswith=prefix, status=AwardStatus.ACTIVE)
        .exclude(person_id__in=Certification.objects.values("person_id"))
        .values_list("person_id", "village_id", "person__id_number")
    )
    rows = []
    for person_id, village_id, id_number in awards.iterator(chunk_size=CHUNK):
        if chance(seed, "lapse", id_number) < LAPSE_SHARE:
            day = datetime.date(year - 1, 3, 1 + int(chance(seed, "lapse-day", id_number) * 27))
        else:
            day = day_between(
                seed, "certified", id_number, datetime.date(year - 1, 12, 15),
                datetime.date(year, 11, 30),
            )  # fmt: skip
        pick, channel = chance(seed, "channel", id_number), CertificationChannel.MATCHED
        for value, share in CHANNELS:
            if pick < share:
                channel = value
                break
            pick -= share
        rows.append(
            Certification(
                person_id=person_id,
                village_id=village_id,
                certified_on=day,
                channel=channel,
                next_due_on=rules.certification_due(day, 12),
            )
        )
    Certification.objects.bulk_create(rows, batch_size=CHUNK)
    return len(rows)


def _resume_some(county, year: int, staff, notes: list[str]) -> int:
    """Half of those suspended for a lapse certify at the counter in June."""
    suspended = Award.objects.filter(
        village__pk__startswith=county.code[:6],
        status=AwardStatus.SUSPENDED,
        suspension_reason="1201",
    ).select_related("person")
    resumed = 0
    for index, award in enumerate(suspended.order_by("pk")):
        if index % 2:  # every other one certifies
            continue
        certifications.certification_record(
            acting_user=staff[Role.COUNTY_CLERK],
            person=award.person,
            certified_on=datetime.date(year, 6, 10),
            channel=CertificationChannel.COUNTER,
            note="演示：逾期后补办认证",
        )
        resumed += 1
    if resumed:
        notes.append(f"{year}年6月：{resumed}名因未认证暂停的领取人补办认证，7月补发暂停月份")
    return resumed


def _pay(payroll, finance, seed: int) -> None:
    """Approve, export and answer as the bank: about 0.5 % of lines fail."""
    from jumin.pension.formats.payment import PAYMENT

    payroll = payrolls.payroll_approve(acting_user=finance, payroll=payroll)
    data, _name = payrolls.payroll_export(acting_user=finance, payroll=payroll)
    header, lines = PAYMENT.parse_export(data)
    month = payroll.month
    answered = [
        (line, "51", "账户已冻结")
        if chance(seed, f"pay-{month:%Y%m}", str(line.line_id)) < FAIL_SHARE
        else (line, "00", "")
        for line in lines
    ]
    result = PAYMENT.result_file(header, answered, paid_on=month.replace(day=20))
    payroll.refresh_from_db()
    payroll = payrolls.payroll_result_import(
        acting_user=finance, payroll=payroll, data=result, on=month.replace(day=28)
    )
    payrolls.payroll_close(acting_user=finance, payroll=payroll)


def _death(county, year: int, seed: int, staff, notes: list[str]) -> int:
    """A pensioner of the demo township died in August; reported after October's payroll."""
    clerk = staff[Role.TOWNSHIP_CLERK]
    award = (
        Award.objects.filter(village__pk__startswith=clerk.region_id[:9], status=AwardStatus.ACTIVE)
        .select_related("person")
        .order_by("pk")
        .first()
    )
    if award is None:
        return 0
    _report, recovery = deaths.death_report(
        acting_user=clerk,
        person=award.person,
        death_date=datetime.date(year, 8, 10),
        proof="演示：村委会出具的死亡证明",
    )
    notes.append(
        f"{award.person.name}（{award.village.name}）{year}年8月10日死亡，10月发放后才上报："
        f"多发{recovery.overpaid if recovery else 0}元，追回案待处理"
    )
    return 1


def payroll_counts(county) -> dict:
    """What the demo made, for the notes and the test."""
    return {
        "payrolls": Payroll.objects.filter(region=county).count(),
        "lines": PayrollLine.objects.filter(payroll__region=county).count(),
        "failed": PayrollLine.objects.filter(
            payroll__region=county, status__in=[LineStatus.FAILED, LineStatus.RETRIED]
        ).count(),
        "waiting": Payroll.objects.filter(region=county, status=PayrollStatus.BUILT).count(),
    }
