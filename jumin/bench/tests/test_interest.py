"""``jumin bench interest`` on a small county, in the test database."""

import io
import json

from django.core.management import call_command

from jumin.bench.management.commands.bench import find_areas
from jumin.pension.models import AccountEntry, EntrySource, InterestRun


def test_the_interest_bench_runs_and_a_rerun_adds_nothing(db, tmp_path):
    assert "interest" in find_areas()
    out = io.StringIO()
    result = tmp_path / "bench.json"
    call_command(
        "bench",
        "interest",
        "--accounts",
        "200",
        "--in-place",
        "--no-progress",
        "--json",
        str(result),
        stdout=out,
    )
    data = json.loads(result.read_text(encoding="utf-8"))
    assert data["steps"]["interest"]["rows"] == 200 == data["steps"]["bare"]["rows"]
    assert data["steps"]["rerun"]["rows"] == 0
    assert "interest/bare" in data["ratios"]
    assert AccountEntry.objects.filter(source=EntrySource.INTEREST).count() == 200
    assert InterestRun.objects.get().entry_count == 200
