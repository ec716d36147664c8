"""``jumin check-ledger [--county 341125] [--year 2026] [--limit 20]``: dues the ledger does
not match (``jumin.pension.queries.ledger_check``). Exits with 1 when any is found, so a cron job or
a monitoring script notices."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jumin.collection.counties import county_of
from jumin.pension.queries.ledger_check import ledger_check


class Command(BaseCommand):
    help = (
        "核对个人账户：找出已记账但个人账户记录（扣除冲正）与应缴金额及各项补贴合计不符的应缴，"
        "以及未记账却有个人账户记录的应缴。发现问题时以状态码 1 退出。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--county", help="只核对这个县（6位县级代码，如 341125）")
        parser.add_argument("--year", type=int, help="只核对这个缴费年度，如 2026")
        parser.add_argument("--limit", type=int, default=20, help="列出前多少笔（默认 20）")

    def handle(self, *args, county, year, limit, **options):
        prefix = ""
        if county:
            try:
                prefix = county_of(county).prefix
            except ValidationError as error:
                raise CommandError("；".join(error.messages)) from None
        if year is not None and not 1900 <= year <= 9999:
            raise CommandError(f"缴费年度“{year}”不正确")
        result = ledger_check(county_prefix=prefix, year=year, limit=max(limit, 1))
        where = "，".join([county or "全部县", f"{year}年" if year else "各年度"])
        if result.ok:
            self.stdout.write(f"{where}：个人账户与应缴一致，没有发现问题")
            return
        self.stdout.write(
            f"{where}：发现 {result.count} 笔应缴与个人账户不符，"
            f"差额合计 {result.difference_sum} 元（个人账户实记减应记）"
        )
        self.stdout.write("应缴编号\t参保人编号\t村\t年度\t类别\t问题\t差额")
        for problem in result.problems:
            self.stdout.write(
                f"{problem.due_id}\t{problem.person_id}\t{problem.village_id}\t{problem.year}\t"
                f"{problem.kind}\t{problem.description}\t{problem.difference}"
            )
        if result.count > len(result.problems):
            self.stdout.write(f"……另有 {result.count - len(result.problems)} 笔未列出")
        raise CommandError(f"个人账户核对发现 {result.count} 笔问题", returncode=1)
