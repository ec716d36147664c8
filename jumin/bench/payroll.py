"""``jumin bench payroll``: the monthly payroll of a county of N pensioners.

Setup (not timed against anything): N persons from the demo generator, one active award each
(15 years, an account of 9 342.00 paying 67.21 a month, EXAMPLES E1), a basic-pension
standard from 1 January. Steps, each compared with bare SQL writing the same rows in the same
run (rolled back, then the tables vacuumed):

1. build January (the county's first payroll): ``payroll_build`` — N regular lines and N
   account debits in the ledger, chunk by chunk with the run record — against one bare
   ``INSERT ... SELECT`` of the lines and one of the debits;
2. approve (one update) and export the bank file streamed to disk (peak memory printed);
3. build February (one earlier month to check for arrears) against the same bare statements;
4. the year-end interest of the year on the same people's accounts (``jumin bench interest``'s
   ledger of two contributions each, plus the payroll's debits): ``interest_credit`` against
   one bare ``INSERT ... SELECT`` of the interest rows, per row.

Goals on PostgreSQL: build ≤ 1.5 × bare SQL, interest ≤ 1.5 × bare SQL; the process's peak
memory is printed after each export and after the interest (flat: files are streamed).
"""

import datetime
import random
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from jumin.bench.collection import _RolledBack, peak_memory_mb, per_row_ratio, table, vacuum
from jumin.core.models import Role, User
from jumin.pension.models import AccountEntry, Award, BenefitStandard, PayrollLine
from jumin.pension.services import payroll as services
from jumin.people.demo import DEFAULT_COUNTY, PeopleGenerator, county_population, ensure_regions
from jumin.people.demo.county import _Writer
from jumin.people.models import Person

GOAL_RATIO_TO_BARE = 1.5


class PayrollBench:
    name = "payroll"
    help = "待遇发放：生成、审核、导出一个月的发放表。The monthly pension payroll."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--awards", type=int, default=1_000_000, help="领取人数（默认 1000000）"
        )
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--county", default=DEFAULT_COUNTY, help="测试用的县代码，须无参保人")
        parser.add_argument("--year", type=int, default=2026, help="发放年度（默认 2026）")

    def run(self, *, report, options: dict) -> None:
        awards = options["awards"]
        if awards < 1:
            raise CommandError("--awards 至少为 1")
        county_code = options["county"]
        if any(county_population(county_code)):
            raise CommandError(f"测试县 {county_code} 已有参保人：基准测试须使用空县")
        year = options["year"]
        county, user = setup(report, county_code=county_code, awards=awards, seed=options["seed"],
                             year=year)  # fmt: skip
        with tempfile.TemporaryDirectory(prefix="jumin-bench-") as folder:
            run_steps(report, county=county, user=user, year=year, folder=Path(folder))
        run_interest(report, county=county, awards=awards, year=year)
        if connection.vendor != "postgresql":
            report.note("目标只对 PostgreSQL 考核；本次为 " + connection.vendor)
            return
        for key in ("build", "build_february", "interest"):
            value = report.data["ratios"][f"{key}/bare_{key}"]
            report.goal(
                f"{key} ≤ 裸 SQL 的 {GOAL_RATIO_TO_BARE:g} 倍",
                value <= GOAL_RATIO_TO_BARE,
                f"{value:.2f}",
            )


BENCH_AREAS = [PayrollBench()]


def prepare_in_child(awards: int, county_code: str = DEFAULT_COUNTY, year: int = 2026) -> None:
    """A county with ``awards`` pensioners for the kill-and-resume test (``jumin shell -c``)."""
    from jumin.core.audit import request_context

    with request_context():
        setup(None, county_code=county_code, awards=awards, seed=3, year=year)
    print(Award.objects.count())


def setup(report, *, county_code: str, awards: int, seed: int, year: int):
    started = time.perf_counter()
    with transaction.atomic():
        county, villages, _ = ensure_regions(county_code, seed=seed)
        user, _ = User.objects.get_or_create(
            username=f"bench_{county_code}",
            defaults={"role": Role.COUNTY_ADMIN, "region": county, "full_name": "基准测试"},
        )
        BenefitStandard.objects.get_or_create(
            region=county,
            effective_from=datetime.date(year, 1, 1),
            defaults={
                "central_minimum": Decimal("163.00"),
                "local_top_up": Decimal("0.00"),
                "extra_per_year": Decimal("1.00"),
            },
        )
    generator = PeopleGenerator(
        rng=random.Random(f"people-{seed}"), on=timezone.localdate(), county_code=county_code
    )
    with transaction.atomic():
        writer = _Writer()
        writer.write(generator.generate(villages, awards))
    make_awards(county_code=county_code, year=year, user=user)
    if report is not None:
        report.step(
            "setup", "准备：参保人和待遇（演示生成器）", awards, time.perf_counter() - started
        )
    return county, user


def make_awards(*, county_code: str, year: int, user) -> int:
    """One active award (E1's figures) per living person of the county without one."""
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    start = ops.adapt_datefield_value(datetime.date(year, 1, 1))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table(Award)} (
                person_id, village_id, kind, status, start_month, contribution_years,
                account_balance, divisor, account_pension, basic_pension, explanation,
                applied_on, applied_by_id, decided_on, suspension_reason, end_reason,
                created_at, updated_at
            )
            SELECT p.id, p.village_id, 'normal', 'active', %s, 15 + p.id %% 5, 9342.00, 139,
                   67.21, 163.00, '[]', %s, %s, %s, '', '', %s, %s
            FROM {table(Person)} p
            WHERE p.village_id LIKE %s AND p.death_date IS NULL
              AND NOT EXISTS (SELECT 1 FROM {table(Award)} a WHERE a.person_id = p.id)
            """,
            [start, start, user.pk, start, now, now, county_code[:6] + "%"],
        )
        made = cursor.rowcount
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return made


def _bare(month: datetime.date, prefix: str) -> tuple[float, int]:
    """Bare SQL of the same rows: the lines, then the debits, rolled back."""
    ops = connection.ops
    month_db = ops.adapt_datefield_value(month)
    now = ops.adapt_datetimefield_value(timezone.now())
    seconds = rows = 0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            from jumin.pension.models import Payroll

            payroll = Payroll.objects.create(
                region_id=prefix + "000000", month=month.replace(year=1990)
            )
            started = time.perf_counter()
            cursor.execute(
                f"""
                INSERT INTO {table(PayrollLine)} (payroll_id, award_id, person_id, village_id,
                    month_for, kind, basic, account_part, from_account, total, status,
                    retry_of_id, bank_reason)
                SELECT %s, a.id, a.person_id, a.village_id, %s, 'regular', 163.00,
                       a.account_pension, a.account_pension, 163.00 + a.account_pension,
                       'pending', NULL, ''
                FROM {table(Award)} a WHERE a.status = 'active' AND a.village_id LIKE %s
                """,
                [payroll.pk, month_db, prefix + "%"],
            )
            rows = cursor.rowcount
            cursor.execute(
                f"""
                INSERT INTO {table(AccountEntry)} (person_id, village_id, year, source, amount,
                    booked_on, payroll_line_id, reason, created_at)
                SELECT l.person_id, l.village_id, %s, 'pension_paid', -l.from_account, %s, l.id,
                       '', %s
                FROM {table(PayrollLine)} l WHERE l.payroll_id = %s
                """,
                [month.year, month_db, now, payroll.pk],
            )
            seconds = time.perf_counter() - started
            raise _RolledBack
    except _RolledBack:
        pass
    return seconds, rows


def run_steps(report, *, county, user, year: int, folder: Path) -> None:
    prefix = county.code[:6]
    for key, month in (
        ("build", datetime.date(year, 1, 1)),
        ("build_february", datetime.date(year, 2, 1)),
    ):
        seconds, rows = _bare(month, prefix)
        report.step(f"bare_{key}", f"裸 SQL：{month:%Y-%m} 明细和账户支出", rows, seconds)
        vacuum(PayrollLine, AccountEntry, Award)
        started = time.perf_counter()
        payroll = services.payroll_build(acting_user=None, region_code=county.code, month=month)
        report.step(
            key, f"生成 {month:%Y-%m} 发放表", payroll.line_count, time.perf_counter() - started
        )
        report.ratio(key, f"bare_{key}", f"{month:%Y-%m} 生成 / 裸 SQL")
        started = time.perf_counter()
        payroll = services.payroll_approve(acting_user=None, payroll=payroll)
        path = folder / f"{payroll.key}.csv"
        with path.open("wb") as out:
            services.payroll_export(acting_user=None, payroll=payroll, out=out)
        report.step(
            f"export_{key}",
            f"审核并导出 {month:%Y-%m} 银行文件（{path.stat().st_size / 1_048_576:.1f} MB）",
            payroll.line_count,
            time.perf_counter() - started,
        )
        report.note(f"进程内存峰值：{peak_memory_mb():.0f} MB")
        vacuum(PayrollLine, AccountEntry, Award)


def run_interest(report, *, county, awards: int, year: int) -> None:
    """The year-end interest of ``year`` on the same accounts, against bare SQL, per row."""
    from jumin.bench import interest as bench_interest
    from jumin.pension.services.interest import interest_credit

    bench_interest.write_ledger(report, county=county, accounts=awards, year=year, mode="A")
    vacuum(AccountEntry)
    bench_interest.step_bare(report, county_code=county.code[:6], year=year)
    report.data["steps"]["bare_interest"] = report.data["steps"]["bare"]
    vacuum(AccountEntry)
    started = time.perf_counter()
    run = interest_credit(acting_user=None, region_code=county.code, year=year)
    report.step(
        "interest", f"{year} 年终结息（interest_credit）", run.entry_count,
        time.perf_counter() - started,
    )  # fmt: skip
    per_row_ratio(report, "interest", "bare_interest", f"{year} 年终结息 ÷ 裸 SQL")
    report.note(f"进程内存峰值：{peak_memory_mb():.0f} MB")
