"""factory_boy factories of the pension's rows (and usable from a Django shell).

Built with the ORM on top of ``jumin.testing.factories`` (regions, staff, persons), so a test
of one area does not depend on the services of another: a plan with the grades, subsidies
and government-paid rules of the seeded default plan, an enrolment in any status, a grade
choice, a pension due (collection's ``Due`` with its ``ContributionDue`` row) and an entry of
the personal account.
"""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from jumin.collection.models import Channel, Due, DueKind, DueStatus
from jumin.core.models import Region, RegionLevel, Role, User
from jumin.pension.models import (
    AccountEntry,
    Award,
    AwardStatus,
    BenefitStandard,
    ContributionDue,
    ContributionGrade,
    ContributionPlan,
    CreditingMode,
    Enrolment,
    EnrolmentStatus,
    EntrySource,
    GovernmentPaidRule,
    GradeChoice,
    InterestRate,
)
from jumin.pension.services.plans import plan_data_from_file
from jumin.testing.factories import PersonFactory, RegionFactory, StaffFactory

YEAR = 2026

# statuses of a due whose money has come in
_PAID_STATUSES = (DueStatus.PAID, DueStatus.CONFIRMED, DueStatus.POSTED)
# statuses of an enrolment that went through both checks
_REGISTERED_STATUSES = (
    EnrolmentStatus.PAYING,
    EnrolmentStatus.PAUSED,
    EnrolmentStatus.RECEIVING,
    EnrolmentStatus.TERMINATED,
)


def _default_plan() -> dict:
    return plan_data_from_file()


def _assistant_of(village: Region) -> User:
    """The village's assistant: the first one there, or a new one."""
    assistant = (
        User.objects.filter(role=Role.VILLAGE_ASSISTANT, region=village).order_by("pk").first()
    )
    return assistant or StaffFactory(role=Role.VILLAGE_ASSISTANT, region=village)


class PlanFactory(factory.django.DjangoModelFactory):
    """A year's contribution plan of a region (the province by default) as the default plan
    file has it: its twelve grades with their subsidies and its government-paid rules.

    ``grades=[...]`` / ``government_paid_rules=[...]`` (dicts as in the file) replace the
    file's; the plan's own fields are keyword arguments as usual. A (year, region) that has a
    plan already returns it unchanged, like seeding does."""

    class Meta:
        model = ContributionPlan
        django_get_or_create = ("year", "region")
        skip_postgeneration_save = True

    year = YEAR
    region = factory.SubFactory(
        RegionFactory, code="340000000000", name="安徽省", level=RegionLevel.PROVINCE
    )
    document_number = factory.LazyFunction(lambda: _default_plan()["document_number"])
    collective_subsidy_limit = factory.LazyFunction(
        lambda: Decimal(_default_plan()["collective_subsidy_limit"])
    )
    government_paid_subsidised = factory.LazyFunction(
        lambda: _default_plan()["government_paid_subsidised"]
    )
    back_payment_subsidised = factory.LazyFunction(
        lambda: _default_plan()["back_payment_subsidised"]
    )
    lowest_grade_subsidy_floor = factory.LazyFunction(
        lambda: Decimal(_default_plan()["lowest_grade_subsidy_floor"])
    )
    high_grade_threshold = factory.LazyFunction(
        lambda: Decimal(_default_plan()["high_grade_threshold"])
    )
    high_grade_subsidy_floor = factory.LazyFunction(
        lambda: Decimal(_default_plan()["high_grade_subsidy_floor"])
    )

    @factory.post_generation
    def grades(plan, create, extracted, **kwargs):
        if not create or plan.grades.exists():
            return
        rows = _default_plan()["grades"] if extracted is None else extracted
        ContributionGrade.objects.bulk_create(
            ContributionGrade(plan=plan, **{key: Decimal(str(value)) for key, value in row.items()})
            for row in rows
        )

    @factory.post_generation
    def government_paid_rules(plan, create, extracted, **kwargs):
        if not create or plan.government_paid_rules.exists():
            return
        rows = _default_plan()["government_paid_rules"] if extracted is None else extracted
        GovernmentPaidRule.objects.bulk_create(
            GovernmentPaidRule(
                plan=plan,
                kind=row["kind"],
                detail=row.get("detail") or "",
                precedence=row["precedence"],
                amount_rule=row["amount_rule"],
                amount=None if row.get("amount") in (None, "") else Decimal(str(row["amount"])),
            )
            for row in rows
        )


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """A person enrolled in ``status`` (paying by default): give ``village`` (a person is made
    there; ``person__<field>`` sets their fields) or ``person``. Applied for in May and, once
    through both checks, registered on 1 June of the year before ``year``;
    ``grade=Decimal(...)`` also records the grade the person chose for ``year``."""

    class Meta:
        model = Enrolment
        skip_postgeneration_save = True

    class Params:
        year = YEAR

    village = factory.LazyAttribute(lambda o: o.person.village)
    person = factory.SubFactory(PersonFactory, village=factory.SelfAttribute("..village"))
    status = EnrolmentStatus.PAYING
    applied_by = factory.LazyAttribute(lambda o: _assistant_of(o.village))
    applied_on = factory.LazyAttribute(lambda o: datetime.date(o.year - 1, 5, 20))
    registered_on = factory.LazyAttribute(
        lambda o: datetime.date(o.year - 1, 6, 1) if o.status in _REGISTERED_STATUSES else None
    )

    @factory.post_generation
    def grade(enrolment, create, extracted, **kwargs):
        if create and extracted is not None:
            GradeChoiceFactory(
                person=enrolment.person,
                village=enrolment.village,
                year=enrolment.applied_on.year + 1,
                amount=extracted,
                chosen_by=enrolment.applied_by,
            )


class GradeChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GradeChoice

    person = factory.SubFactory(PersonFactory)
    village = factory.LazyAttribute(lambda o: o.person.village)
    year = YEAR
    amount = Decimal("200.00")
    chosen_by = factory.LazyAttribute(lambda o: _assistant_of(o.village))


class PensionDueFactory(factory.django.DjangoModelFactory):
    """A pension due: collection's ``Due`` and its ``ContributionDue`` row, made together as
    the dues job makes them (``ContributionDue.objects.create_due``); returns the ``Due``.

    ``status`` is open by default; a paid, confirmed or posted due carries its payment
    (cash by default, the whole amount, on 10 March of its year). ``grade`` defaults to the
    amount, the subsidies by level to nothing."""

    class Meta:
        model = Due

    person = factory.SubFactory(PersonFactory)
    village = factory.LazyAttribute(lambda o: o.person.village)
    plan = factory.SubFactory(PlanFactory)
    year = factory.LazyAttribute(lambda o: o.plan.year)
    kind = DueKind.PERSONAL
    amount = Decimal("200.00")
    grade = factory.LazyAttribute(lambda o: o.amount)
    enrolment = None
    subsidy_province = Decimal("0.00")
    subsidy_city = Decimal("0.00")
    subsidy_county = Decimal("0.00")
    collective_subsidy = Decimal("0.00")
    status = DueStatus.OPEN
    channel = factory.LazyAttribute(lambda o: Channel.CASH if o.status in _PAID_STATUSES else "")
    paid_amount = factory.LazyAttribute(lambda o: o.amount if o.status in _PAID_STATUSES else None)
    paid_on = factory.LazyAttribute(
        lambda o: datetime.date(o.year, 3, 10) if o.status in _PAID_STATUSES else None
    )
    confirmed_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status in (DueStatus.CONFIRMED, DueStatus.POSTED) else None
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        for name in ("amount", "grade", "paid_amount", *_SUBSIDIES):
            if kwargs.get(name) is not None:
                kwargs[name] = Decimal(str(kwargs[name]))
        return ContributionDue.objects.create_due(**kwargs)


_SUBSIDIES = ("subsidy_province", "subsidy_city", "subsidy_county", "collective_subsidy")


class AccountEntryFactory(factory.django.DjangoModelFactory):
    """An entry of a person's personal account (their personal contribution by default),
    booked on 31 March of its year, produced by no due and no posting run."""

    class Meta:
        model = AccountEntry

    person = factory.SubFactory(PersonFactory)
    village = factory.LazyAttribute(lambda o: o.person.village)
    year = YEAR
    source = EntrySource.PERSONAL
    amount = Decimal("200.00")
    booked_on = factory.LazyAttribute(lambda o: datetime.date(o.year, 3, 31))


def _province() -> Region:
    return RegionFactory(code="340000000000", name="安徽省", level=RegionLevel.PROVINCE)


class InterestRateFactory(factory.django.DjangoModelFactory):
    """A year's crediting rate (1.5 %, mode A by default) of a region (the province)."""

    class Meta:
        model = InterestRate
        django_get_or_create = ("region", "year")

    region = factory.LazyFunction(_province)
    year = YEAR
    rate = Decimal("0.015")
    mode = CreditingMode.A


class BenefitStandardFactory(factory.django.DjangoModelFactory):
    """The basic-pension standard of a region (the province) from a date: the 2026 central
    minimum 163 from 1 January 2026, no local top-up and no long-contribution extra unless
    given."""

    class Meta:
        model = BenefitStandard
        django_get_or_create = ("region", "effective_from")

    region = factory.LazyFunction(_province)
    effective_from = datetime.date(YEAR, 1, 1)
    central_minimum = Decimal("163.00")
    local_top_up = Decimal("0.00")
    extra_per_year = Decimal("0.00")
    local_start = datetime.date(2010, 7, 1)


class AwardFactory(factory.django.DjangoModelFactory):
    """An active pension of a person (give ``village``, where a 60-year-old is made, or
    ``person``) from
    January of ``YEAR``: 15 years, an account pension of 67.21 (EXAMPLES E1)."""

    class Meta:
        model = Award

    village = factory.LazyAttribute(lambda o: o.person.village)
    person = factory.SubFactory(
        PersonFactory,
        village=factory.SelfAttribute("..village"),
        birth_date=datetime.date(YEAR - 60, 1, 1) - datetime.timedelta(days=1),
    )
    status = AwardStatus.ACTIVE
    start_month = datetime.date(YEAR, 1, 1)
    contribution_years = 15
    account_balance = Decimal("9342.00")
    divisor = 139
    account_pension = Decimal("67.21")
    basic_pension = Decimal("163.00")
    applied_by = factory.LazyAttribute(lambda o: _assistant_of(o.village))
    applied_on = datetime.date(YEAR - 1, 12, 5)
    decided_on = factory.LazyAttribute(
        lambda o: None if o.status == AwardStatus.APPLIED else datetime.date(YEAR - 1, 12, 20)
    )
