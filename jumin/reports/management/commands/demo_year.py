"""``jumin demo-year --county 341125 --year 2026 --seed 2026 [--if-empty]``: a demo
collection year on the demo county (see ``jumin.reports.demo``)."""

import datetime
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jumin.core.audit import request_context
from jumin.core.commands import county_argument
from jumin.reports.demo import demo_year


class Command(BaseCommand):
    help = (
        "在演示县上生成一个征缴年度：缴费方案、参保登记（含待审核）、缴费档次、乡镇任务数、"
        "票据本发放到村，再经各项业务办理到“今天”：银行代扣、现金开票、缴存和核对、银行对账单、"
        "对账、记账；同一种子结果相同，重复运行不会重复生成。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--county",
            type=county_argument,
            default="341125",
            help="6位县级区划代码（默认 341125）",
        )
        parser.add_argument("--year", type=int, required=True, help="征缴年度，例如 2026")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
        parser.add_argument(
            "--if-empty", action="store_true", help="该县已有参保登记时什么都不做（不报错）"
        )
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            default=None,
            help="演示的“今天”（默认：系统日期在该年度内时为系统日期，否则为该年11月15日）",
        )
        parser.add_argument(
            "--without-collection",
            action="store_true",
            help="只生成到应缴记录，不办理代扣、开票、缴存、对账和记账",
        )

    def handle(
        self, *args, county, year, seed, if_empty, no_progress, today, without_collection, **options
    ):
        if not 2000 <= year <= 2100:
            raise CommandError("--year 应为2000至2100之间的年份")
        from tqdm import tqdm

        started = time.monotonic()
        with tqdm(unit="人", disable=no_progress, desc="参保登记") as bar:
            with request_context():
                try:
                    result = demo_year(
                        county_code=county,
                        year=year,
                        seed=seed,
                        if_empty=if_empty,
                        progress_bar=bar,
                        today=today,
                        collection=not without_collection,
                    )
                except ValidationError as error:
                    raise CommandError("；".join(error.messages)) from error
        if result.skipped:
            self.stdout.write(f"{result.county.name}（{county}）已有参保登记，未生成演示征缴年度。")
            return
        seconds = time.monotonic() - started
        self.stdout.write(
            f"{result.county.name}{year}年演示征缴年度："
            f"{'新建缴费方案，' if result.plan_created else ''}"
            f"新增参保登记 正常缴费 {result.paying} 人、领取待遇 {result.receiving} 人、"
            f"待审核 {result.pending} 人（变动记录 {result.events} 条），缴费档次 "
            f"{result.grade_choices} 条，存折开户行 {result.passbook_banks} 人，乡镇任务 "
            f"{result.targets} 个，票据本 {result.books} 本；演示的今天 {result.today}；"
            f"用时 {seconds:.1f} 秒。"
        )
        for note in result.notes:
            self.stdout.write(f"  {note}")
