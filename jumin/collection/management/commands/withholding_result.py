"""``jumin withholding-result --batch ID FILE``: import a bank's result file (回盘文件)."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from jumin.collection.models import WithholdingBatch
from jumin.collection.services.withholding import batch_confirm, result_import
from jumin.core.commands import acting_user, fail


class Command(BaseCommand):
    help = (
        "导入银行回盘文件：有任何问题整个文件不导入并列出全部问题（退出码 1）；"
        "同一文件重复导入不会重复入账。--confirm 随后做财务核对（需 --user 为县财务）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="回盘文件")
        parser.add_argument("--batch", type=int, required=True, help="代扣批次编号")
        parser.add_argument("--user", help="以这位工作人员的身份运行（默认：系统）")
        parser.add_argument("--confirm", action="store_true", help="导入后财务核对本批次")

    def handle(self, *args, file, batch, user, confirm, **options):
        if not file.is_file():
            raise CommandError(f"找不到文件：{file}")
        found = WithholdingBatch.objects.filter(pk=batch).first()
        if found is None:
            raise CommandError(f"没有编号为{batch}的代扣批次")
        actor = acting_user(user)
        try:
            result_file, created = result_import(
                acting_user=actor, batch=found, file_name=file.name, data=file.read_bytes()
            )
            if created:
                self.stdout.write(
                    f"已导入：扣款成功 {result_file.paid_count} 笔，失败 {result_file.failed_count} 笔"
                )
            else:
                self.stdout.write("这个文件已经导入过（内容相同），没有重复导入")
            if confirm:
                batch_confirm(acting_user=actor, batch=found)
                self.stdout.write("已核对")
        except ValidationError as error:
            raise fail(error) from None
        except PermissionDenied as error:
            raise CommandError("这位工作人员不能办理这项操作") from error
