"""``jumin credit-interest --county 341125 --year 2025 [--correct "原因"] [--user NAME]``:
the year-end interest of a county (``jumin.pension.services.interest``)."""

from functools import partial

from django.core.exceptions import ValidationError

from jumin.collection.counties import county_of
from jumin.core.commands import fail
from jumin.pension.jobs import INTEREST_JOB
from jumin.pension.management.commands._county_year import CountyYearCommand
from jumin.pension.services.interest import interest_correct, interest_credit


class Command(CountyYearCommand):
    help = (
        "年终结息：按该年度现行记账利率和计息方式为本县每个个人账户记入利息（可重复运行，"
        "不会重复记息；中断后再运行会接着完成）。利率在计息后更正时加 --correct 并写明原因："
        "冲正原记息并按新利率重新计息，其后已计息的年度也一并重算。"
    )
    job_kind = INTEREST_JOB
    denied_message = "这位工作人员不能计息"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--correct", metavar="原因", help="利率更正：冲正并按现行利率重新计息")

    def handle(self, *args, county, year, user, no_progress, correct, **options):
        try:
            region = county_of(county)
        except ValidationError as error:
            raise fail(error) from None
        function = partial(interest_correct, reason=correct) if correct else interest_credit
        outcome = self.run_job(
            function, county_code=region.code, year=year, user=user, no_progress=no_progress
        )
        for run in outcome if isinstance(outcome, list) else [outcome]:
            self.stdout.write(
                f"{region.code[:6]} {run.year}年结息（第{run.round}轮，利率 {run.rate}，"
                f"{run.mode}）：{run.entry_count} 人，合计 {run.amount_sum} 元"
            )
