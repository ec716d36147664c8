"""``jumin demo-logins``: the demo accounts with their passwords, on a DEBUG machine only."""

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.management.base import BaseCommand, CommandError

from jumin.core.models import Region, RegionLevel, Role, User
from jumin.people.demo import demo_accounts


class Command(BaseCommand):
    help = "列出演示账号（角色、用户名、密码、管辖区域）；只在 JUMIN_DEBUG=1 时显示。"

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "不显示演示账号：本机没有打开调试模式（JUMIN_DEBUG），按生产环境处理。"
                "生产环境不应有公开密码的演示账号；如有，请在“工作人员”页面停用或改密码。"
            )
        rows = self._rows()
        if not rows:
            self.stdout.write("还没有演示账号。先运行：jumin demo-data --county 341125")
            return
        headers = ("角色", "用户名", "密码", "管辖区域")
        widths = [max(_width(str(row[i])) for row in [headers, *rows]) for i in range(4)]
        for row in [headers, *rows]:
            self.stdout.write(
                "  ".join(_pad(str(cell), width) for cell, width in zip(row, widths, strict=True))
            )

    def _rows(self) -> list[tuple[str, str, str, str]]:
        counties = Region.objects.filter(level=RegionLevel.COUNTY).values_list("code", flat=True)
        accounts = [account for code in counties for account in demo_accounts(code[:6])]
        users = {
            user.username: user
            for user in User.objects.filter(
                username__in=[account.username for account in accounts]
            ).select_related("region")
        }
        rows = []
        for account in accounts:
            user = users.get(account.username)
            if user is None or not user.is_active:
                continue
            password = (
                account.password
                if check_password(account.password, user.password)
                else "（已修改）"
            )
            scope = user.region.name if user.region else ""
            rows.append((Role(user.role).label, user.username, password, scope))
        return rows


def _width(text: str) -> int:
    """Display width: a Chinese character takes two columns in a terminal."""
    return sum(2 if ord(character) > 0x2E80 else 1 for character in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
