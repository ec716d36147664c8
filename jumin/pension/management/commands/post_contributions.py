"""``jumin post-contributions --county 341125 --year 2026 [--user NAME]``: post to accounts."""

from django.core.exceptions import ValidationError

from jumin.collection.counties import county_of
from jumin.core.commands import fail
from jumin.pension.jobs import POSTING_JOB
from jumin.pension.management.commands._county_year import CountyYearCommand
from jumin.pension.services.posting import post_confirmed


class Command(CountyYearCommand):
    help = (
        "把一个县某年度已核对（confirmed）的应缴记入个人账户，按来源分别记账"
        "（个人缴费/补缴/政府代缴、省市县补贴、集体补助）。可重复运行，不会重复记账。"
    )
    job_kind = POSTING_JOB
    denied_message = "这位工作人员不能记账"

    def handle(self, *args, county, year, user, no_progress, **options):
        try:
            region = county_of(county)
        except ValidationError as error:
            raise fail(error) from None
        posting = self.run_job(
            post_confirmed, county_code=region.code, year=year, user=user, no_progress=no_progress
        )
        self.stdout.write(
            f"{region.code[:6]} {year}年：记账 {posting.due_count} 笔应缴，"
            f"新增个人账户记录 {posting.entry_count} 条，合计 {posting.amount_sum} 元"
        )
