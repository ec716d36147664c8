"""The base of the pension's county-year commands (``generate-dues``, ``post-contributions``)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from jumin.core import jobs
from jumin.core.commands import acting_user, fail
from jumin.pension.jobs import county_year_key


class CountyYearCommand(BaseCommand):
    """A command that runs one county-year job in the foreground with a progress bar:
    ``--county CODE --year YEAR [--user NAME] [--no-progress]``."""

    job_kind = ""
    denied_message = "这位工作人员不能做这项工作"

    def add_arguments(self, parser):
        parser.add_argument("--county", required=True, help="县级区划代码（6位），如 341125")
        parser.add_argument("--year", type=int, required=True, help="缴费年度，如 2026")
        parser.add_argument("--user", help="以这位工作人员的身份运行（默认：系统）")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def run_job(self, function, *, county_code: str, year: int, user, no_progress: bool):
        """``function(acting_user=, region_code=, year=, progress=)`` as a recorded job, held
        by this process: refused while the same county-year job runs elsewhere (queued from
        the web, another command); a dead earlier run is marked interrupted and this one
        finishes its work."""
        try:
            run = jobs.start_here(
                kind=self.job_kind,
                natural_key=county_year_key(county_code, year),
                region_id=county_code,
                acting_user=acting_user(user),
                params={"year": year},
            )
        except jobs.JobBusy as busy:
            raise CommandError(busy.message, returncode=1) from None
        with jobs.leased(run, cli=True, no_progress=no_progress) as progress:
            try:
                return function(
                    acting_user=run.created_by,
                    region_code=county_code,
                    year=year,
                    progress=progress,
                )
            except ValidationError as error:
                progress.fail("；".join(error.messages))
                raise fail(error) from None
            except PermissionDenied as error:
                progress.fail("没有权限")
                raise CommandError(self.denied_message) from error
