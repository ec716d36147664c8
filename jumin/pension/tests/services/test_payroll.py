"""The monthly payroll through the services: EXAMPLES E3 and E8, reruns, maker-checker, the
bank files, failures retried, certification lapse and resumption, imprisonment."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jumin.core.models import Role
from jumin.pension.formats.payment import PAYMENT
from jumin.pension.models import (
    AccountEntry,
    AwardStatus,
    EntrySource,
    LineKind,
    LineStatus,
    Payroll,
    PayrollLine,
    PayrollStatus,
    RecoveryStatus,
    SuspensionReason,
)
from jumin.pension.services import certification, deaths
from jumin.pension.services import payroll as services
from jumin.pension.tests.factories import (
    AccountEntryFactory,
    AwardFactory,
    BenefitStandardFactory,
)
from jumin.pension.tests.paying import bank_answer, pay_month

pytestmark = pytest.mark.django_db


def month(n: int, year: int = 2026) -> datetime.date:
    return datetime.date(year, n, 1)


@pytest.fixture
def standard(tree):
    return BenefitStandardFactory(region=tree.county.parent.parent)


def test_e3_raise_back_dated_to_january_pays_120_arrears_in_july(tree, standard, staff):
    award = AwardFactory(village=tree.village_a1)
    for n in range(1, 7):
        pay_month(tree.county, month(n))
    # entered in July: the county adds 20 a month from 1 January
    BenefitStandardFactory(region=tree.county, local_top_up=Decimal("20.00"))
    july = pay_month(tree.county, month(7))
    lines = PayrollLine.objects.filter(payroll=july, award=award)
    regular = lines.get(kind=LineKind.REGULAR)
    assert regular.basic == Decimal("183.00")
    assert regular.total == Decimal("250.21")
    arrears = lines.filter(kind=LineKind.ARREARS).order_by("month_for")
    assert [a.month_for.month for a in arrears] == [1, 2, 3, 4, 5, 6]
    assert {a.basic for a in arrears} == {Decimal("20.00")}
    assert {a.account_part for a in arrears} == {Decimal("0.00")}
    assert sum(a.total for a in arrears) == Decimal("120.00")
    # August pays no month twice
    august = pay_month(tree.county, month(8))
    assert list(
        PayrollLine.objects.filter(payroll=august).values_list("kind", "month_for", "total")
    ) == [(LineKind.REGULAR.value, month(8), Decimal("250.21"))]


def test_e8_death_reported_late_recovery_and_inheritance(tree, standard, staff):
    award = AwardFactory(
        village=tree.village_a1,
        account_balance=Decimal("5240.00"),
        account_pension=Decimal("80.00"),
    )
    AccountEntryFactory(person=award.person, year=2025, amount=Decimal("5240.00"))
    for n in range(1, 6):
        pay_month(tree.county, month(n))
    person = award.person
    assert deaths.account_balance(person) == Decimal("4840.00")
    _report, recovery = deaths.death_report(
        acting_user=staff[Role.TOWNSHIP_CLERK],
        person=person,
        death_date=datetime.date(2026, 3, 10),
        proof="死亡医学证明",
    )
    award.refresh_from_db()
    assert award.status == AwardStatus.ENDED
    assert recovery.overpaid == Decimal("486.00")
    assert recovery.months == 2
    assert recovery.account_part == Decimal("160.00")
    assert deaths.account_balance(person) == Decimal("5000.00")
    assert recovery.outstanding == Decimal("326.00")
    # the June payroll pays nothing to the dead
    june = services.payroll_build(acting_user=None, region_code=tree.county.code, month=month(6))
    assert not PayrollLine.objects.filter(payroll=june, award=award).exists()
    recovery = deaths.inheritance_pay(
        acting_user=staff[Role.FINANCE],
        recovery=recovery,
        heir_name="王小明",
        heir_id_number="11010519491231002X",
    )
    assert recovery.inherited == Decimal("4674.00")
    assert recovery.outstanding == Decimal("0.00")
    assert recovery.status == RecoveryStatus.CLOSED
    assert deaths.account_balance(person) == Decimal("0.00")
    recovered = sum(item.amount for item in recovery.items.all())
    assert recovered == recovery.overpaid


def test_the_account_pays_until_empty_then_the_fund(tree, standard):
    award = AwardFactory(
        village=tree.village_a1, account_balance=Decimal("100.00"), account_pension=Decimal("67.21")
    )
    for n in (1, 2, 3):
        pay_month(tree.county, month(n))
    taken = list(
        PayrollLine.objects.filter(award=award)
        .order_by("month_for")
        .values_list("from_account", "total")
    )
    assert taken == [
        (Decimal("67.21"), Decimal("230.21")),
        (Decimal("32.79"), Decimal("230.21")),
        (Decimal("0.00"), Decimal("230.21")),
    ]
    debits = AccountEntry.objects.filter(person=award.person, source=EntrySource.PENSION_PAID)
    assert debits.balance() == Decimal("-100.00")


def test_building_again_changes_nothing_and_a_paid_month_is_refused(tree, standard):
    AwardFactory.create_batch(3, village=tree.village_a1)
    payroll = services.payroll_build(acting_user=None, region_code=tree.county.code, month=month(1))
    again = services.payroll_build(acting_user=None, region_code=tree.county.code, month=month(1))
    assert again.pk == payroll.pk
    assert PayrollLine.objects.filter(payroll=payroll).count() == 3
    assert AccountEntry.objects.filter(source=EntrySource.PENSION_PAID).count() == 3
    payroll = services.payroll_approve(acting_user=None, payroll=payroll)
    data, _ = services.payroll_export(acting_user=None, payroll=payroll)
    payroll.refresh_from_db()
    services.payroll_result_import(
        acting_user=None, payroll=payroll, data=bank_answer(data), on=month(2)
    )
    with pytest.raises(ValidationError) as refused:
        services.payroll_build(acting_user=None, region_code=tree.county.code, month=month(1))
    assert "已经发放" in str(refused.value.message_dict["month"])


def test_the_builder_cannot_approve(tree, standard, staff):
    AwardFactory(village=tree.village_a1)
    clerk = staff[Role.COUNTY_CLERK]
    payroll = services.payroll_build(
        acting_user=clerk, region_code=tree.county.code, month=month(1)
    )
    admin = staff[Role.COUNTY_ADMIN]
    # the admin builds? no: the clerk built it, the admin may approve; the clerk may not
    with pytest.raises(Exception):  # noqa: B017 - the clerk lacks payroll.approve
        services.payroll_approve(acting_user=clerk, payroll=payroll)
    payroll.built_by = admin
    payroll.save(update_fields=["built_by"])
    with pytest.raises(ValidationError) as refused:
        services.payroll_approve(acting_user=admin, payroll=payroll)
    assert "双人复核" in refused.value.message_dict["approved_by"][0]
    payroll.refresh_from_db()
    assert payroll.status == PayrollStatus.BUILT
    approved = services.payroll_approve(acting_user=staff[Role.FINANCE], payroll=payroll)
    assert approved.status == PayrollStatus.APPROVED


def test_a_result_file_of_another_month_or_with_wrong_totals_is_refused_whole(tree, standard):
    AwardFactory.create_batch(2, village=tree.village_a1)
    january = services.payroll_build(acting_user=None, region_code=tree.county.code, month=month(1))
    january = services.payroll_approve(acting_user=None, payroll=january)
    data, _ = services.payroll_export(acting_user=None, payroll=january)
    january.refresh_from_db()
    answer = bank_answer(data)
    other_month = answer.replace(b"341125-202601", b"341125-202602")
    wrong_total = answer.replace(b",460.42,", b",460.43,", 1)
    for bad, field in ((other_month, "批次号"), (wrong_total, "金额合计不符")):
        with pytest.raises(ValidationError) as refused:
            services.payroll_result_import(acting_user=None, payroll=january, data=bad, on=month(2))
        assert field in " ".join(refused.value.messages)
        assert not PayrollLine.objects.exclude(status=LineStatus.PENDING).exists()
    january = services.payroll_result_import(
        acting_user=None, payroll=january, data=answer, on=month(2)
    )
    assert january.status == PayrollStatus.PAID


def test_failed_lines_are_retried_in_the_next_payroll(tree, standard):
    first, second = AwardFactory.create_batch(2, village=tree.village_a1)
    failing = PayrollLine.objects.none()
    payroll = services.payroll_build(acting_user=None, region_code=tree.county.code, month=month(1))
    payroll = services.payroll_approve(acting_user=None, payroll=payroll)
    data, _ = services.payroll_export(acting_user=None, payroll=payroll)
    payroll.refresh_from_db()
    failing = PayrollLine.objects.get(payroll=payroll, award=second)
    payroll = services.payroll_result_import(
        acting_user=None, payroll=payroll, data=bank_answer(data, failed={failing.pk}), on=month(2)
    )
    assert payroll.status == PayrollStatus.PARTLY_FAILED
    assert payroll.failed_count == 1
    february = pay_month(tree.county, month(2))
    retry = PayrollLine.objects.get(payroll=february, kind=LineKind.RETRY)
    assert (retry.award_id, retry.month_for, retry.total, retry.from_account) == (
        second.pk,
        month(1),
        failing.total,
        Decimal("0.00"),
    )
    failing.refresh_from_db()
    assert failing.status == LineStatus.RETRIED
    # the account was debited once for January
    assert (
        AccountEntry.objects.filter(person=second.person, source=EntrySource.PENSION_PAID).count()
        == 2
    )


def test_a_lapsed_certification_suspends_and_certifying_pays_the_months(tree, staff):
    BenefitStandardFactory(region=tree.county.parent.parent, effective_from=month(1, 2025))
    award = AwardFactory(village=tree.village_a1, start_month=month(1, 2025))
    other = AwardFactory(village=tree.village_a1, start_month=month(1, 2025))
    certification.certification_record(
        acting_user=staff[Role.VILLAGE_ASSISTANT],
        person=other.person,
        certified_on=datetime.date(2025, 12, 20),
        channel="02",
    )
    pay_month(tree.county, month(12, 2025))
    january = pay_month(tree.county, month(1))  # Jan 2025 + 12 months: the award lapses
    award.refresh_from_db()
    assert award.status == AwardStatus.SUSPENDED
    assert award.suspension_reason == SuspensionReason.NO_CERTIFICATION
    assert not PayrollLine.objects.filter(payroll=january, award=award).exists()
    assert PayrollLine.objects.filter(payroll=january, award=other).exists()
    pay_month(tree.county, month(2))
    certification.certification_record(
        acting_user=staff[Role.VILLAGE_ASSISTANT],
        person=award.person,
        certified_on=datetime.date(2026, 3, 5),
        channel="01",
    )
    award.refresh_from_db()
    assert award.status == AwardStatus.ACTIVE
    march = pay_month(tree.county, month(3))
    lines = PayrollLine.objects.filter(payroll=march, award=award)
    assert sorted((line.kind, line.month_for.month) for line in lines) == [
        ("arrears", 1),
        ("arrears", 2),
        ("regular", 3),
    ]
    assert {line.total for line in lines} == {Decimal("230.21")}


def test_imprisonment_pays_no_arrears_for_its_months(tree, standard, staff):
    award = AwardFactory(village=tree.village_a1)
    pay_month(tree.county, month(1))
    certification.award_suspend(
        acting_user=staff[Role.COUNTY_CLERK],
        award=award,
        reason=SuspensionReason.IMPRISONMENT,
        from_month=month(2),
        note="判处有期徒刑",
    )
    pay_month(tree.county, month(2))
    pay_month(tree.county, month(3))
    certification.award_resume(
        acting_user=staff[Role.COUNTY_CLERK], award=award, on=datetime.date(2026, 4, 2)
    )
    april = pay_month(tree.county, month(4))
    assert list(
        PayrollLine.objects.filter(payroll=april, award=award).values_list("kind", "month_for")
    ) == [("regular", month(4))]


def test_death_dates_before_the_award_or_in_the_future_are_refused(tree, standard, staff):
    award = AwardFactory(village=tree.village_a1)
    clerk = staff[Role.TOWNSHIP_CLERK]
    for day, words in ((datetime.date(2025, 12, 31), "早于待遇起始月"), (None, "晚于今天")):
        if day is None:
            from django.utils import timezone

            day = timezone.localdate() + datetime.timedelta(days=1)
        with pytest.raises(ValidationError) as refused:
            deaths.death_report(acting_user=clerk, person=award.person, death_date=day)
        assert words in refused.value.message_dict["death_date"][0]
    award.refresh_from_db()
    assert award.status == AwardStatus.ACTIVE


def test_a_province_queues_one_job_per_county_and_a_second_run_adds_nothing(
    tree, standard, settings, django_capture_on_commit_callbacks
):
    from jumin.core.models import JobRun, JobStatus, RegionLevel
    from jumin.pension import jobs
    from jumin.people.tests.rosters import IMMEDIATE
    from jumin.testing.factories import RegionFactory

    settings.TASKS = IMMEDIATE
    RegionFactory(code="341126000000", name="凤阳县", level=RegionLevel.COUNTY,
                  parent=tree.county.parent)  # fmt: skip
    other_province_county = RegionFactory(code="320101000000", level=RegionLevel.COUNTY)
    AwardFactory.create_batch(3, village=tree.village_a1)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            runs = jobs.province_payroll_submit(province_code="340000000000", month="2026-01")
        assert [run.region_id for run in runs] == [tree.county.code, "341126000000"]
    assert PayrollLine.objects.count() == 3
    assert AccountEntry.objects.filter(source=EntrySource.PENSION_PAID).count() == 3
    done = JobRun.objects.filter(kind=jobs.PAYROLL_JOB, region_id=tree.county.code)
    assert set(done.values_list("status", flat=True)) == {JobStatus.DONE}
    empty = JobRun.objects.filter(kind=jobs.PAYROLL_JOB, region_id="341126000000")
    assert set(empty.values_list("status", flat=True)) == {JobStatus.DONE}  # a county of none
    assert Payroll.objects.get(region_id="341126000000").line_count == 0
    assert not JobRun.objects.filter(region_id=other_province_county.code).exists()


def test_a_death_reported_after_the_build_holds_the_later_months_at_approval(tree, standard, staff):
    award = AwardFactory(village=tree.village_a1)
    AwardFactory(village=tree.village_a1)  # paid as usual
    AccountEntryFactory(person=award.person, year=2025, amount=Decimal("9342.00"))
    pay_month(tree.county, month(1))
    march = services.payroll_build(acting_user=None, region_code=tree.county.code, month=month(3))
    # February's arrears (no payroll in February) and March, for both
    assert PayrollLine.objects.filter(payroll=march).count() == 4
    # died on 10 February: March is after the death; built, not yet approved
    _report, recovery = deaths.death_report(
        acting_user=staff[Role.TOWNSHIP_CLERK],
        person=award.person,
        death_date=datetime.date(2026, 2, 10),
    )
    # February (arrears here) was due; March waits for the approval, nothing to recover yet
    assert recovery.overpaid == Decimal("0.00")
    assert deaths.account_balance(award.person) == Decimal("9342.00") - Decimal("67.21") * 3
    approved = services.payroll_approve(acting_user=staff[Role.FINANCE], payroll=march)
    held = PayrollLine.objects.get(payroll=march, award=award, month_for=month(3))
    assert held.status == LineStatus.HELD
    sent = PayrollLine.objects.filter(payroll=march).exclude(pk=held.pk)
    assert {line.status for line in sent} == {LineStatus.PENDING}
    assert approved.line_count == 3
    assert approved.amount_sum == sum(line.total for line in sent)
    # the account debit of the held line is reversed with a reason: March is not taken
    assert deaths.account_balance(award.person) == Decimal("9342.00") - Decimal("67.21") * 2
    reversal = AccountEntry.objects.get(person=award.person, reverses__isnull=False)
    assert reversal.amount == Decimal("67.21") and reversal.reason
    data, _name = services.payroll_export(acting_user=None, payroll=approved)
    _header, lines = PAYMENT.parse_export(data)
    assert sorted(line.line_id for line in lines) == sorted(line.pk for line in sent)
