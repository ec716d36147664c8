"""``jumin bench collection``: the contribution-collection benchmark, end to end through the
pension (its dues and its posting) and collection (withholding batch, bank result).

On N enrollees of the bench county (341125 by default), in one run and one database:

setup (timed, not part of the goals)
    the demo region tree; N persons from the demo generator (every one alive, with a passbook
    at ``BANK``); the national default plan of the year; N enrolments ``paying`` and grade
    choices above the lowest grade for a share of them — all set-based.

measured steps, each after its bare-SQL baseline
    1. ``dues_generate``                         ↔ one ``INSERT … SELECT`` of a personal due
                                                   per enrollee (enrolment ⋈ person ⋈ grade)
                                                   and one of its pension row;
    2. ``batch_create`` + ``batch_export``        ↔ ``INSERT … SELECT`` of the lines, one
       (the file written to disk)                  ``UPDATE`` of the dues, a ``SELECT`` of the
                                                   file's columns written with ``csv``;
    3. ``result_import`` of the bank's result     ↔ the file read with ``csv`` into a temporary
       file (most lines paid, some failed)         table (COPY / ``executemany``), one
                                                   ``UPDATE … FROM`` of the lines and one of
                                                   the dues;
    4. ``batch_confirm`` + ``post_confirmed``     ↔ one ``INSERT … SELECT`` per source into the
                                                   ledger and one ``UPDATE`` of the dues.

Every baseline runs **in the real tables** (same columns, indexes, unique and foreign-key
constraints, the constraints checked at once with ``SET CONSTRAINTS ALL IMMEDIATE`` on
PostgreSQL) inside a transaction that is rolled back when the clock has stopped; PostgreSQL
then gets a ``VACUUM ANALYZE`` of the touched tables (not timed) so the measured function
does not pay for the baseline's dead rows. The ratio of a step is per row:
(step seconds ÷ step rows) ÷ (baseline seconds ÷ baseline rows), because the dues job also
makes a second due for government-paid persons above the paid grade, which the plain baseline
does not know about.

The measured functions run as the system (``acting_user=None``) without progress reporting.
The command (``jumin.bench.management.commands.bench``) finds this area through
``BENCH_AREAS``.
"""

import csv
import random
import resource
import tempfile
import time
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from jumin.bench.faults import FaultsBench
from jumin.collection.models import (
    Due,
    DueKind,
    DueStatus,
    LineResult,
    WithholdingBatch,
    WithholdingLine,
)
from jumin.core.models import Role, User
from jumin.pension.models import (
    SCHEME,
    AccountEntry,
    ContributionDue,
    ContributionPlan,
    Enrolment,
    EnrolmentStatus,
    EntrySource,
    GradeChoice,
)
from jumin.people.demo import DEFAULT_COUNTY, PeopleGenerator, county_population, ensure_regions
from jumin.people.demo.county import _Writer
from jumin.people.models import Person

BANK = "农商行"
BARE_CHUNK = 20_000
FAILED_CODES = (("51", "余额不足"), ("14", "账户已销户"), ("55", "账户已冻结"))
FAILED_PER_HUNDRED = 3  # lines whose number ends in 00–02 fail
GRADE_CHOICE_SHARE = (1, 2, 4)  # person id % 10 == 0, 1, 2 → the 2nd, 3rd and 5th grade

# The goal on PostgreSQL: each step within twice the bare SQL of the same rows.
GOAL_RATIO_TO_BARE = 2.0

STEPS = (
    ("dues", "bare_dues", "1 生成应缴"),
    ("batch", "bare_batch", "2 生成批次并导出代扣文件"),
    ("result", "bare_result", "3 导入回盘文件"),
    ("post", "bare_post", "4 财务核对并记账"),
)


class _RolledBack(Exception):
    """Raised inside a baseline's transaction to roll it back."""


class CollectionBench:
    name = "collection"
    help = "征缴：生成应缴、代扣文件、导入回盘、核对记账。Contribution collection."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--people", type=int, default=1_000_000, help="参保人数（默认 1000000）"
        )
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument(
            "--county", default=DEFAULT_COUNTY, help="测试用的县代码（默认 341125），须无参保人"
        )
        parser.add_argument("--year", type=int, default=None, help="缴费年度（默认今年）")

    def run(self, *, report, options: dict) -> None:
        people = options["people"]
        if people < 1:
            raise CommandError("--people 至少为 1")
        county_code = options["county"]
        persons, households = county_population(county_code)
        if persons or households:
            raise CommandError(
                f"测试县 {county_code} 已有 {persons} 名参保人：基准测试须使用空县。"
                "请去掉 --in-place（使用专用测试库），或用 --county 换一个县。"
            )
        year = options.get("year") or timezone.localdate().year
        world = setup(
            report, county_code=county_code, people=people, seed=options["seed"], year=year
        )
        with tempfile.TemporaryDirectory(prefix="jumin-bench-") as folder:
            run_steps(report, world, Path(folder))
        self._goals(report)

    def _goals(self, report) -> None:
        if connection.vendor != "postgresql":
            report.note("目标只对 PostgreSQL 考核；本次为 " + connection.vendor)
            return
        for key, bare, label in STEPS:
            value = report.data["ratios"][f"{key}/{bare}"]
            report.goal(
                f"{label} ≤ 裸 SQL 的 {GOAL_RATIO_TO_BARE:g} 倍", value <= 2.0, f"{value:.2f}"
            )


# ``jumin bench faults`` (kill-and-resume checks) lives in its own module
BENCH_AREAS = [CollectionBench(), FaultsBench()]


# --------------------------------------------------------------------------- helpers


class World:
    """What the setup made and the steps share."""

    def __init__(self, *, county, user, plan, year, prefix):
        self.county = county
        self.user = user
        self.plan = plan
        self.year = year
        self.prefix = prefix
        self.batch = None
        self.file_rows = 0


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def grade_table() -> str:
    return connection.ops.quote_name(
        ContributionPlan._meta.get_field("grades").related_model._meta.db_table
    )


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def per_row_ratio(report, key: str, bare: str, label: str) -> float:
    """(step seconds per row) ÷ (baseline seconds per row), recorded like ``report.ratio``."""
    steps = report.data["steps"]
    mine = steps[key]["seconds"] / max(steps[key]["rows"], 1)
    theirs = max(steps[bare]["seconds"], 1e-9) / max(steps[bare]["rows"], 1)
    value = mine / theirs
    report.data["ratios"][f"{key}/{bare}"] = round(value, 2)
    report.stdout.write(f"{label}：{value:.2f} 倍（按每行用时）")
    return value


def rolled_back(work) -> tuple[float, int]:
    """(seconds, rows) of ``work(cursor) -> rows`` run in a transaction that is rolled back
    afterwards. PostgreSQL checks the deferred foreign keys at each statement (as the real
    step pays for them at its commits); the clock stops before the rollback."""
    seconds = rows = 0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            started = time.perf_counter()
            rows = work(cursor)
            seconds = time.perf_counter() - started
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            raise _RolledBack
    except _RolledBack:
        pass
    return seconds, rows


def vacuum(*models) -> None:
    """PostgreSQL, outside a transaction: clear a rolled-back baseline's dead rows and refresh
    the statistics, as autovacuum would, so the measured step starts from a clean table."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM ANALYZE {table(model)}")


# --------------------------------------------------------------------------- setup


def _living_with_passbooks(batches, counter):
    """The generator's households with every person alive and holding a passbook."""
    for batch in batches:
        for person in batch.persons:
            person.death_date = None
            if not person.passbook_number:
                counter[0] += 1
                person.passbook_number = f"62299{counter[0]:014d}"
        yield batch


def setup(report, *, county_code: str, people: int, seed: int, year: int) -> World:
    from jumin.pension.services.plans import plan_data_from_file, plan_seed

    started = time.perf_counter()
    with transaction.atomic():
        county, villages, _ = ensure_regions(county_code, seed=seed)
        user, _ = User.objects.get_or_create(
            username=f"bench_{county_code}",
            defaults={"role": Role.COUNTY_ADMIN, "region": county, "full_name": "基准测试"},
        )
    report.note(
        f"测试县：{county.name}（{county_code}），{len(villages)} 个村（社区），{year} 年度"
    )
    prefix = county_code
    generator = PeopleGenerator(
        rng=random.Random(f"people-{seed}"), on=timezone.localdate(), county_code=county_code
    )
    with transaction.atomic():
        writer = _Writer()
        writer.write(_living_with_passbooks(generator.generate(villages, people), [0]))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table(Person)} SET passbook_bank = %s WHERE village_id LIKE %s",
                [BANK, prefix + "%"],
            )
    report.step(
        "setup_persons",
        "准备：参保人（演示生成器，COPY/executemany）",
        people,
        time.perf_counter() - started,
    )

    started = time.perf_counter()
    plan, _ = plan_seed(actor=None, year=year, region_code=county.code, data=plan_data_from_file())
    amounts = sorted(grade.amount for grade in plan.grades.all())
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    today = ops.adapt_datefield_value(timezone.localdate())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table(Enrolment)} (
                person_id, village_id, status, applied_on, applied_by_id, full_time_student,
                registered_on, rejection_reason, pause_reason, close_reason, note,
                created_at, updated_at
            )
            SELECT p.id, p.village_id, %s, %s, %s, %s, %s, '', '', '', '', %s, %s
            FROM {table(Person)} p WHERE p.village_id LIKE %s ORDER BY p.id
            """,
            [EnrolmentStatus.PAYING.value, today, user.pk, False, today, now, now, prefix + "%"],
        )
        enrolled = cursor.rowcount
        cases = " ".join(
            f"WHEN {remainder} THEN {amounts[min(index, len(amounts) - 1)]}"
            for remainder, index in enumerate(GRADE_CHOICE_SHARE)
        )
        cursor.execute(
            f"""
            INSERT INTO {table(GradeChoice)} (person_id, village_id, year, amount, chosen_by_id, chosen_at)
            SELECT p.id, p.village_id, %s, CASE p.id %% 10 {cases} END, %s, %s
            FROM {table(Person)} p
            WHERE p.village_id LIKE %s AND p.id %% 10 < {len(GRADE_CHOICE_SHARE)}
            """,
            [year, user.pk, now, prefix + "%"],
        )
        chosen = cursor.rowcount
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    report.step(
        "setup_enrolments",
        "准备：缴费方案、参保登记、档次选择",
        enrolled,
        time.perf_counter() - started,
    )
    report.note(f"参保（正常缴费）{enrolled:,} 人，其中 {chosen:,} 人选了高于最低档的档次")
    return World(county=county, user=user, plan=plan, year=year, prefix=prefix)


# --------------------------------------------------------------------------- the steps


def run_steps(report, world: World, folder: Path) -> None:
    step_dues(report, world)
    step_batch(report, world, folder)
    step_result(report, world, folder)
    step_post(report, world)
    report.note(f"进程峰值内存 {peak_memory_mb():,.0f} MB")


def _bare_lines_sql() -> str:
    """The lines of a batch as one hand-written statement would pick them: the open personal
    dues of paying enrollees with a passbook at the bank."""
    return f"""
        INSERT INTO {table(WithholdingLine)} (
            batch_id, line_number, due_id, person_id, village_id, account_number, amount,
            result, bank_reason
        )
        SELECT %s, ROW_NUMBER() OVER (ORDER BY d.village_id, d.id), d.id, d.person_id,
            d.village_id, p.passbook_number, d.amount, %s, ''
        FROM {table(Due)} d
        JOIN {table(Person)} p ON p.id = d.person_id
        JOIN {table(ContributionDue)} c ON c.due_id = d.id
        JOIN {table(Enrolment)} e ON e.id = c.enrolment_id
        WHERE d.year = %s AND d.kind = %s AND d.status = %s AND d.village_id LIKE %s
          AND e.status = %s AND p.death_date IS NULL
          AND p.passbook_number <> '' AND p.passbook_bank = %s
    """


def step_dues(report, world: World) -> None:
    from jumin.pension.services.dues import dues_generate

    plan = world.plan
    lowest = min(grade.amount for grade in plan.grades.all())
    now = connection.ops.adapt_datetimefield_value(timezone.now())

    def bare(cursor) -> int:
        cursor.execute(
            f"""
            INSERT INTO {table(Due)} (
                person_id, village_id, scheme, year, kind, amount, subsidy, status, channel,
                payment_reference, created_at
            )
            SELECT e.person_id, e.village_id, %s, %s, %s, g.amount,
                g.subsidy_province + g.subsidy_city + g.subsidy_county, %s, '', '', %s
            FROM {table(Enrolment)} e
            JOIN {table(Person)} p ON p.id = e.person_id
            LEFT JOIN {table(GradeChoice)} c ON c.person_id = e.person_id AND c.year = %s
            JOIN {grade_table()} g ON g.plan_id = %s AND g.amount = COALESCE(c.amount, %s)
            WHERE e.status = %s AND e.village_id LIKE %s AND p.death_date IS NULL
            """,
            [
                SCHEME,
                world.year,
                DueKind.PERSONAL.value,
                DueStatus.OPEN.value,
                now,
                world.year,
                plan.pk,
                lowest,
                EnrolmentStatus.PAYING.value,
                world.prefix + "%",
            ],
        )
        made = cursor.rowcount
        cursor.execute(
            f"""
            INSERT INTO {table(ContributionDue)} (
                due_id, enrolment_id, plan_id, grade, subsidy_province, subsidy_city,
                subsidy_county, collective_subsidy, government_paid_kind, government_paid_detail
            )
            SELECT d.id, e.id, %s, g.amount, g.subsidy_province, g.subsidy_city,
                g.subsidy_county, 0, '', ''
            FROM {table(Enrolment)} e
            JOIN {table(Due)} d ON d.person_id = e.person_id AND d.year = %s AND d.scheme = %s
            JOIN {grade_table()} g ON g.plan_id = %s AND g.amount = d.amount
            WHERE e.status = %s AND e.village_id LIKE %s
            """,
            [
                plan.pk,
                world.year,
                SCHEME,
                plan.pk,
                EnrolmentStatus.PAYING.value,
                world.prefix + "%",
            ],
        )
        return made

    seconds, rows = rolled_back(bare)
    vacuum(Due, ContributionDue)
    report.step("bare_dues", "1 裸 SQL：INSERT … SELECT 应缴及其养老保险行", rows, seconds)

    started = time.perf_counter()
    generation = dues_generate(acting_user=None, region_code=world.county.code, year=world.year)
    seconds = time.perf_counter() - started
    made = generation.personal_created + generation.government_paid_created
    report.step("dues", "1 生成应缴（dues_generate）", made, seconds)
    report.note(
        f"  个人缴费 {generation.personal_created:,} 条，政府代缴 {generation.government_paid_created:,} 条"
    )
    per_row_ratio(report, "dues", "bare_dues", "1 生成应缴 ÷ 裸 SQL")


def _money(value) -> str:
    return f"{value:.2f}"


def step_batch(report, world: World, folder: Path) -> None:
    from jumin.collection.services.withholding import batch_create, batch_export

    bare_path = folder / "bare-export.csv"
    prefix = world.prefix + "%"
    select_sql = f"""
        SELECT l.line_number, p.id_number, p.name, l.account_number, l.amount
        FROM {table(WithholdingLine)} l JOIN {table(Person)} p ON p.id = l.person_id
        WHERE l.batch_id = %s ORDER BY l.line_number
    """
    timings = {}

    def bare(cursor) -> int:
        # a batch row to hang the lines on (inside the rolled-back transaction)
        batch = WithholdingBatch.objects.create(
            region=world.county, bank=BANK, year=world.year, round=99
        )
        clock = time.perf_counter()
        cursor.execute(
            _bare_lines_sql(),
            [
                batch.pk,
                LineResult.PENDING.value,
                world.year,
                DueKind.PERSONAL.value,
                DueStatus.OPEN.value,
                prefix,
                EnrolmentStatus.PAYING.value,
                BANK,
            ],
        )
        cursor.execute(
            f"UPDATE {table(Due)} SET status = %s WHERE id IN "
            f"(SELECT due_id FROM {table(WithholdingLine)} WHERE batch_id = %s)",
            [DueStatus.IN_BATCH.value, batch.pk],
        )
        timings["create"] = time.perf_counter() - clock
        clock = time.perf_counter()
        rows = 0
        with (
            connection.chunked_cursor() as reader,
            bare_path.open("w", encoding="utf-8", newline="") as handle,
        ):
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["JUMIN-WH", "1", "bare"])
            reader.execute(select_sql, [batch.pk])
            while chunk := reader.fetchmany(BARE_CHUNK):
                writer.writerows((n, i, m, a, _money(v)) for n, i, m, a, v in chunk)
                rows += len(chunk)
        timings["export"] = time.perf_counter() - clock
        return rows

    seconds, rows = rolled_back(bare)
    vacuum(Due, WithholdingLine)
    report.step(
        "bare_batch", "2 裸 SQL：INSERT 代扣明细 + UPDATE 应缴 + SELECT 写 CSV", rows, seconds
    )
    report.note(
        f"  其中 INSERT+UPDATE {timings['create']:.2f} 秒，SELECT 写 CSV {timings['export']:.2f} 秒"
    )

    started = time.perf_counter()
    batch = batch_create(
        acting_user=None, region_code=world.county.code, bank=BANK, year=world.year
    )
    created = time.perf_counter() - started
    data, file_name = batch_export(acting_user=None, batch=batch)
    (folder / "export.csv").write_bytes(data)
    size = len(data)
    del data
    seconds = time.perf_counter() - started
    report.step(
        "batch", "2 生成批次并导出（batch_create + batch_export）", batch.line_count, seconds
    )
    report.note(
        f"  其中 batch_create {created:.2f} 秒，batch_export 并写盘 {seconds - created:.2f} 秒；"
        f"文件 {file_name} {size / 1_048_576:.1f} MB（batch_export 在内存中返回整个文件）"
    )
    per_row_ratio(report, "batch", "bare_batch", "2 生成批次并导出 ÷ 裸 SQL")
    world.batch = batch


def result_code(line_number: int) -> tuple[str, str]:
    if line_number % 100 < FAILED_PER_HUNDRED:
        return FAILED_CODES[line_number % len(FAILED_CODES)]
    return "00", ""


def write_result_file(world: World, path: Path) -> int:
    """The bank's result file for the batch, as the generic adapter writes it."""
    from jumin.collection.formats.withholding import GENERIC
    from jumin.collection.services.withholding import batch_header, export_lines

    lines = ((line, *result_code(line.line_number)) for line in export_lines(world.batch))
    data = GENERIC.result_file(batch_header(world.batch), lines, deducted_on=timezone.localdate())
    path.write_bytes(data)
    return len(data)


def _result_rows(path: Path):
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row in reader:
            if row:
                yield int(row[0]), row[5], f"{row[5]} {row[6]}".strip() if row[5] != "00" else ""


def step_result(report, world: World, folder: Path) -> None:
    from jumin.collection.services.withholding import batch_key, result_import
    from jumin.core.bulk import insert_rows

    path = folder / "result.csv"
    started = time.perf_counter()
    size = write_result_file(world, path)
    report.note(
        f"准备回盘文件：{world.batch.line_count:,} 行，{size / 1_048_576:.1f} MB，"
        f"{time.perf_counter() - started:.2f} 秒（不计入）"
    )
    batch = world.batch
    deducted_on = connection.ops.adapt_datefield_value(timezone.localdate())
    temp = connection.ops.quote_name("bench_result_line")

    def bare(cursor) -> int:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {temp} (line_number integer, code varchar(4), "
            "reason varchar(200))"
        )
        rows = 0
        chunk = []
        for row in _result_rows(path):
            chunk.append(row)
            if len(chunk) >= BARE_CHUNK:
                rows += insert_rows("bench_result_line", ("line_number", "code", "reason"), chunk)
                chunk = []
        rows += insert_rows("bench_result_line", ("line_number", "code", "reason"), chunk)
        line = table(WithholdingLine)
        cursor.execute(
            f"""
            UPDATE {line} SET
                result = CASE WHEN r.code = '00' THEN %s ELSE %s END,
                bank_reason = r.reason
            FROM {temp} r
            WHERE {line}.batch_id = %s AND {line}.line_number = r.line_number
            """,
            [LineResult.PAID.value, LineResult.FAILED.value, batch.pk],
        )
        due = table(Due)
        cursor.execute(
            f"""
            UPDATE {due} SET
                status = CASE WHEN l.result = %s THEN %s ELSE %s END,
                channel = CASE WHEN l.result = %s THEN 'bank' ELSE {due}.channel END,
                paid_amount = CASE WHEN l.result = %s THEN {due}.amount END,
                paid_on = CASE WHEN l.result = %s THEN %s END,
                payment_reference = CASE WHEN l.result = %s THEN %s ELSE '' END
            FROM {line} l
            WHERE l.batch_id = %s AND l.due_id = {due}.id
            """,
            [
                LineResult.PAID.value,
                DueStatus.PAID.value,
                DueStatus.OPEN.value,
                LineResult.PAID.value,
                LineResult.PAID.value,
                LineResult.PAID.value,
                deducted_on,
                LineResult.PAID.value,
                f"代扣{batch_key(batch)}",
                batch.pk,
            ],
        )
        cursor.execute(f"DROP TABLE {temp}")
        return rows

    seconds, rows = rolled_back(bare)
    vacuum(Due, WithholdingLine)
    report.step(
        "bare_result", "3 裸 SQL：读文件装入临时表 + UPDATE … FROM 明细和应缴", rows, seconds
    )

    memory_before = peak_memory_mb()
    started = time.perf_counter()
    data = path.read_bytes()
    result_file, new = result_import(acting_user=None, batch=batch, file_name=path.name, data=data)
    del data
    seconds = time.perf_counter() - started
    report.step("result", "3 导入回盘文件（result_import）", result_file.line_count, seconds)
    report.note(
        f"  成功 {result_file.paid_count:,} 笔，失败 {result_file.failed_count:,} 笔；"
        f"result_import 要求整个文件在内存中（bytes），峰值内存 {memory_before:,.0f} → "
        f"{peak_memory_mb():,.0f} MB"
    )
    if not new:
        report.note("注意：回盘文件被当作已导入过的文件")
    per_row_ratio(report, "result", "bare_result", "3 导入回盘文件 ÷ 裸 SQL")
    world.file_rows = result_file.line_count


def step_post(report, world: World) -> None:
    from jumin.collection.services.withholding import batch_confirm
    from jumin.pension.services.posting import SOURCES, post_confirmed

    ops = connection.ops
    today = ops.adapt_datefield_value(timezone.localdate())
    now = ops.adapt_datetimefield_value(timezone.now())
    entry, due, contribution = table(AccountEntry), table(Due), table(ContributionDue)
    prefix = world.prefix + "%"

    def bare(cursor) -> int:
        rows = 0
        for source, amount in SOURCES:
            cursor.execute(
                f"""
                INSERT INTO {entry} (person_id, village_id, year, source, amount, booked_on,
                    due_id, posting_id, reverses_id, reason, created_by_id, created_at)
                SELECT d.person_id, d.village_id, d.year, {source}, {amount}, %s, d.id,
                    NULL, NULL, '', NULL, %s
                FROM {contribution} c JOIN {due} d ON d.id = c.due_id
                WHERE d.year = %s AND d.status = %s AND d.village_id LIKE %s AND {amount} <> 0
                """,
                [today, now, world.year, DueStatus.PAID.value, prefix],
            )
            rows += cursor.rowcount
        cursor.execute(
            f"UPDATE {due} SET status = %s, confirmed_at = %s, posted_at = %s "
            "WHERE year = %s AND status = %s AND village_id LIKE %s",
            [DueStatus.POSTED.value, now, now, world.year, DueStatus.PAID.value, prefix],
        )
        return rows

    seconds, rows = rolled_back(bare)
    vacuum(Due, ContributionDue, AccountEntry)
    report.step("bare_post", "4 裸 SQL：每个来源一条 INSERT … SELECT + UPDATE 应缴", rows, seconds)

    started = time.perf_counter()
    batch_confirm(acting_user=None, batch=world.batch)
    confirmed = time.perf_counter() - started
    posting = post_confirmed(acting_user=None, region_code=world.county.code, year=world.year)
    seconds = time.perf_counter() - started
    report.step(
        "post", "4 财务核对并记账（batch_confirm + post_confirmed）", posting.entry_count, seconds
    )
    sources = dict(
        AccountEntry.objects.filter(posting=posting)
        .values_list("source")
        .annotate(count=Count("id"))
    )
    labels = dict(EntrySource.choices)
    report.note(
        f"  其中 batch_confirm {confirmed:.2f} 秒，post_confirmed {seconds - confirmed:.2f} 秒；"
        f"记账应缴 {posting.due_count:,} 笔，个人账户记录 {posting.entry_count:,} 条（"
        + "，".join(f"{labels.get(k, k)} {v:,}" for k, v in sorted(sources.items()))
        + "）"
    )
    per_row_ratio(report, "post", "bare_post", "4 核对并记账 ÷ 裸 SQL")
