"""``jumin post-contributions --county 341125 --year 2026 [--user NAME]``: post to accounts."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jumin.collection.jobs_posting import POSTING_JOB
from jumin.collection.management.commands._collection_cli import acting_user, fail
from jumin.collection.posting import post_confirmed
from jumin.collection.statements import county_of
from jumin.core.jobs import cli_progress
from jumin.core.models import JobRun


class Command(BaseCommand):
    help = (
        "把一个县某年度已核对（confirmed）的应缴记入个人账户，按来源分别记账"
        "（个人缴费/补缴/政府代缴、省市县补贴、集体补助）。可重复运行，不会重复记账。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--county", required=True, help="县级区划代码（6位），如 341125")
        parser.add_argument("--year", type=int, required=True, help="缴费年度，如 2026")
        parser.add_argument("--user", help="以这位工作人员的身份运行（默认：系统）")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, county, year, user, no_progress, **options):
        try:
            region = county_of(county)
        except ValidationError as error:
            raise fail(error) from None
        with transaction.atomic():
            run = JobRun.objects.create(
                kind=POSTING_JOB, region=region, created_by=acting_user(user), params={"year": year}
            )
        progress = cli_progress(run, disable=no_progress)
        try:
            posting = post_confirmed(
                acting_user=run.created_by, region_code=region.code, year=year, progress=progress
            )
        except ValidationError as error:
            progress.fail("；".join(error.messages))
            raise fail(error) from None
        except PermissionDenied as error:
            progress.fail("没有权限")
            raise CommandError("这位工作人员不能记账") from error
        self.stdout.write(
            f"{region.code[:6]} {year}年：记账 {posting.due_count} 笔应缴，"
            f"新增个人账户记录 {posting.entry_count} 条，合计 {posting.amount_sum} 元"
        )
