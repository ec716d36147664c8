"""The demo county: a region tree, households, persons, special statuses and staff accounts.

Modelled on the 定远县 figures in ``domain/COUNTY.md``: 22 townships and 2 industrial parks,
8–20 villages each, households of 1–6 people, a rural age pyramid (most people 45–75), valid
ID numbers, Chinese names, special statuses at the rates the county reports, a handful of
suspected duplicates. Everything comes from one ``random.Random(seed)`` and the reference day
``on``: the same seed and day give the same rows.

- ``regions``: the plan of the county's tree (pure);
- ``people``: households, persons and statuses as plain rows (pure);
- ``county``: writing a county set-based (COPY on PostgreSQL, ``executemany`` elsewhere; see
  ``insert_rows``) in one transaction with one ``demo.generate`` audit entry, and the demo
  staff accounts.

The benchmark (``jumin.bench.people``) reuses the generator to write a roster file.
"""

from jumin.people.demo.county import (
    CHUNK_PERSONS,
    DEMO_PASSWORD,
    CountyNotEmpty,
    DemoAccount,
    DemoResult,
    county_population,
    demo_accounts,
    demo_generate,
    ensure_regions,
    insert_rows,
)
from jumin.people.demo.people import (
    HouseholdBatch,
    HouseholdRow,
    PeopleGenerator,
    PersonRow,
    StatusRow,
    generate_people,
    rows_digest,
)
from jumin.people.demo.regions import (
    DEFAULT_COUNTY,
    RegionRow,
    Village,
    county_names,
    plan_regions,
    villages_of,
)

__all__ = [
    "CHUNK_PERSONS",
    "DEFAULT_COUNTY",
    "DEMO_PASSWORD",
    "CountyNotEmpty",
    "DemoAccount",
    "DemoResult",
    "HouseholdBatch",
    "HouseholdRow",
    "PeopleGenerator",
    "PersonRow",
    "RegionRow",
    "StatusRow",
    "Village",
    "county_names",
    "county_population",
    "demo_accounts",
    "demo_generate",
    "ensure_regions",
    "generate_people",
    "insert_rows",
    "plan_regions",
    "rows_digest",
    "villages_of",
]
