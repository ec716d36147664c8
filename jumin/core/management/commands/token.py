"""``jumin token create|revoke|list USERNAME``: API tokens for the JSON API.

jumin token create zhangsan --name 医院接口     prints the token once; only its hash is kept
jumin token revoke zhangsan --prefix AbC12xYz  revokes one token (prefix from ``list``)
jumin token revoke zhangsan --all              revokes every token of the user
jumin token list zhangsan                      shows prefix, name, dates; never the token
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jumin.core.audit import request_context
from jumin.core.models import User
from jumin.core.services.tokens import TOKEN_MARK, token_create, token_list, token_revoke


class Command(BaseCommand):
    help = "创建、撤销或列出接口令牌（Bearer token）。Create, revoke or list API tokens."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="create|revoke|list")
        create = actions.add_parser("create", help="为工作人员创建令牌，只显示这一次")
        create.add_argument("username", help="工作人员的用户名")
        create.add_argument("--name", default="", help="令牌用途，例如“县医院接口”")
        revoke = actions.add_parser("revoke", help="撤销令牌")
        revoke.add_argument("username", help="工作人员的用户名")
        which = revoke.add_mutually_exclusive_group(required=True)
        which.add_argument("--prefix", default="", help="要撤销的令牌前缀（见 list）")
        which.add_argument("--all", action="store_true", help="撤销该用户的全部令牌")
        revoke.add_argument("--reason", default="", help="撤销原因")
        listing = actions.add_parser("list", help="列出令牌（不显示令牌本身）")
        listing.add_argument("username", help="工作人员的用户名")

    def handle(self, *args, action, username, **options):
        user = User.objects.filter(username=username).select_related("region").first()
        if user is None:
            raise CommandError(f"没有用户名为 {username} 的工作人员")
        with request_context():
            try:
                getattr(self, f"handle_{action}")(user, **options)
            except ValidationError as error:
                raise CommandError("；".join(error.messages)) from error

    def handle_create(self, user, *, name, **options):
        token, key = token_create(acting_user=None, user=user, name=name)
        self.stderr.write(
            f"已为 {user.username} 创建令牌（前缀 {TOKEN_MARK}{token.prefix}）。"
            "令牌只显示这一次，请妥善保存："
        )
        self.stdout.write(key)

    def handle_revoke(self, user, *, prefix, all, reason, **options):
        revoked = token_revoke(
            acting_user=None, user=user, prefix=prefix, revoke_all=all, reason=reason
        )
        if not revoked:
            raise CommandError(
                f"{user.username} 没有可撤销的有效令牌" + (f"（前缀 {prefix}）" if prefix else "")
            )
        for token in revoked:
            self.stdout.write(f"已撤销 {TOKEN_MARK}{token.prefix}… {token.name}".rstrip())

    def handle_list(self, user, **options):
        tokens = list(token_list(user))
        if not tokens:
            self.stdout.write(f"{user.username} 没有令牌")
            return
        for token in tokens:
            state = (
                f"已撤销 {_when(token.revoked_at)}"
                if token.revoked_at
                else f"有效，最近使用 {_when(token.last_used_at) or '从未'}"
            )
            self.stdout.write(
                f"{TOKEN_MARK}{token.prefix}…\t{token.name or '-'}\t"
                f"创建 {_when(token.created_at)}\t{state}"
            )


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
