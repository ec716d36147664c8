"""``jumin bench AREA [options]``: benchmarks, one area per part of the system.

jumin bench registry --people 1000000       the people registry (generate, import, look up)
jumin bench registry --people 300 --in-place

An area is an object with ``name``, ``help``, ``add_arguments(parser)`` and
``run(*, report, options)``, listed in ``BENCH_AREAS`` of a module of ``jumin.bench``, one module
per part of the system (``people.py`` for ``registry``, ``collection.py``, ``faults.py``). The
command finds them, prepares the database and prints the report.

By default a benchmark runs in a dedicated database created for the run and dropped after it
(PostgreSQL: ``<database>_bench`` on the same server; SQLite: ``<file>-bench.sqlite3`` next to
the database file), so the audit trail and the rows of the real database are never touched.
``--in-place`` runs in the configured database instead (the test suite does this).
"""

import contextlib
import json
import math
import os
import pkgutil
import platform
import statistics
import sys
from importlib import import_module
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from jumin.core.audit import request_context


def find_areas() -> dict:
    """Every benchmark area of the modules of ``jumin.bench``, by name."""
    import jumin.bench

    areas = {}
    for module_info in pkgutil.iter_modules(jumin.bench.__path__):
        if module_info.ispkg:
            continue
        module = import_module(f"jumin.bench.{module_info.name}")
        for area in getattr(module, "BENCH_AREAS", ()):
            areas[area.name] = area
    return areas


class Command(BaseCommand):
    help = "性能基准测试（默认在专用的临时数据库中进行）。Benchmarks, run in a throw-away database."

    def add_arguments(self, parser):
        self.areas = find_areas()
        subparsers = parser.add_subparsers(dest="area", required=True, metavar="AREA")
        for name, area in sorted(self.areas.items()):
            area_parser = subparsers.add_parser(name, help=area.help, description=area.help)
            area.add_arguments(area_parser)
            area_parser.add_argument(
                "--in-place",
                action="store_true",
                help="在当前配置的数据库中进行（默认：新建专用数据库，结束后删除）",
            )
            area_parser.add_argument(
                "--keep-database", action="store_true", help="结束后保留专用数据库，便于检查"
            )
            area_parser.add_argument(
                "--json", dest="json_path", type=Path, help="把结果另存为 JSON 文件"
            )
            area_parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, area, in_place, keep_database, json_path, **options):
        chosen = self.areas[area]
        report = BenchReport(self.stdout)
        context = (
            contextlib.nullcontext(connection.settings_dict["NAME"])
            if in_place
            else dedicated_database(keep=keep_database)
        )
        with context as database_name:
            report.machine(database_name)
            with request_context():
                chosen.run(report=report, options=options)
        if json_path is not None:
            json_path.write_text(report.as_json(), encoding="utf-8")
            self.stdout.write(f"结果已保存：{json_path}")


@contextlib.contextmanager
def dedicated_database(*, keep: bool = False):
    """A fresh, migrated database for the run (Django's test-database machinery under the
    name ``<name>_bench``); dropped at the end unless ``keep``."""
    creation = connection.creation
    original = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        original_path = Path(str(original))
        bench_name = str(original_path.with_name(f"{original_path.stem}-bench.sqlite3"))
    else:
        bench_name = f"{original}_bench"
    test_settings = connection.settings_dict.setdefault("TEST", {})
    saved_test_name = test_settings.get("NAME")
    test_settings["NAME"] = bench_name
    try:
        creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    except Exception as error:
        test_settings["NAME"] = saved_test_name
        raise CommandError(f"无法创建专用测试库 {bench_name}：{error}") from error
    try:
        yield bench_name
    finally:
        if keep:
            connection.close()
            connection.settings_dict["NAME"] = original
        else:
            creation.destroy_test_db(original, verbosity=0)
        test_settings["NAME"] = saved_test_name


class BenchReport:
    """Steps (rows in seconds), ratios between steps and latency percentiles, printed as they
    come and kept for ``--json``."""

    def __init__(self, stdout):
        self.stdout = stdout
        self.data: dict = {"steps": {}, "latencies": {}, "ratios": {}, "goals": [], "notes": []}

    def machine(self, database_name: str) -> None:
        facts = {
            "date": timezone.localtime().isoformat(timespec="seconds"),
            "database": f"{connection.vendor} {_database_version()}",
            "database_name": str(database_name),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "cpu_model": _cpu_model(),
            "memory": _memory_total(),
        }
        self.data["machine"] = facts
        self.stdout.write(
            f"机器：{facts['cpu_model']}，{facts['cpus']} 核，内存 {facts['memory']}；"
            f"{facts['database']}；Python {facts['python']}；{facts['date']}"
        )

    def note(self, text: str) -> None:
        self.data["notes"].append(text)
        self.stdout.write(text)

    def step(self, key: str, label: str, rows: int, seconds: float) -> None:
        rate = rows / seconds if seconds > 0 else math.inf
        self.data["steps"][key] = {
            "label": label,
            "rows": rows,
            "seconds": round(seconds, 3),
            "rows_per_second": round(rate),
        }
        self.stdout.write(f"{label}：{rows:,} 行，{seconds:.2f} 秒，{rate:,.0f} 行/秒")

    def rate(self, key: str) -> float:
        return self.data["steps"][key]["rows_per_second"]

    def ratio_of(self, slower: str, faster: str) -> float:
        return self.data["steps"][slower]["seconds"] / max(
            self.data["steps"][faster]["seconds"], 1e-9
        )

    def ratio(self, slower: str, faster: str, label: str) -> None:
        value = self.ratio_of(slower, faster)
        self.data["ratios"][f"{slower}/{faster}"] = round(value, 2)
        self.stdout.write(f"{label}：{value:.2f} 倍")

    def latencies(self, key: str, label: str, milliseconds: list[float]) -> None:
        ordered = sorted(milliseconds)
        summary = {
            "label": label,
            "count": len(ordered),
            "p50": percentile(ordered, 50),
            "p95": percentile(ordered, 95),
            "p99": percentile(ordered, 99),
            "max": ordered[-1] if ordered else 0.0,
            "mean": statistics.fmean(ordered) if ordered else 0.0,
        }
        self.data["latencies"][key] = {
            name: round(value, 3) if isinstance(value, float) else value
            for name, value in summary.items()
        }
        self.stdout.write(
            f"{label}：{len(ordered)} 次，p50 {summary['p50']:.2f} ms，"
            f"p95 {summary['p95']:.2f} ms，p99 {summary['p99']:.2f} ms，"
            f"最长 {summary['max']:.2f} ms"
        )

    def percentile(self, key: str, which: int) -> float:
        return self.data["latencies"][key][f"p{which}"]

    def goal(self, label: str, met: bool, value: str) -> None:
        self.data["goals"].append({"goal": label, "met": met, "value": value})
        self.stdout.write(f"目标 {label}：{value} {'达到' if met else '未达到'}")

    def as_json(self) -> str:
        return json.dumps(self.data, ensure_ascii=False, indent=2)


def percentile(ordered: list[float], which: float) -> float:
    """The ``which``-th percentile of sorted values (nearest rank)."""
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(which / 100 * len(ordered)))
    return ordered[rank - 1]


def _database_version() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        return str(cursor.fetchone()[0])


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or sys.platform


def _memory_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1_048_576:.1f} GiB"
    except OSError:
        pass
    return "?"
