"""``jumin seed_plans --year 2026 --region 340000000000 [--file plan.json]``

Creates the year's contribution plan for a region from a JSON file (default: the national
12 grades in ``jumin/pension/data/default_plan.json``). Run again: an existing plan is kept.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jumin.core.audit import request_context
from jumin.pension.services import plans as services


class Command(BaseCommand):
    help = "按文件建立某年某区划的缴费方案。Seed a contribution plan."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="年度，例如 2026")
        parser.add_argument("--region", required=True, help="12位区划代码，例如 340000000000")
        parser.add_argument("--file", default=str(services.DEFAULT_PLAN_FILE), help="方案文件")

    def handle(self, *args, year, region, file, **options):
        try:
            data = services.plan_data_from_file(file)
        except (OSError, ValueError) as error:
            raise CommandError(f"方案文件无法读取：{error}") from None
        with request_context():
            try:
                plan, created = services.plan_seed(
                    actor=None, year=year, region_code=region, data=data
                )
            except (ValidationError, KeyError) as error:
                messages = getattr(error, "messages", None) or [f"缺少字段 {error}"]
                raise CommandError("；".join(messages)) from None
        verb = "已建立" if created else "已存在，未改动"
        self.stdout.write(f"{plan}：{verb}（{plan.grades.count()}个档次）")
