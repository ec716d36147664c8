"""``jumin import-employee-list FILE --region 341125``: the employee-scheme member list.

Checks every row first; a file with any error imports nothing (exit code 1) and the errors
are printed with row and column. Afterwards it lists the enrolled residents found on the
list (已参加职保的城乡居保参保人员) so the county can pause or close them.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jumin.core import jobs
from jumin.core.audit import request_context
from jumin.core.models import Region
from jumin.core.text import is_ascii_digits
from jumin.pension.models import ACTIVE_STATUSES, EmployeeSchemeMember, Enrolment
from jumin.pension.registry import PensionAction
from jumin.pension.services.employee_list import import_employee_list

JOB_KIND = PensionAction.EMPLOYEE_LIST_IMPORT
ERRORS_PRINTED = 50
CONFLICTS_PRINTED = 50


def region_code_from(text: str) -> str:
    """``341125`` → ``341125000000``: a short code is padded to the 12-digit statistical code."""
    text = (text or "").strip()
    if not is_ascii_digits(text) or len(text) > 12:
        raise CommandError(f"区划代码应为数字（最多12位）：{text}")
    return text.ljust(12, "0")


class Command(BaseCommand):
    help = (
        "导入职工养老保险参保名单（.xlsx 或 .csv，UTF-8 或 GB18030；列：身份证号、姓名、"
        "参保单位、参保日期）。有任何错误就不导入（退出码 1）；同一文件再导入不改变任何数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="名单文件（.xlsx 或 .csv）")
        parser.add_argument("--region", required=True, help="导入区划代码，例如 341125")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, file: Path, region: str, no_progress: bool, **options):
        if not file.is_file():
            raise CommandError(f"找不到文件：{file}")
        code = region_code_from(region)
        found = Region.objects.filter(code=code).first()
        if found is None:
            raise CommandError(f"没有这个区划代码：{region}")
        try:
            # one import of a region's list at a time (natural key: the region)
            run = jobs.start_here(
                kind=JOB_KIND,
                natural_key=code,
                region_id=code,
                acting_user=None,
                params={"file_name": file.name},
            )
        except jobs.JobBusy as busy:
            raise CommandError(busy.message, returncode=1) from None
        with jobs.leased(run, cli=True, no_progress=no_progress) as progress, request_context():
            result = import_employee_list(
                file, acting_user=None, region_code=code, file_name=file.name, progress=progress
            )
        self.stdout.write(result.summary())
        if result.errors:
            for error in result.errors[:ERRORS_PRINTED]:
                where = f"第{error['row']}行" if error["row"] else "文件"
                column = f"【{error['column']}】" if error["column"] else ""
                self.stdout.write(f"  {where}{column}：{error['message']}")
            if len(result.errors) > ERRORS_PRINTED:
                self.stdout.write(f"  ……另有{len(result.errors) - ERRORS_PRINTED}处错误")
            raise CommandError("没有导入任何数据", returncode=1)
        conflicts = (
            Enrolment.objects.filter(
                status__in=ACTIVE_STATUSES,
                person__village__pk__startswith=found.prefix,  # where they live now
                person__id_number__in=EmployeeSchemeMember.objects.values("id_number"),
            )
            .select_related("person", "person__village")
            .order_by("person__village_id", "pk")
        )
        total = conflicts.count()
        self.stdout.write(f"已参加职保的城乡居保参保人员：{total}人")
        for enrolment in conflicts[:CONFLICTS_PRINTED]:
            self.stdout.write(
                f"  {enrolment.person.village.name} {enrolment.person.name} "
                f"{enrolment.person.id_number} {enrolment.get_status_display()}"
            )
        if total > CONFLICTS_PRINTED:
            self.stdout.write(f"  ……共{total}人，请在“职保名单”页面查看全部并暂停或注销")
