"""``jumin withholding-batch --county 341125 --bank 农商行 --year 2026 --out DIR``:
the next withholding round for a bank, and its export file in the bank's format."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from jumin.collection.models import WithholdingBatch
from jumin.collection.services.withholding import batch_create, batch_export, batch_key
from jumin.core.commands import acting_user, fail


class Command(BaseCommand):
    help = (
        "生成下一批银行代扣（该银行存折的全部未缴个人缴费）并写出代扣文件；"
        "用 --batch 只重新导出已有批次的文件。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--county", help="县级区划代码（6位）")
        parser.add_argument("--bank", help="银行，与参保人存折开户行一致")
        parser.add_argument("--year", type=int, help="缴费年度")
        parser.add_argument("--batch", type=int, help="只导出这个已有批次（编号）")
        parser.add_argument("--out", type=Path, default=Path("."), help="代扣文件写到这个目录")
        parser.add_argument("--user", help="以这位工作人员的身份运行（默认：系统）")

    def handle(self, *args, county, bank, year, batch, out, user, **options):
        actor = acting_user(user)
        try:
            if batch:
                found = WithholdingBatch.objects.filter(pk=batch).first()
                if found is None:
                    raise CommandError(f"没有编号为{batch}的代扣批次")
            else:
                if not (county and bank and year):
                    raise CommandError("请给出 --county、--bank 和 --year（或 --batch）")
                found = batch_create(acting_user=actor, region_code=county, bank=bank, year=year)
                self.stdout.write(
                    f"已生成 {batch_key(found)}（编号{found.pk}）：{found.line_count} 笔，"
                    f"{found.amount_sum} 元"
                )
            data, file_name = batch_export(acting_user=actor, batch=found)
        except ValidationError as error:
            raise fail(error) from None
        except PermissionDenied as error:
            raise CommandError("这位工作人员不能办理银行代扣") from error
        out.mkdir(parents=True, exist_ok=True)
        path = out / file_name
        path.write_bytes(data)
        self.stdout.write(f"代扣文件：{path}")
