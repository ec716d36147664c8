"""``jumin load-regions``: the county tree from the national code list, townships and
villages from a file.

jumin load-regions --county 341125            安徽省 → 滁州市 → 定远县 from python-stdnum
jumin load-regions --county 34                every county of the province that exists today
jumin load-regions --file 乡镇村.xlsx          townships and villages (区划代码,名称[,生效日期,失效日期])

Both can be run again: what is already there is left alone, renames become updates. Every
change is in the audit trail, recorded as done by the system.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jumin.core.audit import request_context
from jumin.core.services import regions


class Command(BaseCommand):
    help = "载入行政区划：县级以上来自国家区划代码表，乡镇和村来自文件。Load regions."

    def add_arguments(self, parser):
        parser.add_argument(
            "--county",
            action="append",
            default=[],
            metavar="CODE",
            help="县（6位）、市（4位）或省（2位）代码，可重复，例如 --county 341125",
        )
        parser.add_argument(
            "--file", default="", help="乡镇和村的 Excel（.xlsx）或 CSV 文件：区划代码,名称"
        )

    def handle(self, *args, county, file, **options):
        if not county and not file:
            raise CommandError("请给出 --county 代码 或 --file 文件")
        with request_context():
            if county:
                self.load_counties(county)
            if file:
                self.import_file(file)

    def load_counties(self, codes):
        try:
            result = regions.load_counties(province_or_county_codes=codes)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from error
        self.stdout.write(
            f"县级区划：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}"
        )

    def import_file(self, path):
        result = regions.import_regions_file(path, acting_user=None, file_name=path)
        if not result.ok:
            for error in result.errors:
                where = f"第 {error.row} 行" if error.row else "文件"
                self.stderr.write(f"{where}［{error.field}］{error.message}")
            raise CommandError(f"文件有 {len(result.errors)} 处错误，什么都没有导入")
        self.stdout.write(
            f"乡镇和村：共 {result.rows} 行，新增 {result.created}，"
            f"更新 {result.updated}，未变 {result.unchanged}"
        )
