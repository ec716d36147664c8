"""``jumin generate-dues --county 341125 --year 2026 [--user NAME]``: the yearly dues job."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jumin.collection.dues import county_code_of, dues_generate
from jumin.collection.jobs import DUES_JOB
from jumin.collection.management.commands._collection_cli import acting_user, fail
from jumin.core.jobs import cli_progress
from jumin.core.models import JobRun, Region


class Command(BaseCommand):
    help = (
        "生成一个县某年度的应缴记录：正常缴费参保人的个人缴费，截止日特殊群体身份有效者的"
        "政府代缴。可重复运行，只补上还没有的记录。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--county", required=True, help="县级区划代码（6位），如 341125")
        parser.add_argument("--year", type=int, required=True, help="缴费年度，如 2026")
        parser.add_argument("--user", help="以这位工作人员的身份运行（默认：系统）")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, county, year, user, no_progress, **options):
        try:
            code = county_code_of(county)
        except ValidationError as error:
            raise fail(error) from None
        if not Region.objects.filter(code=code).exists():
            raise CommandError(f"没有这个区划代码：{county}")
        with transaction.atomic():
            run = JobRun.objects.create(
                kind=DUES_JOB, region_id=code, created_by=acting_user(user), params={"year": year}
            )
        progress = cli_progress(run, disable=no_progress)
        try:
            generation = dues_generate(
                acting_user=run.created_by, region_code=code, year=year, progress=progress
            )
        except ValidationError as error:
            progress.fail("；".join(error.messages))
            raise fail(error) from None
        except PermissionDenied as error:
            progress.fail("没有权限")
            raise CommandError("这位工作人员不能生成应缴记录") from error
        result = generation.result
        self.stdout.write(
            f"{code[:6]} {year}年：新生成个人缴费 {result['personal_created']} 条，"
            f"政府代缴 {result['government_paid_created']} 条；"
            f"本县该年度应缴记录共 {result['dues_total']} 条"
        )
        if result["conflicts"]:
            self.stdout.write(
                f"注意：{result['conflicts']} 人符合政府代缴但已有个人缴费记录，未生成代缴"
            )
        if result["grade_not_in_plan"]:
            self.stdout.write(
                f"注意：{result['grade_not_in_plan']} 人选择的档次不在缴费方案中，未生成应缴记录"
            )
