"""Writing a demo county: the region tree, the generated rows in chunks (COPY on PostgreSQL,
``executemany`` elsewhere), the demo staff accounts and the ``demo.generate`` audit entry,
all in one transaction."""

import datetime
import operator
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.password_validation import validate_password
from django.db import connection, transaction
from django.utils import timezone

from jumin.core import audit
from jumin.core.bulk import insert_rows
from jumin.core.models import Region, RegionLevel, Role, User
from jumin.core.services.regions import load_counties
from jumin.people.demo.people import HouseholdBatch, HouseholdRow, PeopleGenerator
from jumin.people.demo.regions import DEFAULT_COUNTY, Village, plan_regions
from jumin.people.fields import PERSON_FIELDS, Kind
from jumin.people.models import Household, Person, SpecialStatus
from jumin.people.registry import PeopleAction

CHUNK_PERSONS = 5_000

# --------------------------------------------------------------------------- staff accounts

DEMO_PASSWORD = "Jumin-demo-2026"


@dataclass(frozen=True)
class DemoAccount:
    role: str
    username: str
    password: str
    full_name: str
    scope: str  # "county", "township" (the first one) or "village" (its first one)


_ACCOUNTS = (
    (Role.COUNTY_ADMIN, "county_admin", "王建华", "county"),
    (Role.COUNTY_CLERK, "county_clerk", "李秀梅", "county"),
    (Role.FINANCE, "county_finance", "张国庆", "county"),
    (Role.AUDITOR, "county_auditor", "陈立新", "county"),
    (Role.LEADER, "county_leader", "刘志强", "county"),
    (Role.TOWNSHIP_CLERK, "township_clerk", "周红霞", "township"),
    (Role.VILLAGE_ASSISTANT, "village_assistant", "吴德明", "village"),
)


def demo_accounts(county_code: str) -> list[DemoAccount]:
    """The demo logins of a county. The default county's usernames carry no suffix
    (``county_admin``); another county's end in its code (``county_admin_341282``)."""
    suffix = "" if county_code == DEFAULT_COUNTY else f"_{county_code}"
    return [
        DemoAccount(role, f"{username}{suffix}", DEMO_PASSWORD, full_name, scope)
        for role, username, full_name, scope in _ACCOUNTS
    ]


# --------------------------------------------------------------------------- writing


def _date(value):
    return connection.ops.adapt_datefield_value(value) if value is not None else None


@dataclass
class DemoResult:
    county: Region
    created: bool
    regions: int = 0
    villages: int = 0
    households: int = 0
    persons: int = 0
    statuses: int = 0
    duplicates: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)
    existing_persons: int = 0


class CountyNotEmpty(Exception):
    def __init__(self, county_code: str, persons: int, households: int):
        super().__init__(county_code)
        self.persons = persons
        self.households = households
        self.message = (
            f"区划 {county_code} 已有 {persons} 名参保人、{households} 户；"
            "演示数据只写入空的县。加 --if-empty 可在已有数据时直接跳过。"
        )


def county_population(county_code: str) -> tuple[int, int]:
    persons = Person.objects.filter(village__pk__startswith=county_code).count()
    households = Household.objects.filter(village__pk__startswith=county_code).count()
    return persons, households


def ensure_regions(county_code: str, *, seed: int) -> tuple[Region, list[Village], int]:
    """The county's tree: kept as it is if it already has villages; else province, city and
    county are loaded from the national code list (``load_counties``, audited there) and the
    demo townships and villages created. Returns (county, villages, regions created)."""
    existing = list(
        Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith=county_code)
        .select_related("parent")
        .order_by("code")
    )
    created = 0
    if not existing:
        load_counties(province_or_county_codes=[county_code], acting_user=None)
        plan = [
            row
            for row in plan_regions(county_code, random.Random(f"regions-{seed}"))
            if row.level >= RegionLevel.TOWNSHIP
        ]
        present = set(
            Region.objects.filter(code__in=[row.code for row in plan]).values_list(
                "code", flat=True
            )
        )
        new = [
            Region(code=row.code, name=row.name, level=row.level, parent_id=row.parent_code)
            for row in plan
            if row.code not in present
        ]
        Region.objects.bulk_create(new, batch_size=500)
        created = len(new)
        existing = list(
            Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith=county_code)
            .select_related("parent")
            .order_by("code")
        )
    villages = [
        Village(
            code=region.code,
            name=region.name,
            township_name=region.parent.name if region.parent else "",
            is_community=region.name.endswith("社区"),
        )
        for region in existing
    ]
    county = Region.objects.get(code=county_code + "0" * 6)
    return county, villages, created


def demo_generate(
    *,
    county_code: str,
    people: int,
    seed: int,
    on: datetime.date | None = None,
    if_empty: bool = False,
    progress=None,
) -> DemoResult:
    """Build the demo county in one transaction (see the module docstring).

    Raises ``CountyNotEmpty`` if the county already has persons or households, unless
    ``if_empty``, which returns ``created=False`` and changes nothing. ``progress`` is an
    optional tqdm-like bar (``update(n)``).
    """
    on = on or timezone.localdate()
    with transaction.atomic():
        persons, households = county_population(county_code)
        if persons or households:
            if if_empty:
                county = Region.objects.get(code=county_code + "0" * 6)
                return DemoResult(county=county, created=False, existing_persons=persons)
            raise CountyNotEmpty(county_code, persons, households)
        county, villages, regions_created = ensure_regions(county_code, seed=seed)
        generator = PeopleGenerator(
            rng=random.Random(f"people-{seed}"), on=on, county_code=county_code
        )
        writer = _Writer(progress=progress)
        writer.write(generator.generate(villages, people))
        accounts = _create_accounts(county_code, villages)
        result = DemoResult(
            county=county,
            created=True,
            regions=regions_created,
            villages=len(villages),
            households=generator.households,
            persons=generator.persons,
            statuses=generator.statuses,
            duplicates=generator.duplicates,
            accounts=accounts,
        )
        audit.record(
            actor=None,
            action=PeopleAction.DEMO_GENERATE,
            obj=county,
            after={
                "county": county_code,
                "people": people,
                "seed": seed,
                "on": on,
                "regions_created": regions_created,
                "villages": len(villages),
                "households": result.households,
                "persons": result.persons,
                "special_statuses": result.statuses,
                "duplicates": result.duplicates,
                "accounts": [account.username for account in accounts],
            },
        )
    return result


class _Writer:
    """Writes generated batches in chunks: households, then persons (with household ids),
    then statuses (with person ids). Ids of new rows are read back once per chunk."""

    def __init__(self, *, progress=None):
        self.progress = progress
        self.now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Household._meta.db_table}")
            self.last_household = cursor.fetchone()[0]
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {Person._meta.db_table}")
            self.last_person = cursor.fetchone()[0]

    def write(self, batches: Iterable[HouseholdBatch]) -> None:
        chunk: list[HouseholdBatch] = []
        size = 0
        for batch in batches:
            chunk.append(batch)
            size += len(batch.persons)
            if size >= CHUNK_PERSONS:
                self._flush(chunk, size)
                chunk, size = [], 0
        self._flush(chunk, size)

    def _flush(self, chunk: list[HouseholdBatch], size: int) -> None:
        if not chunk:
            return
        household_ids = self._households([b.household for b in chunk if b.household])
        person_ids = self._persons(chunk, household_ids)
        statuses = [status for batch in chunk for status in batch.statuses]
        if statuses:
            insert_rows(
                SpecialStatus._meta.db_table,
                (
                    "person_id",
                    "village_id",
                    "kind",
                    "detail",
                    "valid_from",
                    "valid_to",
                    "source",
                    "created_at",
                ),
                (
                    (
                        person_ids[s.id_number],
                        s.village_code,
                        s.kind,
                        s.detail,
                        _date(s.valid_from),
                        _date(s.valid_to),
                        s.source,
                        self.now,
                    )
                    for s in statuses
                ),
            )
        if self.progress is not None:
            self.progress.update(size)

    def _households(self, households: list[HouseholdRow]) -> dict[tuple[str, str], int]:
        table = Household._meta.db_table
        insert_rows(
            table,
            ("village_id", "number", "address", "created_at"),
            ((h.village_code, h.number, h.address, self.now) for h in households),
        )
        ids = {}
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, village_id, number FROM {table} WHERE id > %s", [self.last_household]
            )
            for pk, village_code, number in cursor.fetchall():
                ids[(village_code, number)] = pk
                self.last_household = max(self.last_household, pk)
        return ids

    def _persons(
        self, chunk: list[HouseholdBatch], household_ids: dict[tuple[str, str], int]
    ) -> dict[str, int]:
        table = Person._meta.db_table
        insert_rows(
            table,
            (*(f.column for f in PERSON_FIELDS), "created_at", "updated_at"),
            (self._stored(p, household_ids) for batch in chunk for p in batch.persons),
        )
        ids = {}
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, id_number FROM {table} WHERE id > %s", [self.last_person])
            for pk, id_number in cursor.fetchall():
                ids[id_number] = pk
                self.last_person = max(self.last_person, pk)
        return ids

    def _stored(self, person, household_ids: dict) -> list:
        """A generated person as the table stores it: every field of the spec, a household by
        its id, dates adapted; then the two timestamps."""
        values = list(_PICK_FIELDS(person))
        values[_HOUSEHOLD_AT] = household_ids.get((person.village_id, person.household_number))
        for index in _DATES_AT:
            values[index] = _date(values[index])
        values += (self.now, self.now)
        return values


_PICK_FIELDS = operator.attrgetter(*(f.name for f in PERSON_FIELDS))
_HOUSEHOLD_AT = next(i for i, f in enumerate(PERSON_FIELDS) if f.kind == Kind.HOUSEHOLD)
_DATES_AT = [i for i, f in enumerate(PERSON_FIELDS) if f.kind == Kind.DATE]


def _create_accounts(county_code: str, villages: Sequence[Village]) -> list[DemoAccount]:
    """One login per role; an account that already exists is left as it is."""
    first_village = villages[0].code
    scopes = {
        "county": county_code + "0" * 6,
        "township": first_village[:9] + "000",
        "village": first_village,
    }
    accounts = demo_accounts(county_code)
    existing = set(
        User.objects.filter(username__in=[a.username for a in accounts]).values_list(
            "username", flat=True
        )
    )
    for account in accounts:
        if account.username in existing:
            continue
        user = User(
            username=account.username,
            full_name=account.full_name,
            role=account.role,
            region_id=scopes[account.scope],
            is_active=True,
        )
        validate_password(account.password, user)
        user.set_password(account.password)
        user.password_changed_at = timezone.now()
        user.save()
    return accounts
