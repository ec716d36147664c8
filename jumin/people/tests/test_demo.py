"""The demo county generator and the ``demo-data`` / ``demo-logins`` commands."""

import datetime
import io
import random
from collections import Counter

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError

from jumin.core.models import AuditEntry, Region, RegionLevel, Role, User
from jumin.people import demo
from jumin.people.fields import PERSON_FIELDS, Kind
from jumin.people.models import Household, Person, SpecialStatus, SpecialStatusKind
from jumin.people.queries import duplicate_groups
from jumin.people.rules import age_on, parse_id_number

ON = datetime.date(2026, 6, 30)


def generated(people: int, seed: int, county_code: str = "341125") -> list[demo.HouseholdBatch]:
    regions = demo.plan_regions(county_code, random.Random(f"regions-{seed}"))
    return list(
        demo.generate_people(
            villages=demo.villages_of(regions),
            people=people,
            seed=seed,
            on=ON,
            county_code=county_code,
        )
    )


def persons_of(batches) -> list[demo.PersonRow]:
    return [person for batch in batches for person in batch.persons]


def test_the_same_seed_gives_the_same_rows_and_another_seed_other_rows():
    first = demo.rows_digest(generated(2000, seed=5))
    assert demo.rows_digest(generated(2000, seed=5)) == first
    assert demo.rows_digest(generated(2000, seed=6)) != first


def test_the_region_plan_has_22_townships_2_parks_and_8_to_20_villages_each():
    rows = demo.plan_regions("341125", random.Random(1))
    by_level = Counter(row.level for row in rows)
    assert (by_level[RegionLevel.PROVINCE], by_level[RegionLevel.CITY]) == (1, 1)
    townships = [row for row in rows if row.level == RegionLevel.TOWNSHIP]
    assert len(townships) == 24
    assert [row.name for row in townships[:2]] == ["定城镇", "炉桥镇"]
    assert townships[0].code == "341125100000"
    assert {row.name for row in townships[-2:]} == {"定远经济开发区", "盐化工业园"}
    for township in townships:
        villages = [row for row in rows if row.parent_code == township.code]
        low, high = (3, 6) if "园" in township.name or "区" in township.name else (8, 20)
        assert low <= len(villages) <= high
        assert villages[0].code == township.code[:9] + "001"
        assert len({village.name for village in villages}) == len(villages)
    assert rows[2].name == "定远县" and rows[1].name == "滁州市" and rows[0].name == "安徽省"


def test_county_names_come_from_the_national_code_list():
    assert demo.county_names("341125") == ("安徽省", "滁州市", "定远县")
    assert demo.county_names("341282") == ("安徽省", "阜阳市", "界首市")
    with pytest.raises(ValueError):
        demo.county_names("349999")


def test_another_county_gets_generated_township_names():
    rows = demo.plan_regions("341282", random.Random(3))
    townships = [row for row in rows if row.level == RegionLevel.TOWNSHIP]
    assert len(townships) == 24
    assert all(row.code.startswith("341282") for row in townships)
    assert len({row.name for row in townships}) == 24
    assert rows[2].name == "界首市"


def test_every_generated_id_number_is_valid_unique_and_agrees_with_sex_and_birth_date():
    persons = persons_of(generated(3000, seed=11))
    assert len(persons) == 3000
    assert len({person.id_number for person in persons}) == 3000
    for person in persons:
        identity = parse_id_number(person.id_number, today=ON)
        assert identity.address_code == "341125"
        assert identity.sex == person.sex
        assert identity.birth_date == person.birth_date
        if person.death_date is not None:
            assert person.birth_date < person.death_date < ON


def test_ages_sexes_and_household_sizes_look_like_a_rural_county():
    batches = generated(20_000, seed=3)
    persons = persons_of(batches)
    ages = [age_on(person.birth_date, ON) for person in persons]
    share = lambda test: sum(1 for age in ages if test(age)) / len(ages)  # noqa: E731
    assert 0 <= min(ages) and max(ages) <= 100
    assert 0.40 <= share(lambda age: 45 <= age <= 75) <= 0.60
    assert 0.04 <= share(lambda age: age < 16) <= 0.15
    assert 0.45 <= sum(person.sex == "male" for person in persons) / len(persons) <= 0.55
    sizes = Counter(len(batch.persons) for batch in batches if batch.household is not None)
    assert set(sizes) <= {1, 2, 3, 4, 5, 6} and len(sizes) == 6
    for batch in batches:
        if batch.household is not None:
            assert [p.relation_to_head for p in batch.persons].count("户主") == 1
    adults = [p for p, age in zip(persons, ages, strict=True) if 18 <= age <= 75]
    assert sum(bool(p.phone) for p in adults) / len(adults) > 0.75
    assert sum(bool(p.passbook_number) for p in adults) / len(adults) > 0.75
    assert 0 < sum(p.death_date is not None for p in persons) / len(persons) < 0.03


def test_special_statuses_come_at_the_county_rates_with_valid_periods():
    batches = generated(20_000, seed=4)
    persons = {person.id_number: person for person in persons_of(batches)}
    statuses = [status for batch in batches for status in batch.statuses]
    rates = {
        kind: count / len(persons) for kind, count in Counter(s.kind for s in statuses).items()
    }
    expected = {
        SpecialStatusKind.SEVERE_DISABILITY: 0.015,
        SpecialStatusKind.SUBSISTENCE_ALLOWANCE: 0.04,
        SpecialStatusKind.EXTREME_POVERTY: 0.006,
        SpecialStatusKind.FAMILY_PLANNING_SPECIAL: 0.002,
        SpecialStatusKind.POVERTY_MONITORED: 0.01,
    }
    for kind, rate in expected.items():
        assert rate * 0.5 <= rates[kind] <= rate * 1.6, (kind, rates[kind])
    for status in statuses:
        person = persons[status.id_number]
        assert person.birth_date < status.valid_from < ON
        assert status.valid_to is None or status.valid_from <= status.valid_to < ON
        if person.death_date is not None:
            assert status.valid_to is not None and status.valid_to <= person.death_date
    ended = [s for s in statuses if s.valid_to is not None]
    assert 0.05 < len(ended) / len(statuses) < 0.4
    details = {s.detail for s in statuses if s.kind == SpecialStatusKind.SEVERE_DISABILITY}
    assert details == {"1", "2"}
    details = {s.detail for s in statuses if s.kind == SpecialStatusKind.SUBSISTENCE_ALLOWANCE}
    assert details == {"full", "partial"}


def test_suspected_duplicates_share_name_and_birth_date_under_another_id():
    batches = generated(3000, seed=8)
    copies = [batch.persons[0] for batch in batches if batch.household is None]
    assert len(copies) == 3
    persons = persons_of(batches)
    for copy in copies:
        twins = [p for p in persons if (p.name, p.birth_date) == (copy.name, copy.birth_date)]
        assert len({twin.id_number for twin in twins}) >= 2


def test_demo_passwords_pass_the_password_rules():
    for account in demo.demo_accounts("341125"):
        user = User(username=account.username, full_name=account.full_name, role=account.role)
        validate_password(account.password, user)
        assert len(account.password) >= 10


def db_digest() -> str:
    """The stored county in the generator's shape, to compare with the pure generator."""
    households = {h.pk: h for h in Household.objects.all()}
    statuses: dict[int, list] = {}
    for status in SpecialStatus.objects.order_by("pk"):
        statuses.setdefault(status.person_id, []).append(status)
    batches = []
    current = None
    for person in Person.objects.order_by("pk"):
        household = households.get(person.household_id)
        row = demo.PersonRow(
            **{
                f.name: (household.number if household else "")
                if f.kind == Kind.HOUSEHOLD
                else getattr(person, f.name)
                for f in PERSON_FIELDS
            }
        )
        status_rows = [
            demo.StatusRow(
                person.id_number,
                s.village_id,
                s.kind,
                s.detail,
                s.valid_from,
                s.valid_to,
                s.source,
            )
            for s in statuses.get(person.pk, [])
        ]
        if household is None or current is None or current.household.number != household.number:
            current = demo.HouseholdBatch(
                household=(
                    demo.HouseholdRow(household.village_id, household.number, household.address)
                    if household
                    else None
                ),
                persons=[],
            )
            batches.append(current)
        current.persons.append(row)
        current.statuses.extend(status_rows)
    return demo.rows_digest(batches)


@pytest.mark.django_db
def test_demo_data_writes_the_county_staff_and_one_audit_entry():
    out = io.StringIO()
    call_command(
        "demo_data", people=400, seed=9, on=ON, no_progress=True, stdout=out, county="341125"
    )
    assert "定远县" in out.getvalue()
    assert Region.objects.filter(level=RegionLevel.TOWNSHIP).count() == 24
    assert Person.objects.count() == 400
    assert Household.objects.count() > 100
    assert SpecialStatus.objects.exists()
    assert db_digest() == demo.rows_digest(generated(400, seed=9))
    users = {user.role: user for user in User.objects.all()}
    assert set(users) == set(Role.values)
    assert users[Role.COUNTY_ADMIN].region_id == "341125000000"
    assert users[Role.TOWNSHIP_CLERK].region_id == "341125100000"
    assert users[Role.VILLAGE_ASSISTANT].region_id == "341125100001"
    assert users[Role.COUNTY_ADMIN].check_password(demo.DEMO_PASSWORD)
    entries = AuditEntry.objects.filter(action="people.demo.generate")
    assert entries.count() == 1
    assert entries.get().after["persons"] == 400


@pytest.mark.django_db
def test_if_empty_leaves_a_county_with_persons_alone_and_without_it_refuses():
    call_command("demo_data", people=200, seed=1, on=ON, no_progress=True, stdout=io.StringIO())
    before = (Person.objects.count(), Household.objects.count(), User.objects.count())
    out = io.StringIO()
    call_command(
        "demo_data", people=200, seed=1, on=ON, no_progress=True, if_empty=True, stdout=out
    )
    assert "未生成" in out.getvalue()
    with pytest.raises(CommandError, match="已有 200 名参保人"):
        call_command("demo_data", people=200, seed=1, on=ON, no_progress=True)
    assert (Person.objects.count(), Household.objects.count(), User.objects.count()) == before
    assert AuditEntry.objects.filter(action="people.demo.generate").count() == 1


@pytest.mark.django_db
def test_the_demo_county_has_suspected_duplicates_to_review():
    call_command("demo_data", people=300, seed=2, on=ON, no_progress=True, stdout=io.StringIO())
    admin = User.objects.get(username="county_admin")
    groups, _ = duplicate_groups(admin)
    assert len(groups) >= 3


@pytest.mark.django_db
def test_demo_logins_prints_the_accounts_only_on_a_debug_machine(settings):
    call_command("demo_data", people=60, seed=2, on=ON, no_progress=True, stdout=io.StringIO())
    settings.DEBUG = True
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    for account in demo.demo_accounts("341125"):
        assert account.username in text
    assert demo.DEMO_PASSWORD in text and "县级管理员" in text and "定城镇" in text
    User.objects.filter(username="county_leader").update(password="!")
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert "已修改" in out.getvalue()
    settings.DEBUG = False
    out = io.StringIO()
    with pytest.raises(CommandError, match="JUMIN_DEBUG"):
        call_command("demo_logins", stdout=out)
    assert demo.DEMO_PASSWORD not in out.getvalue()


@pytest.mark.django_db
def test_demo_data_names_an_unknown_county_code_and_writes_nothing():
    with pytest.raises(CommandError, match="349999"):
        call_command("demo_data", county="349999", people=10, no_progress=True)
    assert not Region.objects.exists()
    assert not AuditEntry.objects.exists()
