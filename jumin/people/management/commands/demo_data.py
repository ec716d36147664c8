"""``jumin demo-data --county 341125 --people 3000 --seed 2026 [--if-empty]``: the demo county.

Builds the region tree (if the county has no villages yet), households, persons, special
statuses, suspected duplicates and one login per role, in one transaction. The same seed on the
same day gives the same data. See ``jumin.people.demo``.
"""

import datetime
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jumin.core.audit import request_context
from jumin.core.commands import county_argument
from jumin.people.demo import CountyNotEmpty, county_population, demo_generate


class Command(BaseCommand):
    help = (
        "生成演示县：乡镇、村、户、参保人（有效身份证号）、特殊群体和各角色的演示账号。"
        "Build a demo county; the same seed gives the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--county",
            type=county_argument,
            default="341125",
            help="6位县级区划代码（默认 341125）",
        )
        parser.add_argument("--people", type=int, default=3000, help="参保人数（默认 3000）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
        parser.add_argument(
            "--if-empty", action="store_true", help="该县已有参保人时什么都不做（不报错）"
        )
        parser.add_argument(
            "--on",
            type=datetime.date.fromisoformat,
            default=None,
            help="计算年龄所依据的日期（默认今天），例如 2026-01-01",
        )
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, county, people, seed, if_empty, on, no_progress, **options):
        if people < 0:
            raise CommandError("--people 不能是负数")
        from tqdm import tqdm

        if if_empty and county_population(county)[0]:
            self.stdout.write(f"{county} 已有参保人，未生成演示数据。")
            return
        started = time.monotonic()
        with tqdm(total=people, unit="人", disable=no_progress, desc="生成演示数据") as bar:
            with request_context():
                try:
                    result = demo_generate(
                        county_code=county,
                        people=people,
                        seed=seed,
                        on=on,
                        if_empty=if_empty,
                        progress=bar,
                    )
                except CountyNotEmpty as error:
                    raise CommandError(error.message) from error
                except ValidationError as error:
                    raise CommandError("；".join(error.messages)) from error
                except ValueError as error:
                    raise CommandError(str(error)) from error
        if not result.created:
            self.stdout.write(
                f"{result.county.name}（{county}）已有 {result.existing_persons} 名参保人，"
                "未生成演示数据。"
            )
            return
        seconds = time.monotonic() - started
        self.stdout.write(
            f"已生成 {result.county.name}（{county}）：{result.villages} 个村（社区），"
            f"{result.households} 户，{result.persons} 人（其中疑似重复登记 "
            f"{result.duplicates} 人），特殊群体身份 {result.statuses} 条；"
            f"用时 {seconds:.1f} 秒。登录账号见 jumin demo-logins。"
        )
