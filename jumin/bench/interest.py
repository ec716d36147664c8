"""``jumin bench interest --accounts 1000000``: the year-end interest on a county's accounts
against a bare ``INSERT … SELECT`` of the same rows, in the same run.

Setup: the accounts' people (the demo generator) and a ledger of two entries each, one
booked the year before (the opening balance) and one during the year, written set-based;
the crediting rate of the year (1.5 %, the mode given).

1. Bare SQL (rolled back): one ``INSERT … SELECT`` grouping the ledger by person and writing
   each one's interest row, ``ROUND(opening × rate, 2)``: no run record, no chunks, no
   natural key, no audit.
2. ``interest_credit``, the job itself: chunks of person ids, the whole-fen arithmetic of the
   rule in all three modes, the unique key per person and run, the run record and the audit.
3. The same job again: adds nothing (it is checked), and its time is shown.

The ratio is per row (seconds per interest entry). The goal on PostgreSQL: ≤ 1.5 × bare.
"""

import datetime
import random
import time
from decimal import Decimal

from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from jumin.bench.collection import peak_memory_mb, per_row_ratio, rolled_back, table, vacuum
from jumin.core.models import Role, User
from jumin.pension.models import AccountEntry, CreditingMode, EntrySource, InterestRate
from jumin.pension.services.interest import interest_credit
from jumin.people.demo import DEFAULT_COUNTY, PeopleGenerator, county_population, ensure_regions
from jumin.people.demo.county import _Writer
from jumin.people.models import Person

GOAL_RATIO_TO_BARE = 1.5
RATE = Decimal("0.015")


class InterestBench:
    name = "interest"
    help = "年终结息：全县个人账户计息与裸 SQL 对比。Year-end interest."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--accounts", type=int, default=1_000_000, help="账户数（默认 1000000）"
        )
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--county", default=DEFAULT_COUNTY, help="测试用的县代码，须无参保人")
        parser.add_argument("--year", type=int, default=2025, help="计息年度（默认 2025）")
        parser.add_argument("--mode", choices=CreditingMode.values, default="A", help="计息方式")

    def run(self, *, report, options: dict) -> None:
        accounts = options["accounts"]
        if accounts < 1:
            raise CommandError("--accounts 至少为 1")
        county_code, year = options["county"], options["year"]
        persons, households = county_population(county_code)
        if persons or households:
            raise CommandError(
                f"测试县 {county_code} 已有 {persons} 名参保人：基准测试须使用空县。"
                "请去掉 --in-place（使用专用测试库），或用 --county 换一个县。"
            )
        county = setup(
            report,
            county_code=county_code,
            accounts=accounts,
            seed=options["seed"],
            year=year,
            mode=options["mode"],
        )
        vacuum(AccountEntry, Person)
        step_bare(report, county_code=county_code, year=year)
        vacuum(AccountEntry)
        started = time.perf_counter()
        run = interest_credit(acting_user=None, region_code=county.code, year=year)
        report.step(
            "interest",
            "2 年终结息（interest_credit）",
            run.entry_count,
            time.perf_counter() - started,
        )
        report.note(f"  {run.entry_count:,} 人，利息合计 {run.amount_sum} 元")
        ratio = per_row_ratio(report, "interest", "bare", "2 年终结息 ÷ 裸 SQL")
        started = time.perf_counter()
        again = interest_credit(acting_user=None, region_code=county.code, year=year)
        added = AccountEntry.objects.filter(
            interest_run=again, created_at__gt=run.finished_at
        ).count()
        report.step("rerun", "3 再运行一次（不新增）", added, time.perf_counter() - started)
        if added:
            raise CommandError(f"再运行新增了 {added} 条利息记录")
        report.note(f"进程峰值内存 {peak_memory_mb():,.0f} MB")
        if connection.vendor != "postgresql":
            report.note("目标只对 PostgreSQL 考核；本次为 " + connection.vendor)
        else:
            report.goal(
                f"年终结息 ≤ 裸 SQL 的 {GOAL_RATIO_TO_BARE:g} 倍",
                ratio <= GOAL_RATIO_TO_BARE,
                f"{ratio:.2f}",
            )


BENCH_AREAS = [InterestBench()]


class _Quiet:
    """A report that keeps nothing (the preparation of a test in a child process)."""

    def step(self, *args, **kwargs) -> None:
        pass

    def note(self, *args, **kwargs) -> None:
        pass


def prepare_in_child(accounts: int, county_code: str = DEFAULT_COUNTY, year: int = 2025) -> None:
    """A county with ``accounts`` accounts and the year's rate, for the kill-and-resume test
    (``jumin shell -c``)."""
    from jumin.core.audit import request_context

    with request_context():
        setup(_Quiet(), county_code=county_code, accounts=accounts, seed=3, year=year, mode="C")
    print(Person.objects.count())


def setup(report, *, county_code: str, accounts: int, seed: int, year: int, mode: str):
    started = time.perf_counter()
    with transaction.atomic():
        county, villages, _ = ensure_regions(county_code, seed=seed)
        User.objects.get_or_create(
            username=f"bench_{county_code}",
            defaults={"role": Role.COUNTY_ADMIN, "region": county, "full_name": "基准测试"},
        )
    generator = PeopleGenerator(
        rng=random.Random(f"people-{seed}"), on=timezone.localdate(), county_code=county_code
    )
    with transaction.atomic():
        _Writer().write(generator.generate(villages, accounts))
    report.step(
        "setup_persons", "准备：参保人（演示生成器）", accounts, time.perf_counter() - started
    )
    write_ledger(report, county=county, accounts=accounts, year=year, mode=mode)
    report.note(
        f"测试县：{county.name}（{county_code}），{accounts:,} 个账户，{year} 年，方式 {mode}"
    )
    return county


def write_ledger(report, *, county, accounts: int, year: int, mode: str) -> None:
    """Two contributions per person of the county (the year before and during the year), and
    the crediting rate of the year."""
    started = time.perf_counter()
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        for booked, amount in (
            (datetime.date(year - 1, 3, 15), "(200 + (p.id %% 7) * 100)"),
            (datetime.date(year, 5, 20), "(100 + (p.id %% 5) * 50)"),
        ):
            cursor.execute(
                f"""
                INSERT INTO {table(AccountEntry)} (person_id, village_id, year, source, amount,
                    booked_on, movement, reason, created_at)
                SELECT p.id, p.village_id, %s, %s, {amount}, %s, '', '', %s
                FROM {table(Person)} p WHERE p.village_id LIKE %s
                """,
                [
                    booked.year,
                    EntrySource.PERSONAL.value,
                    ops.adapt_datefield_value(booked),
                    now,
                    county.code[:6] + "%",
                ],
            )
        InterestRate.objects.update_or_create(
            region=county, year=year, defaults={"rate": RATE, "mode": mode}
        )
    report.step(
        "setup_ledger",
        "准备：个人账户记录（每人 2 条）",
        accounts * 2,
        time.perf_counter() - started,
    )


def step_bare(report, *, county_code: str, year: int) -> None:
    ops = connection.ops
    jan1 = ops.adapt_datefield_value(datetime.date(year, 1, 1))
    dec31 = ops.adapt_datefield_value(datetime.date(year, 12, 31))
    now = ops.adapt_datetimefield_value(timezone.now())

    def bare(cursor) -> int:
        cursor.execute(
            f"""
            INSERT INTO {table(AccountEntry)} (person_id, village_id, year, source, amount,
                booked_on, movement, reason, created_at)
            SELECT e.person_id, p.village_id, %s, %s, ROUND(SUM(e.amount) * %s, 2), %s, '', '', %s
            FROM {table(AccountEntry)} e JOIN {table(Person)} p ON p.id = e.person_id
            WHERE e.booked_on < %s AND p.village_id LIKE %s
            GROUP BY e.person_id, p.village_id
            """,
            [year, EntrySource.INTEREST.value, RATE, dec31, now, jan1, county_code + "%"],
        )
        return cursor.rowcount

    seconds, rows = rolled_back(bare)
    report.step("bare", "1 裸 SQL：INSERT … SELECT 每人一条利息", rows, seconds)
