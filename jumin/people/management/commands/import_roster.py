"""``jumin import-roster FILE --mode all-or-nothing|valid-only [--user NAME | --region CODE]``."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from jumin.core import jobs
from jumin.core.models import Region, User
from jumin.people.formats.roster import file_facts
from jumin.people.formats.roster_workbooks import errors_path
from jumin.people.models import RosterImport
from jumin.people.services.roster_import_batch import JOB_KIND, OUTCOME_IMPORTED, import_roster_file
from jumin.people.services.roster_imports import natural_key

MODES = {
    "all-or-nothing": RosterImport.Mode.ALL_OR_NOTHING,
    "valid-only": RosterImport.Mode.VALID_ONLY,
}
ERRORS_PRINTED = 20


class Command(BaseCommand):
    help = (
        "导入花名册（.xlsx 或 .csv，UTF-8 或 GB18030）。先检查全部行再写入；"
        "all-or-nothing：有任何错误就什么都不导入（退出码 1）；valid-only：只导入正确的行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="花名册文件（.xlsx 或 .csv）")
        parser.add_argument(
            "--mode",
            choices=sorted(MODES),
            required=True,
            help="all-or-nothing：全部正确才导入；valid-only：只导入正确的行",
        )
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--user", help="以这位工作人员的身份和管辖范围导入")
        who.add_argument("--region", help="系统导入：只导入这个区划代码范围内的村（社区）")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, file: Path, mode: str, user, region, no_progress, **options):
        if not file.is_file():
            raise CommandError(f"找不到文件：{file}")
        acting_user, import_region = self._who(user, region)
        facts = file_facts(file)
        # the same file for the same region and mode is imported by one process at a time;
        # an import whose process died is marked interrupted and done again from the start
        try:
            run = jobs.start_here(
                kind=JOB_KIND,
                natural_key=natural_key(
                    region_code=import_region.code, mode=MODES[mode], sha256=facts.sha256
                ),
                region_id=import_region.code,
                acting_user=acting_user,
                params={},
            )
        except jobs.JobBusy as busy:
            raise CommandError(busy.message, returncode=1) from None
        with jobs.leased(run, cli=True, no_progress=no_progress) as progress:
            try:
                roster_import = import_roster_file(
                    file,
                    acting_user=acting_user,
                    region=import_region,
                    mode=MODES[mode],
                    progress=progress,
                    file_name=file.name,
                    facts=facts,
                )
            except PermissionDenied as error:
                message = "这位工作人员不能导入花名册，或区划不在其管辖范围内"
                progress.fail(message)
                raise CommandError(message) from error
        run.refresh_from_db()
        self.stdout.write(run.message)
        self._print_errors(roster_import)
        if run.result.get("outcome") != OUTCOME_IMPORTED:
            raise CommandError("没有导入任何数据", returncode=1)

    def _who(self, username, region_code):
        if username:
            acting_user = User.objects.select_related("region").filter(username=username).first()
            if acting_user is None or not acting_user.is_active:
                raise CommandError(f"没有这位工作人员：{username}")
            if acting_user.region is None:
                raise CommandError(f"工作人员 {username} 没有分配管辖区域")
            return acting_user, acting_user.region
        found = Region.objects.filter(code=region_code).first()
        if found is None:
            raise CommandError(f"没有这个区划代码：{region_code}")
        return None, found

    def _print_errors(self, roster_import: RosterImport) -> None:
        if not roster_import.rows_rejected and not roster_import.errors:
            return
        for error in roster_import.errors[:ERRORS_PRINTED]:
            where = f"第{error['row']}行" if error["row"] else "文件"
            column = f"【{error['column']}】" if error["column"] else ""
            self.stdout.write(f"  {where}{column}：{error['message']}")
        path = errors_path(roster_import.pk)
        if path.exists():
            self.stdout.write(f"全部错误见：{path}")
