"""``jumin bench faults``: kill the long jobs at random points, run them again, and check that
the data ends exactly where an uninterrupted run leaves it.

Four operations, each run as its CLI command in a child process, as an operator would:

========  =============================================================  ==================
roster    ``jumin import-roster roster.csv --mode valid-only``           花名册导入
dues      ``jumin generate-dues --county 341125 --year 2027``            应缴核定
result    ``jumin withholding-result result.csv --batch N --confirm``    银行回盘导入并核对
posting   ``jumin post-contributions --county 341125 --year 2026``       记账
========  =============================================================  ==================

Once per run: a database with the demo county (``demo-data``, ``demo-year``) and, per
operation, a copy prepared up to the operation (a plan for 2027; a withholding batch and its
result file; the result imported and confirmed). Each operation is run once uninterrupted on
a copy of its start: the reference. Then each trial takes a fresh copy, starts the command
and kills it with SIGKILL (no clean-up, as a power cut would) either after a random delay or
the N-th time it passes a named point (``jumin.core.jobs.fault_point``: every progress
report; inside each dues chunk's transaction before it commits), runs the command again
until it succeeds, and compares the data with the reference:

* persons and households (by ID number), dues by kind, status and amount (by person, year
  and kind), withholding lines by result, result files, ledger entries by source and amount
  (by person), ledger entries credited twice for one due and source (must be none);
* honest counts: the dues' summary rows and chunk audit entries add up to the dues made, the
  postings' and their chunk entries to the ledger entries made;
* no job left queued or running (the killed run is marked interrupted by the re-run).

The copies are SQLite files in a temporary folder, or PostgreSQL databases on the configured
server (``<name>_faults_*``, dropped at the end) when the configured database is PostgreSQL.
The report ends with ``differences: 0`` when every trial matched.
"""

import datetime
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from jumin.pension.registry import PensionAction

COUNTY = "341125"
COUNTY_CODE = "341125000000"
YEAR = 2026
NEXT_YEAR = 2027
DEDUCTED_ON = datetime.date(YEAR, 4, 10)
FAILED_EVERY = 17  # every 17th withholding line fails (余额不足)
ROSTER_ROWS = 1500
RERUNS = 3


@dataclass(frozen=True)
class Operation:
    name: str
    label: str
    start: str  # the prepared database it starts from
    command: tuple[str, ...]  # {placeholders} from the preparation
    points: tuple[tuple[str, int], ...]  # fault points it passes, and how often at least


OPERATIONS = {
    operation.name: operation
    for operation in (
        Operation(
            "roster",
            "花名册导入",
            "base",
            ("import-roster", "{roster}", "--mode", "valid-only", "--region", COUNTY_CODE),
            (("progress", 3),),
        ),
        Operation(
            "dues",
            "应缴核定",
            "plan",
            ("generate-dues", "--county", COUNTY, "--year", str(NEXT_YEAR)),
            (("progress", 5), ("dues.chunk", 2)),
        ),
        Operation(
            "result",
            "银行回盘导入",
            "batch",
            ("withholding-result", "{result}", "--batch", "{batch}", "--confirm"),
            (),
        ),
        Operation(
            "posting",
            "记账",
            "confirmed",
            ("post-contributions", "--county", COUNTY, "--year", str(YEAR)),
            (("progress", 2),),
        ),
    )
}
NO_PROGRESS = {"roster", "dues", "posting"}


@dataclass
class Trial:
    operation: str
    kill: str
    killed: bool
    reruns: int
    differences: list = field(default_factory=list)


class FaultsBench:
    name = "faults"
    help = "杀掉运行中的花名册导入、应缴核定、回盘导入和记账再重新运行，与不中断的结果比较"

    def add_arguments(self, parser):
        parser.add_argument("--trials", type=int, default=100, help="杀进程的次数（默认 100）")
        parser.add_argument("--people", type=int, default=2000, help="演示县人数（默认 2000）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
        parser.add_argument(
            "--operations",
            default=",".join(OPERATIONS),
            help="逗号分隔：" + "、".join(OPERATIONS),
        )
        parser.add_argument("--keep", action="store_true", help="保留临时数据库和文件，便于检查")

    def run(self, *, report, options):
        operations = [name.strip() for name in options["operations"].split(",") if name.strip()]
        unknown = sorted(set(operations) - set(OPERATIONS))
        if unknown:
            from django.core.management.base import CommandError

            raise CommandError(f"没有这些操作：{'、'.join(unknown)}")
        trials = run_faults(
            trials=options["trials"],
            people=options["people"],
            seed=options["seed"],
            operations=operations,
            keep=options["keep"],
            say=report.note,
        )
        differences = sum(len(trial.differences) for trial in trials)
        killed = sum(trial.killed for trial in trials)
        report.goal(
            "杀进程后重新运行与不中断的结果一致",
            differences == 0,
            f"{len(trials)} 次（真正杀掉 {killed} 次），差异 {differences} 处",
        )
        report.note(f"differences: {differences}")


# --------------------------------------------------------------------------- the run


def run_faults(
    *, trials, people, seed, operations, keep=False, say=print, point_share=0.5
) -> list[Trial]:
    """Prepare, take the references, run ``trials`` kills (round robin over
    ``operations``) and return what each found. ``point_share`` of the kills (where the
    operation has fault points) aim at a point, the others come after a random delay."""
    rng = random.Random(seed)
    folder = Path(tempfile.mkdtemp(prefix="jumin-faults-"))
    databases = Databases.for_configured(folder)
    try:
        say(f"准备：演示县 {people} 人（{databases.vendor}，{folder}）")
        started = time.monotonic()
        values = prepare(databases, people=people, seed=seed, operations=operations)
        # the time a command takes to start (the shortest of three: a busy machine varies)
        startup = min(
            databases.cli("base", ["shell", "-c", "pass"], check=True).seconds for _ in range(3)
        )
        say(f"准备完成：{time.monotonic() - started:.1f} 秒；命令启动 {startup:.1f} 秒")
        references = {}
        for name in operations:
            operation = OPERATIONS[name]
            target = f"reference_{name}"
            databases.copy(operation.start, target)
            outcome = databases.cli(target, command_of(operation, values))
            if outcome.returncode != 0:
                raise RuntimeError(f"{name} failed without a kill:\n{outcome.output}")
            found = fingerprint(databases, target)
            references[name] = (found, outcome.seconds)
            say(f"参照：{operation.label} {outcome.seconds:.1f} 秒；{summary(found)}")
            databases.drop(target)
        results = []
        for number in range(trials):
            name = operations[number % len(operations)]
            reference, seconds = references[name]
            # from the end of the start-up to shortly before the reference run ended
            window = (startup, startup + max(0.9 * (seconds - startup), 0.1))
            trial = one_trial(
                databases, OPERATIONS[name], values, reference, window, rng, point_share
            )
            results.append(trial)
            verdict = "一致" if not trial.differences else f"差异：{trial.differences}"
            say(
                f"{number + 1:3d} {OPERATIONS[name].label}：{trial.kill}，"
                f"{'已杀掉' if trial.killed else '杀之前已完成'}，重新运行 {trial.reruns} 次，{verdict}"
            )
        return results
    finally:
        if keep:
            say(f"保留：{folder}")
        else:
            databases.drop_all()
            shutil.rmtree(folder, ignore_errors=True)


def one_trial(databases, operation, values, reference, window, rng, point_share) -> Trial:
    """One kill and re-run; a delay is drawn from ``window``: from the command's start-up
    time to the reference run's whole time, so it lands in the work itself."""
    target = "trial"
    databases.copy(operation.start, target)
    command = command_of(operation, values)
    if operation.points and rng.random() < point_share:
        point, passes = rng.choice(operation.points)
        count = rng.randint(1, passes)
        kill = f"在 {point} 第 {count} 次"
        outcome = databases.cli(target, command, fault=f"{point}:{count}")
    else:
        delay = rng.uniform(*window)
        kill = f"{delay:.2f} 秒后"
        outcome = databases.cli(target, command, kill_after=delay)
    killed = outcome.returncode == -signal.SIGKILL
    reruns = 0
    differences = []
    while outcome.returncode != 0 and reruns < RERUNS:
        reruns += 1
        outcome = databases.cli(target, command)
    if outcome.returncode != 0:
        differences.append(f"重新运行 {RERUNS} 次仍失败：{outcome.output[-500:]}")
    else:
        found = fingerprint(databases, target)
        differences.extend(compare(reference, found))
    databases.drop(target)
    return Trial(operation.name, kill, killed, reruns, differences)


def summary(found: dict) -> str:
    dues = sum(row[3] for row in found["dues"])
    entries = sum(row[1] for row in found["ledger"])
    checks = [key for key, value in found.items() if value is True]
    return (
        f"参保人 {found['persons']}，应缴 {dues}，个人账户记录 {entries}，"
        f"回盘文件 {found['result_files']}；成立：{'、'.join(checks)}"
    )


def command_of(operation: Operation, values: dict) -> list[str]:
    command = [part.format(**values) for part in operation.command]
    if operation.name in NO_PROGRESS:
        command.append("--no-progress")
    return command


def compare(reference: dict, found: dict) -> list[str]:
    differences = [
        f"{key}: {reference.get(key)!r} → {found.get(key)!r}"
        for key in sorted(set(reference) | set(found))
        if reference.get(key) != found.get(key)
    ]
    differences.extend(f"{key} 不成立" for key, value in found.items() if value is False)
    return differences


def prepare(databases, *, people: int, seed: int, operations) -> dict:
    """The prepared databases (``base``, ``plan``, ``batch``, ``confirmed``) and the
    placeholders of the commands (files, batch id)."""
    databases.create_empty("base")
    for command in (
        ["migrate", "--no-input", "-v", "0"],
        ["demo-data", "--county", COUNTY, "--people", str(people), "--seed", str(seed)],
        ["demo-year", "--county", COUNTY, "--year", str(YEAR), "--seed", str(seed)]
        + ["--without-collection"],
    ):
        databases.cli("base", command, check=True)
    values = databases.shell("base", "roster", databases.folder)
    if "dues" in operations:
        databases.copy("base", "plan")
        databases.cli("plan", ["seed-plans", "--year", str(NEXT_YEAR), "--region", COUNTY_CODE])
    if "result" in operations or "posting" in operations:
        databases.copy("base", "batch")
        values.update(databases.shell("batch", "batch", databases.folder))
    if "posting" in operations:
        databases.copy("batch", "confirmed")
        databases.shell("confirmed", "confirm", databases.folder)
    return values


# --------------------------------------------------------------------------- preparations
# run inside a child process on the prepared database: ``jumin shell -c`` calls these


def prepare_in_child(step: str, folder: str) -> None:
    """One preparation step in the child's database; prints its values as JSON."""
    from jumin.core.audit import request_context

    with request_context():
        values = {"roster": _roster, "batch": _batch, "confirm": _confirm}[step](Path(folder))
    print(json.dumps(values))


def _roster(folder: Path) -> dict:
    """A roster of new persons in the county's villages, with a few bad rows."""
    from jumin.core.models import Region, RegionLevel
    from jumin.people.formats.roster_samples import roster_row, write_csv

    villages = list(
        Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith=COUNTY)
        .order_by("code")
        .values_list("code", flat=True)[:40]
    )
    rows = [
        roster_row(number, village=villages[number % len(villages)])
        for number in range(ROSTER_ROWS)
    ]
    for number in range(0, ROSTER_ROWS, 97):
        rows[number]["村代码"] = "341125999999"  # not a village: the row is refused
    path = write_csv(folder / "roster.csv", rows)
    return {"roster": str(path)}


def _batch(folder: Path) -> dict:
    """A withholding batch of the demo year for the commonest passbook bank, and the bank's
    result file for it (every ``FAILED_EVERY``-th line failed)."""
    from django.db.models import Count

    from jumin.collection.formats.withholding import adapter_for
    from jumin.collection.services.withholding import batch_create, batch_header, export_lines
    from jumin.people.models import Person

    bank = (
        Person.objects.exclude(passbook_bank="")
        .values("passbook_bank")
        .annotate(count=Count("id"))
        .order_by("-count", "passbook_bank")
        .first()["passbook_bank"]
    )
    batch = batch_create(acting_user=None, region_code=COUNTY, bank=bank, year=YEAR)
    lines = (
        (line, "51", "余额不足") if line.line_number % FAILED_EVERY == 0 else (line, "00", "")
        for line in export_lines(batch)
    )
    data = adapter_for(bank).result_file(batch_header(batch), lines, deducted_on=DEDUCTED_ON)
    path = folder / "result.csv"
    path.write_bytes(data)
    return {"result": str(path), "batch": str(batch.pk)}


def _confirm(folder: Path) -> dict:
    """The result file imported and the batch confirmed: confirmed dues to post."""
    from jumin.collection.models import WithholdingBatch
    from jumin.collection.services.withholding import batch_confirm, result_import

    batch = WithholdingBatch.objects.get()
    path = folder / "result.csv"
    result_import(acting_user=None, batch=batch, file_name=path.name, data=path.read_bytes())
    batch_confirm(acting_user=None, batch=batch)
    return {}


# --------------------------------------------------------------------------- fingerprints


def fingerprint(databases, name: str) -> dict:
    """What must be equal after an interrupted-and-resumed run and an uninterrupted one,
    read with plain SQL on the copy (this process's own Django connection is elsewhere)."""
    from jumin.collection.models import BankResultFile, Due, WithholdingLine
    from jumin.core.models import AuditEntry, JobRun
    from jumin.pension.models import AccountEntry, ContributionDue, DueGeneration, Posting
    from jumin.people.models import Household, Person

    table = {
        model: model._meta.db_table
        for model in (
            Person,
            Household,
            Due,
            ContributionDue,
            DueGeneration,
            WithholdingLine,
            BankResultFile,
            AccountEntry,
            Posting,
            JobRun,
            AuditEntry,
        )
    }
    with databases.connect(name) as cursor:

        def rows(sql, params=()):
            cursor.execute(sql.replace("%s", databases.mark), params)
            return [tuple(_plain(value) for value in row) for row in cursor.fetchall()]

        def one(sql, params=()):
            return rows(sql, params)[0][0]

        person, due, entry = table[Person], table[Due], table[AccountEntry]
        made_dues = one(
            f"SELECT COUNT(*) FROM {table[ContributionDue]} WHERE generation_id IS NOT NULL"
        )
        posted_entries = one(f"SELECT COUNT(*) FROM {entry} WHERE posting_id IS NOT NULL")
        audits = rows(
            f"SELECT action, after FROM {table[AuditEntry]} WHERE action IN (%s, %s)",
            (PensionAction.DUES_CHUNK, PensionAction.POSTING_CHUNK),
        )
        return {
            "persons": one(f"SELECT COUNT(*) FROM {person}"),
            "persons_digest": _digest(
                rows(
                    f"SELECT id_number, name, village_id, birth_date, sex, household_id IS NULL "
                    f"FROM {person}"
                )
            ),
            "households": one(f"SELECT COUNT(*) FROM {table[Household]}"),
            "dues": rows(
                f"SELECT year, kind, status, COUNT(*), SUM(amount), SUM(paid_amount) FROM {due} "
                "GROUP BY year, kind, status ORDER BY year, kind, status"
            ),
            "dues_digest": _digest(
                rows(
                    f"SELECT p.id_number, d.year, d.kind, d.status, d.amount, d.paid_amount, "
                    f"d.channel FROM {due} d JOIN {person} p ON p.id = d.person_id"
                )
            ),
            "withholding_lines": rows(
                f"SELECT result, COUNT(*) FROM {table[WithholdingLine]} GROUP BY result "
                "ORDER BY result"
            ),
            "result_files": one(f"SELECT COUNT(*) FROM {table[BankResultFile]}"),
            "ledger": rows(
                f"SELECT source, COUNT(*), SUM(amount) FROM {entry} GROUP BY source ORDER BY source"
            ),
            "ledger_digest": _digest(
                rows(
                    f"SELECT p.id_number, e.year, e.source, e.amount, e.reverses_id IS NULL "
                    f"FROM {entry} e JOIN {person} p ON p.id = e.person_id"
                )
            ),
            "credited_twice": one(
                f"SELECT COUNT(*) FROM (SELECT due_id, source FROM {entry} "
                "WHERE due_id IS NOT NULL AND reverses_id IS NULL "
                "GROUP BY due_id, source HAVING COUNT(*) > 1) twice"
            ),
            "jobs_left_running": one(
                f"SELECT COUNT(*) FROM {table[JobRun]} WHERE status IN (%s, %s)",
                ("queued", "running"),
            ),
            "dues_summary_rows_honest": one(
                f"SELECT COALESCE(SUM(personal_created + government_paid_created), 0) "
                f"FROM {table[DueGeneration]}"
            )
            == made_dues,
            "dues_audit_honest": _audit_sum(audits, PensionAction.DUES_CHUNK, "made") == made_dues,
            "postings_honest": one(f"SELECT COALESCE(SUM(entry_count), 0) FROM {table[Posting]}")
            == posted_entries,
            "posting_audit_honest": _audit_sum(audits, PensionAction.POSTING_CHUNK, "entries")
            == posted_entries,
        }


def _plain(value):
    """Database values made comparable across drivers (SQLite gives floats for sums)."""
    if isinstance(value, float | Decimal):
        return str(Decimal(str(value)).quantize(Decimal("0.01")))
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _digest(rows: list[tuple]) -> str:
    text = "\n".join(repr(row) for row in sorted(rows, key=repr))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _audit_sum(audits, action: str, key: str) -> int:
    total = 0
    for found, after in audits:
        if found == action:
            after = json.loads(after) if isinstance(after, str) else after
            total += int(after.get(key, 0))
    return total


# --------------------------------------------------------------------------- databases


@dataclass
class Outcome:
    returncode: int
    seconds: float
    output: str


class Databases:
    """Named copies of the prepared databases and the commands run on them."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.names: set[str] = set()

    @staticmethod
    def for_configured(folder: Path) -> "Databases":
        if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
            return PostgresDatabases(folder)
        return SqliteDatabases(folder)

    def cli(self, name, command, *, fault=None, kill_after=None, check=False) -> Outcome:
        """``jumin COMMAND`` on database ``name`` in a child process; ``fault`` arms a fault
        point, ``kill_after`` sends SIGKILL after that many seconds."""
        environment = {
            **os.environ,
            "JUMIN_DEBUG": "1",
            "DATABASE_URL": self.url(name),
            "JUMIN_VAR_DIR": str(self.folder / "var"),
        }
        environment.pop("JUMIN_FAULT_KILL_AT", None)
        if fault:
            environment["JUMIN_FAULT_KILL_AT"] = fault
        started = time.monotonic()
        child = subprocess.Popen(
            [sys.executable, "-m", "jumin.cli", *command],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            output, _ = child.communicate(timeout=kill_after)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
            output, _ = child.communicate()
        outcome = Outcome(child.returncode, time.monotonic() - started, output)
        if check and outcome.returncode != 0:
            raise RuntimeError(f"jumin {' '.join(command)} failed:\n{output}")
        return outcome

    def shell(self, name: str, step: str, folder: Path) -> dict:
        code = (
            "from jumin.bench.faults import prepare_in_child; "
            f"prepare_in_child({step!r}, {str(folder)!r})"
        )
        outcome = self.cli(name, ["shell", "-c", code], check=True)
        printed = [line for line in outcome.output.splitlines() if line.startswith("{")]
        return json.loads(printed[-1])

    def drop_all(self) -> None:
        for name in list(self.names):
            self.drop(name)


class SqliteDatabases(Databases):
    vendor = "SQLite"
    mark = "?"

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.sqlite3"

    def url(self, name: str) -> str:
        return f"sqlite:///{self.path(name)}"

    def create_empty(self, name: str) -> None:
        self.names.add(name)

    def copy(self, source: str, target: str) -> None:
        self.drop(target)
        for suffix in ("", "-wal", "-shm"):
            from_path = Path(f"{self.path(source)}{suffix}")
            if from_path.exists():
                shutil.copyfile(from_path, f"{self.path(target)}{suffix}")
        self.names.add(target)

    def drop(self, name: str) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path(name)}{suffix}").unlink(missing_ok=True)
        self.names.discard(name)

    def connect(self, name: str):
        import contextlib
        import sqlite3

        @contextlib.contextmanager
        def cursor():
            connection = sqlite3.connect(self.path(name))
            try:
                yield connection.cursor()
            finally:
                connection.close()

        return cursor()


class PostgresDatabases(Databases):
    vendor = "PostgreSQL"
    mark = "%s"

    def __init__(self, folder: Path):
        super().__init__(folder)
        configured = settings.DATABASES["default"]
        self.server = {
            "host": configured.get("HOST") or "127.0.0.1",
            "port": int(configured.get("PORT") or 5432),
            "user": configured.get("USER") or "postgres",
            "password": configured.get("PASSWORD") or "",
        }
        self.prefix = f"{configured['NAME']}_faults"

    def database(self, name: str) -> str:
        return f"{self.prefix}_{name}"

    def url(self, name: str) -> str:
        from urllib.parse import quote

        server = self.server
        password = f":{quote(server['password'])}" if server["password"] else ""
        return (
            f"postgres://{quote(server['user'])}{password}@{server['host']}:{server['port']}/"
            f"{self.database(name)}"
        )

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True, **self.server) as connection:
            connection.execute(sql)

    def create_empty(self, name: str) -> None:
        self.drop(name)
        self._admin(f'CREATE DATABASE "{self.database(name)}"')
        self.names.add(name)

    def copy(self, source: str, target: str) -> None:
        self.drop(target)
        self._admin(f'CREATE DATABASE "{self.database(target)}" TEMPLATE "{self.database(source)}"')
        self.names.add(target)

    def drop(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.database(name)}" WITH (FORCE)')
        self.names.discard(name)

    def connect(self, name: str):
        import contextlib

        import psycopg

        @contextlib.contextmanager
        def cursor():
            with psycopg.connect(dbname=self.database(name), **self.server) as connection:
                yield connection.cursor()

        return cursor()
