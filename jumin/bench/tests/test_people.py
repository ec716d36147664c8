"""``jumin bench registry`` end to end on a small county, and its parts."""

import csv
import datetime
import io
import json
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from jumin.bench import people as bench
from jumin.bench.management.commands.bench import find_areas, percentile
from jumin.core.models import AuditEntry
from jumin.people import demo
from jumin.people.models import Person, RosterImport
from jumin.people.rules import parse_id_number


def test_percentile_is_the_nearest_rank():
    values = sorted(float(n) for n in range(1, 101))
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile(values, 99) == 99.0
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 95) == 0.0


def test_the_registry_area_is_found_by_the_command():
    areas = find_areas()
    assert "registry" in areas
    assert areas["registry"] is bench.BENCH_AREAS[0]


def test_the_roster_file_has_the_canonical_headers_and_valid_rows(tmp_path):
    on = datetime.date(2026, 3, 1)
    regions = demo.plan_regions("341125", random.Random(1))
    path = tmp_path / "roster.csv"
    sample = bench.write_roster(
        path,
        villages=demo.villages_of(regions),
        people=500,
        seed=1,
        county_code="341125",
        on=on,
    )
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == bench.ROSTER_HEADERS
    assert len(rows) == 501
    assert len(sample) == 500
    for row in rows[1:]:
        identity = parse_id_number(row[0], today=on)
        assert row[2] == {"male": "男", "female": "女"}[identity.sex]
        assert row[3] == identity.birth_date.isoformat()
        assert row[7] in {"农业", "非农业", "居民户口"}


@pytest.mark.django_db
def test_bench_registry_imports_into_an_empty_county_and_looks_people_up(tmp_path):
    out = io.StringIO()
    result = tmp_path / "bench.json"
    call_command(
        "bench",
        "registry",
        "--people",
        "300",
        "--lookups",
        "50",
        "--name-lookups",
        "20",
        "--in-place",
        "--no-progress",
        "--json",
        str(result),
        stdout=out,
    )
    text = out.getvalue()
    assert "导入（全部新增）：300 行" in text
    assert "再次导入（全部未变）：300 行" in text
    assert Person.objects.filter(village__pk__startswith="341125").count() == 300
    first, second = RosterImport.objects.order_by("created_at", "pk")
    assert (first.rows_added, first.rows_rejected) == (300, 0)
    assert (second.rows_added, second.rows_updated, second.rows_unchanged) == (0, 0, 300)
    data = json.loads(result.read_text(encoding="utf-8"))
    assert set(data["steps"]) == {"generate", "bare", "import_new", "import_unchanged"}
    assert data["steps"]["bare"]["rows"] == 300
    assert data["latencies"]["id_lookup"]["count"] == 50
    assert data["latencies"]["name_prefix_2"]["count"] == 20
    assert data["latencies"]["id_lookup"]["p50"] <= data["latencies"]["id_lookup"]["p99"]
    assert "import_new/bare" in data["ratios"]
    assert bench.BARE_TABLE not in connection.introspection.table_names()
    assert AuditEntry.objects.filter(action="people.roster_import.run").count() == 2


@pytest.mark.django_db
def test_bench_registry_refuses_a_county_that_already_has_persons():
    call_command(
        "demo_data", people=60, seed=1, no_progress=True, stdout=io.StringIO(), county="341125"
    )
    with pytest.raises(CommandError, match="已有 60 名参保人"):
        call_command("bench", "registry", "--people", "10", "--in-place", stdout=io.StringIO())
