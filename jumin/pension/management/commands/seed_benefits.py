"""``jumin seed-benefits [--region 340000000000] [--file standards.json]``

Adds the basic-pension standards of the seed file (the national central minimum by date,
``jumin/pension/data/benefit_standards.json``) as rows of a region (the province by default).
Run again: rows already there are kept.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jumin.core.audit import request_context
from jumin.core.models import Region
from jumin.pension.services import benefits as services


class Command(BaseCommand):
    help = "按文件建立基础养老金待遇标准。Seed the benefit standards."

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="12位区划代码，默认文件中的省")
        parser.add_argument("--file", default=str(services.SEED_FILE), help="标准文件")

    def handle(self, *args, region, file, **options):
        try:
            data = services.seed_data(file)
        except (OSError, ValueError) as error:
            raise CommandError(f"标准文件无法读取：{error}") from None
        code = region or data.get("region", "")
        if not Region.objects.filter(pk=code).exists():
            raise CommandError(f"没有区划 {code}，请先导入区划")
        with request_context():
            try:
                added = services.standards_seed(data=data, region_code=region or None)
            except (ValidationError, KeyError) as error:
                messages = getattr(error, "messages", None) or [f"缺少字段 {error}"]
                raise CommandError("；".join(messages)) from None
        self.stdout.write(f"待遇标准：新增{added}行")
