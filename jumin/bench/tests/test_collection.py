"""``jumin bench collection`` end to end on a small county, in the test database."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jumin.bench import collection as bench
from jumin.bench.management.commands.bench import find_areas
from jumin.collection.models import (
    BankResultFile,
    Due,
    DueKind,
    DueStatus,
    LineResult,
    WithholdingBatch,
    WithholdingLine,
)
from jumin.core.models import AuditEntry
from jumin.pension.models import AccountEntry, Enrolment, EnrolmentStatus, GradeChoice, Posting
from jumin.people.models import Person

PEOPLE = 300
COUNTY = "341125"


def test_the_collection_area_is_found_by_the_command():
    areas = find_areas()
    assert areas["collection"] is bench.BENCH_AREAS[0]


def test_result_codes_fail_three_lines_in_a_hundred():
    codes = [bench.result_code(number)[0] for number in range(1, 1001)]
    assert codes.count("00") == 970
    assert bench.result_code(300) == ("51", "余额不足")
    assert bench.result_code(101)[0] != "00"
    assert bench.result_code(5) == ("00", "")


def run_bench(tmp_path, *extra) -> tuple[str, dict]:
    out = io.StringIO()
    result = tmp_path / "bench.json"
    call_command(
        "bench",
        "collection",
        "--people",
        str(PEOPLE),
        "--year",
        "2026",
        "--in-place",
        "--no-progress",
        "--json",
        str(result),
        *extra,
        stdout=out,
    )
    return out.getvalue(), json.loads(result.read_text(encoding="utf-8"))


@pytest.mark.django_db
def test_bench_collection_runs_every_step_and_leaves_the_real_rows(tmp_path):
    text, data = run_bench(tmp_path)
    in_county = {"village__pk__startswith": COUNTY}

    # setup: N living persons with passbooks at the bench bank, all paying, some grades chosen
    persons = Person.objects.filter(**in_county)
    assert persons.count() == PEOPLE
    assert not persons.filter(death_date__isnull=False).exists()
    assert not persons.exclude(passbook_bank=bench.BANK).exists()
    assert not persons.filter(passbook_number="").exists()
    assert Enrolment.objects.filter(status=EnrolmentStatus.PAYING, **in_county).count() == PEOPLE
    chosen = GradeChoice.objects.filter(year=2026, **in_county).count()
    assert 0 < chosen < PEOPLE

    # step 1: every enrollee has one personal or government-paid due (some have both)
    dues = Due.objects.filter(year=2026, **in_county)
    personal = dues.filter(kind=DueKind.PERSONAL)
    government = dues.filter(kind=DueKind.GOVERNMENT_PAID)
    assert personal.count() + government.count() == dues.count()
    assert dues.values("person_id").distinct().count() == PEOPLE
    steps = data["steps"]
    assert steps["dues"]["rows"] == dues.count()
    # the baseline was rolled back: it left no rows behind (one due per person, year, kind)
    assert steps["bare_dues"]["rows"] == PEOPLE

    # step 2: one batch with a line per personal due (every person has a passbook at BANK)
    batch = WithholdingBatch.objects.get(region_id=COUNTY + "000000", year=2026, bank=bench.BANK)
    assert batch.round == 1  # the baseline's batch was rolled back
    lines = WithholdingLine.objects.filter(batch=batch)
    assert batch.line_count == lines.count() == personal.count()
    assert steps["batch"]["rows"] == steps["bare_batch"]["rows"] == batch.line_count

    # step 3: the result file with every line; 3 in 100 failed, the rest paid
    result_file = BankResultFile.objects.get(batch=batch)
    assert result_file.line_count == batch.line_count
    failed = lines.filter(result=LineResult.FAILED)
    assert failed.count() == result_file.failed_count > 0
    assert lines.filter(result=LineResult.PAID).count() == result_file.paid_count
    assert not lines.filter(result=LineResult.PENDING).exists()
    assert steps["result"]["rows"] == steps["bare_result"]["rows"] == batch.line_count
    # failed dues went back to open; government-paid dues were never in the batch
    assert personal.filter(status=DueStatus.OPEN).count() == failed.count()

    # step 4: every paid due confirmed and posted, with an entry per non-zero source
    posting = Posting.objects.get(region_id=COUNTY + "000000", year=2026)
    assert posting.due_count == result_file.paid_count
    assert personal.filter(status=DueStatus.POSTED).count() == result_file.paid_count
    entries = AccountEntry.objects.filter(posting=posting)
    assert entries.count() == posting.entry_count == steps["post"]["rows"]
    assert steps["bare_post"]["rows"] == posting.entry_count
    assert entries.filter(source="personal").count() == result_file.paid_count
    assert not AccountEntry.objects.filter(posting__isnull=True).exists()  # baseline rolled back

    # ratios of every step are computed and printed; the goals are PostgreSQL's only
    for key, bare_key, _label in bench.STEPS:
        assert data["ratios"][f"{key}/{bare_key}"] > 0
        assert steps[key]["seconds"] > 0 and steps[bare_key]["seconds"] > 0
    assert "1 生成应缴 ÷ 裸 SQL" in text
    assert "4 核对并记账 ÷ 裸 SQL" in text
    assert "进程峰值内存" in text
    assert (
        AuditEntry.objects.filter(action="collection.withholding_batch.result_import").count() == 1
    )
    assert AuditEntry.objects.filter(action="pension.posting.run").count() == 1


@pytest.mark.django_db
def test_bench_collection_refuses_a_county_with_persons(tmp_path):
    run_bench(tmp_path)
    with pytest.raises(CommandError, match="已有 300 名参保人"):
        run_bench(tmp_path)
