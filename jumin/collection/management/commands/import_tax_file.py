"""``jumin import-tax-file --county 341125 FILE``: the tax bureau's payment-detail file."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from jumin.collection.services.tax import tax_file_import
from jumin.core.commands import acting_user, fail


class Command(BaseCommand):
    help = (
        "导入税务缴费明细：有任何问题整个文件不导入并列出全部问题（退出码 1）；"
        "同一文件重复导入不会重复入账。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", type=Path, help="税务缴费明细文件（通用格式，见 docs/formats/tax.md）"
        )
        parser.add_argument("--county", required=True, help="县级区划代码（6位）")
        parser.add_argument("--user", help="以这位工作人员的身份运行（默认：系统）")

    def handle(self, *args, file, county, user, **options):
        if not file.is_file():
            raise CommandError(f"找不到文件：{file}")
        try:
            tax_file, created = tax_file_import(
                acting_user=acting_user(user),
                region_code=county,
                file_name=file.name,
                data=file.read_bytes(),
            )
        except ValidationError as error:
            raise fail(error) from None
        except PermissionDenied as error:
            raise CommandError("这位工作人员不能导入税务缴费明细") from error
        if created:
            self.stdout.write(
                f"已导入 {tax_file.line_count} 笔，{tax_file.amount_sum} 元（编号{tax_file.pk}）"
            )
        else:
            self.stdout.write("这个文件已经导入过（内容相同），没有重复导入")
