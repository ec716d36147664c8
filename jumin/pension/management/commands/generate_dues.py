"""``jumin generate-dues --county 341125 --year 2026 [--user NAME]``: the yearly dues job."""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from jumin.collection.counties import county_code_of
from jumin.core.commands import fail
from jumin.core.models import Region
from jumin.pension.jobs import DUES_JOB
from jumin.pension.management.commands._county_year import CountyYearCommand
from jumin.pension.services.dues import dues_generate


class Command(CountyYearCommand):
    help = (
        "生成一个县某年度的应缴记录：正常缴费参保人的个人缴费，截止日特殊群体身份有效者的"
        "政府代缴。可重复运行，只补上还没有的记录。"
    )
    job_kind = DUES_JOB
    denied_message = "这位工作人员不能生成应缴记录"

    def handle(self, *args, county, year, user, no_progress, **options):
        try:
            code = county_code_of(county)
        except ValidationError as error:
            raise fail(error) from None
        if not Region.objects.filter(code=code).exists():
            raise CommandError(f"没有这个区划代码：{county}")
        generation = self.run_job(
            dues_generate, county_code=code, year=year, user=user, no_progress=no_progress
        )
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
