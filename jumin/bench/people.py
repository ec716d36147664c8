"""``jumin bench registry``: the people registry benchmark.

Steps, in one run and one database:

1. the demo region tree of the bench county (341125 by default), which must have no persons;
2. a roster CSV of N persons with the canonical headers, written by the demo generator;
3. the bare baseline: the same file read with ``csv`` and bulk-inserted, unvalidated, into a
   plain table with the person table's columns and indexes (``insert_rows``: COPY on
   PostgreSQL, ``executemany`` on SQLite);
4. the roster import of that file (``import_roster_file``, "valid rows only"): all inserts;
5. the same file imported again: every row unchanged;
6. look-ups (after ``ANALYZE`` on PostgreSQL): random existing ID numbers through ``Person.objects.get(id_number=...)``, and
   name prefixes of one and two characters through ``queries.person_search`` as a county
   administrator sees it (scoped, first 50).

The command (``jumin.bench.management.commands.bench``) finds this area through
``BENCH_AREAS`` and hands it a report to record steps and latencies; other apps add areas
the same way (a module of ``jumin.bench`` with its own ``BENCH_AREAS``).
"""

import csv
import datetime
import random
import tempfile
import time
from pathlib import Path

from django.apps.registry import Apps
from django.core.management.base import CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from jumin.core.jobs import Progress, cli_progress
from jumin.core.models import JobRun, Role, User
from jumin.people import fields
from jumin.people.demo import (
    DEFAULT_COUNTY,
    PeopleGenerator,
    county_population,
    ensure_regions,
    insert_rows,
)
from jumin.people.fields import Kind
from jumin.people.models import Person, RosterImport
from jumin.people.queries.persons import person_search
from jumin.people.services.roster_import_batch import import_roster_file

# The roster's columns: every importable field of the spec, under its canonical header.
ROSTER_HEADERS = tuple(f.roster_header for f in fields.IMPORTED)
BARE_TABLE = "bench_bare_person"
BARE_CHUNK = 20_000
SAMPLE_SIZE = 4_000

# The registry's goals, on PostgreSQL (figures in docs/benchmarks.md).
GOAL_ROWS_PER_SECOND = 50_000
GOAL_RATIO_TO_BARE = 3.0
GOAL_ID_LOOKUP_P95_MS = 5.0


class RegistryBench:
    name = "registry"
    help = "参保人登记：生成、导入、再次导入、按身份证号和姓名查询。People registry."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--people", type=int, default=1_000_000, help="人数（默认 1000000）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument(
            "--county", default=DEFAULT_COUNTY, help="测试用的县代码（默认 341125），须无参保人"
        )
        parser.add_argument(
            "--lookups", type=int, default=2000, help="按身份证号查询的次数（默认 2000）"
        )
        parser.add_argument(
            "--name-lookups",
            type=int,
            default=500,
            help="按姓名前缀查询的次数，一字和两字各这么多（默认 500）",
        )

    def run(self, *, report, options: dict) -> None:
        people = options["people"]
        if people < 1:
            raise CommandError("--people 至少为 1")
        county_code = options["county"]
        seed = options["seed"]
        show_progress = not options.get("no_progress")
        persons, households = county_population(county_code)
        if persons or households:
            raise CommandError(
                f"测试县 {county_code} 已有 {persons} 名参保人：基准测试须导入空县。"
                "请去掉 --in-place（使用专用测试库），或用 --county 换一个县。"
            )
        with transaction.atomic():
            county, villages, _ = ensure_regions(county_code, seed=seed)
        report.note(f"测试县：{county.name}（{county_code}），{len(villages)} 个村（社区）")
        with tempfile.TemporaryDirectory(prefix="jumin-bench-") as folder:
            path = Path(folder) / "bench-registry.csv"
            started = time.perf_counter()
            sample = write_roster(
                path,
                villages=villages,
                people=people,
                seed=seed,
                county_code=county_code,
                on=timezone.localdate(),
            )
            report.step("generate", "生成花名册 CSV", people, time.perf_counter() - started)
            report.note(f"文件大小 {path.stat().st_size / 1_048_576:.1f} MB")

            bare_seconds = bare_insert(path)
            report.step("bare", "裸插入（COPY/executemany，无校验）", people, bare_seconds)

            first = self._import(
                report, path, county, "import_new", "导入（全部新增）", show_progress
            )
            report.ratio("import_new", "bare", "导入 ÷ 裸插入")
            if first.rows_added != people:
                report.note(
                    f"注意：应新增 {people} 人，实际新增 {first.rows_added}，"
                    f"有错误 {first.rows_rejected} 行"
                )
            second = self._import(
                report, path, county, "import_unchanged", "再次导入（全部未变）", show_progress
            )
            report.ratio("import_unchanged", "bare", "再次导入 ÷ 裸插入")
            if second.rows_unchanged != people:
                report.note(
                    f"注意：再次导入应全部未变，实际未变 {second.rows_unchanged}，"
                    f"新增 {second.rows_added}，更新 {second.rows_updated}"
                )

        analyse_tables()
        rng = random.Random(f"bench-lookups-{seed}")
        id_numbers = [person.id_number for person in sample]
        report.latencies(
            "id_lookup",
            "按身份证号查询（ORM get）",
            time_id_lookups(rng.choices(id_numbers, k=options["lookups"])),
        )
        viewer = User(username="bench_viewer", role=Role.COUNTY_ADMIN, region=county)
        names = [person.name for person in sample]
        for length, key, label in (
            (1, "name_prefix_1", "姓名前缀 1 字"),
            (2, "name_prefix_2", "姓名前缀 2 字"),
        ):
            prefixes = [name[:length] for name in rng.choices(names, k=options["name_lookups"])]
            report.latencies(key, f"{label}（前 50 人）", time_name_lookups(viewer, prefixes))
        self._goals(report)

    def _import(self, report, path, county, key, label, show_progress) -> RosterImport:
        run = JobRun.objects.create(kind="roster_import", region=county)
        progress = cli_progress(run) if show_progress else Progress(run)
        started = time.perf_counter()
        roster_import = import_roster_file(
            path,
            acting_user=None,
            region=county,
            mode=RosterImport.Mode.VALID_ONLY,
            progress=progress,
            file_name=path.name,
        )
        seconds = time.perf_counter() - started
        report.step(key, label, roster_import.rows_total, seconds)
        return roster_import

    def _goals(self, report) -> None:
        if connection.vendor != "postgresql":
            report.note("目标只对 PostgreSQL 考核；本次为 " + connection.vendor)
            return
        rate = report.rate("import_new")
        ratio = report.ratio_of("import_new", "bare")
        p95 = report.percentile("id_lookup", 95)
        report.goal(
            f"导入 ≥ {GOAL_ROWS_PER_SECOND:,} 行/秒", rate >= GOAL_ROWS_PER_SECOND, f"{rate:,.0f}"
        )
        report.goal(
            f"导入 ≤ 裸插入的 {GOAL_RATIO_TO_BARE:g} 倍",
            ratio <= GOAL_RATIO_TO_BARE,
            f"{ratio:.2f}",
        )
        report.goal(
            f"身份证号查询 p95 < {GOAL_ID_LOOKUP_P95_MS:g} ms",
            p95 < GOAL_ID_LOOKUP_P95_MS,
            f"{p95:.2f} ms",
        )


BENCH_AREAS = [RegistryBench()]


# --------------------------------------------------------------------------- steps


def roster_row(person) -> tuple:
    """A generated person as the roster's cells: a choice by its label, a date in ISO form."""
    return tuple(fields.roster_text(f, getattr(person, f.name)) for f in fields.IMPORTED)


def write_roster(
    path: Path,
    *,
    villages,
    people: int,
    seed: int,
    county_code: str,
    on: datetime.date,
) -> list:
    """Write N generated persons as a UTF-8 roster CSV; return a random sample of them
    (reservoir of ``SAMPLE_SIZE``) for the look-ups."""
    generator = PeopleGenerator(rng=random.Random(f"people-{seed}"), on=on, county_code=county_code)
    sampler = random.Random(f"bench-sample-{seed}")
    sample: list = []
    seen = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ROSTER_HEADERS)
        for batch in generator.generate(villages, people):
            writer.writerows(roster_row(person) for person in batch.persons)
            for person in batch.persons:
                seen += 1
                if len(sample) < SAMPLE_SIZE:
                    sample.append(person)
                else:
                    slot = sampler.randrange(seen)
                    if slot < SAMPLE_SIZE:
                        sample[slot] = person
    return sample


def bare_model() -> type[models.Model]:
    """A plain table of the person table's shape: its columns and its indexes and unique
    constraints (copied from ``Person._meta``, so it follows the model), without foreign keys
    or checks. Built in an isolated app registry, never migrated."""
    fields = {}
    for person_field in Person._meta.concrete_fields:
        if person_field.primary_key:
            continue
        if person_field.is_relation:
            target = person_field.target_field
            clone = (
                models.CharField(max_length=target.max_length)
                if isinstance(target, models.CharField)
                else models.BigIntegerField()
            )
            clone.null, clone.db_index = person_field.null, person_field.db_index
        else:
            _name, _path, args, kwargs = person_field.deconstruct()
            clone = person_field.__class__(*args, **kwargs)
        fields[person_field.attname] = clone

    def copied(item):
        _path, args, kwargs = item.deconstruct()
        kwargs["fields"] = [Person._meta.get_field(name).attname for name in kwargs["fields"]]
        kwargs["name"] = f"bench_{kwargs['name']}"[:30]
        return item.__class__(*args, **kwargs)

    meta = type(
        "Meta",
        (),
        {
            "app_label": "people",
            "db_table": BARE_TABLE,
            "apps": Apps(),
            "indexes": [copied(index) for index in Person._meta.indexes],
            "constraints": [
                copied(constraint)
                for constraint in Person._meta.constraints
                if isinstance(constraint, models.UniqueConstraint) and constraint.fields
            ],
        },
    )
    return type(
        "BenchBarePerson", (models.Model,), {"__module__": __name__, "Meta": meta, **fields}
    )


BARE_COLUMNS = (*(f.column for f in fields.IMPORTED), "created_at", "updated_at")
# Cell text → stored value for the choices (男 → male), as a plain load must do.
_CHOICE_VALUES = [
    (index, {str(label): value for value, label in f.choices.choices})
    for index, f in enumerate(fields.IMPORTED)
    if f.kind == Kind.CHOICE
]
_HOUSEHOLD_AT = [index for index, f in enumerate(fields.IMPORTED) if f.kind == Kind.HOUSEHOLD]
_DATES_AT = [index for index, f in enumerate(fields.IMPORTED) if f.kind == Kind.DATE]


def bare_insert(path: Path) -> float:
    """Seconds to read the file and bulk-insert its rows, unchecked, into the bare table
    (created before the clock starts, dropped after it stops). Only what a plain load must do
    is done: the choices' labels (男/女, the hukou label) to their stored values, no household,
    no validation."""
    model = bare_model()
    drop = f"DROP TABLE IF EXISTS {connection.ops.quote_name(BARE_TABLE)}"
    with connection.cursor() as cursor:
        cursor.execute(drop)
        for statement in create_table_statements(model):
            cursor.execute(statement)
    try:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        started = time.perf_counter()
        with transaction.atomic(), path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            chunk = []
            for row in reader:  # a fresh list per line: changed in place, no copy
                for index, values in _CHOICE_VALUES:
                    row[index] = values.get(row[index], row[index])
                for index in _HOUSEHOLD_AT:
                    row[index] = None
                for index in _DATES_AT:
                    row[index] = row[index] or None
                row += (now, now)
                chunk.append(row)
                if len(chunk) >= BARE_CHUNK:
                    insert_rows(BARE_TABLE, BARE_COLUMNS, chunk)
                    chunk = []
            insert_rows(BARE_TABLE, BARE_COLUMNS, chunk)
        return time.perf_counter() - started
    finally:
        with connection.cursor() as cursor:
            cursor.execute(drop)


def create_table_statements(model) -> list[str]:
    """The CREATE TABLE and CREATE INDEX statements Django would run for ``model``, collected
    rather than run, so they also work inside a transaction on SQLite (the schema editor
    refuses to open there)."""
    editor = connection.SchemaEditorClass(connection, collect_sql=True)
    editor.deferred_sql = []
    editor.create_model(model)
    return [*editor.collected_sql, *(str(statement) for statement in editor.deferred_sql)]


def analyse_tables() -> None:
    """PostgreSQL: fresh planner statistics before the look-ups, as autovacuum gives them a
    minute after a large import; without them the planner guesses from an empty table.
    SQLite has no autovacuum and nothing in jumin runs ANALYZE there, so neither does this."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def time_id_lookups(id_numbers: list[str]) -> list[float]:
    """Milliseconds of each ``Person.objects.get(id_number=...)``."""
    timings = []
    for id_number in id_numbers:
        started = time.perf_counter()
        Person.objects.get(id_number=id_number)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def time_name_lookups(viewer, prefixes: list[str]) -> list[float]:
    """Milliseconds of each name-prefix search as the search page runs it (scoped, 50 rows)."""
    timings = []
    for prefix in prefixes:
        started = time.perf_counter()
        list(person_search(viewer, prefix))
        timings.append((time.perf_counter() - started) * 1000)
    return timings
