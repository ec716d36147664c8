"""``jumin build-payroll --county 341125 --month 2026-03 [--user NAME]``: build a payroll."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from jumin.collection.counties import county_of
from jumin.core import jobs
from jumin.core.commands import acting_user, fail
from jumin.pension.jobs import PAYROLL_JOB, payroll_key
from jumin.pension.services.payroll import parse_month, payroll_build


class Command(BaseCommand):
    help = (
        "生成一个县某月的待遇发放表（当月待遇、补发、失败重发），未认证的暂停发放。"
        "可重复运行：中断后再次运行会接着完成，不会重复发放。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--county", required=True, help="县级区划代码（6位），如 341125")
        parser.add_argument("--month", required=True, help="发放月份，如 2026-03")
        parser.add_argument("--user", help="以这位工作人员的身份运行（默认：系统）")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, county, month, user, no_progress, **options):
        try:
            region = county_of(county)
            month = parse_month(month)
        except ValidationError as error:
            raise fail(error) from None
        try:
            run = jobs.start_here(
                kind=PAYROLL_JOB,
                natural_key=payroll_key(region.code, month),
                region_id=region.code,
                acting_user=acting_user(user),
                params={"month": f"{month:%Y-%m}"},
            )
        except jobs.JobBusy as busy:
            raise CommandError(busy.message, returncode=1) from None
        with jobs.leased(run, cli=True, no_progress=no_progress) as progress:
            try:
                payroll = payroll_build(
                    acting_user=run.created_by,
                    region_code=region.code,
                    month=month,
                    progress=progress,
                )
            except ValidationError as error:
                progress.fail("；".join(error.messages))
                raise fail(error) from None
            except PermissionDenied as error:
                progress.fail("没有权限")
                raise CommandError("这位工作人员不能生成发放表") from error
        self.stdout.write(
            f"{region.code[:6]} {month:%Y-%m}：发放 {payroll.line_count} 笔，"
            f"合计 {payroll.amount_sum} 元"
        )
