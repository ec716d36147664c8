"""``jumin import-bank-statement FILE --county 341125 --bank 农商行``: the agency's statement."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from jumin.collection.services.statements import statement_import
from jumin.core.commands import acting_user, fail


class Command(BaseCommand):
    help = (
        "导入经办机构收入户的银行对账单（格式见 docs/formats/bank-statement.md），"
        "核对控制记录的笔数和金额合计，并按缴款单号与缴存记录对上。同一文件重复导入不变。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="对账单文件（.csv 或 .xlsx）")
        parser.add_argument("--county", required=True, help="县级区划代码（6位），如 341125")
        parser.add_argument("--bank", required=True, help="银行，如 农商行")
        parser.add_argument("--user", help="以这位工作人员的身份运行（默认：系统）")

    def handle(self, *args, file, county, bank, user, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到文件：{file}")
        try:
            result = statement_import(
                acting_user=acting_user(user),
                region_code=county,
                bank=bank,
                file_name=path.name,
                content=path.read_bytes(),
            )
        except ValidationError as error:
            raise fail(error) from None
        except PermissionDenied as error:
            raise CommandError("这位工作人员不能导入银行对账单") from error
        statement = result.file
        if not result.created:
            self.stdout.write(
                f"这个文件已于 {statement.imported_at:%Y-%m-%d %H:%M} 导入过，未作任何改动"
            )
            return
        self.stdout.write(
            f"已导入 {statement.file_name}：{statement.line_count} 笔，合计 {statement.amount_sum} 元；"
            f"新增 {result.new_lines} 笔，此前已导入 {result.already_imported} 笔，"
            f"与缴款单对上 {result.matched} 笔"
        )
