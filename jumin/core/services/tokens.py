"""API tokens: made and revoked here, each act audited in its own transaction.

The plaintext token is shown once, when it is made; only its SHA-256 is stored. The first
characters after ``jm_`` are kept as the token's prefix so a user can name it when revoking.
"""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jumin.core import audit
from jumin.core.access import require, require_in_scope
from jumin.core.models import ApiToken, User
from jumin.core.registry import CoreAction

TOKEN_MARK = "jm_"
PREFIX_LENGTH = 8


def _new_key() -> str:
    return TOKEN_MARK + secrets.token_urlsafe(32)


def _require_manager(acting_user, user: User) -> None:
    """The machine's operator (``acting_user=None``, the CLI) or an administrator over ``user``.

    A staff member may manage their own tokens.
    """
    if acting_user is None or acting_user.pk == user.pk:
        return
    require(acting_user, "staff.manage")
    require_in_scope(acting_user, user)


def token_list(user: User) -> QuerySet:
    return ApiToken.objects.filter(user=user).order_by("created_at", "pk")


@transaction.atomic
def token_create(*, acting_user, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Make a token for ``user``; return it with its plaintext, which is never stored."""
    _require_manager(acting_user, user)
    if not user.is_active:
        raise ValidationError({"user": _("账号 %(username)s 已停用") % {"username": user.username}})
    name = (name or "").strip()
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise ValidationError({"name": _("令牌名称过长（最多100个字）")})
    key = _new_key()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=ApiToken.hash_key(key),
        prefix=key[len(TOKEN_MARK) : len(TOKEN_MARK) + PREFIX_LENGTH],
    )
    audit.record(
        actor=acting_user,
        action=CoreAction.TOKEN_CREATE,
        object_type="core.apitoken",
        object_id=str(token.pk),
        object_label=_token_label(token),
        region_code=user.region_id or "",
        after={"user": user.username, "name": name, "prefix": token.prefix},
    )
    return token, key


@transaction.atomic
def token_revoke(
    *, acting_user, user: User, prefix: str = "", revoke_all: bool = False, reason: str = ""
) -> list[ApiToken]:
    """Revoke one token of ``user`` (by prefix) or all of them; return those revoked now.

    Revoking a token that is already revoked changes nothing and writes nothing.
    """
    _require_manager(acting_user, user)
    prefix = (prefix or "").strip()
    if prefix.startswith(TOKEN_MARK):
        prefix = prefix[len(TOKEN_MARK) :]
    if not revoke_all and not prefix:
        raise ValidationError({"prefix": _("请指定令牌前缀，或选择撤销全部令牌")})
    active = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    if not revoke_all:
        active = active.filter(prefix=prefix[:PREFIX_LENGTH])
    tokens = list(active.order_by("pk"))
    if not tokens:
        return []
    now = timezone.now()
    ApiToken.objects.filter(pk__in=[token.pk for token in tokens]).update(revoked_at=now)
    for token in tokens:
        token.revoked_at = now
        audit.record(
            actor=acting_user,
            action=CoreAction.TOKEN_REVOKE,
            object_type="core.apitoken",
            object_id=str(token.pk),
            object_label=_token_label(token),
            region_code=user.region_id or "",
            before={"revoked_at": None},
            after={"revoked_at": now, "prefix": token.prefix},
            reason=reason,
        )
    return tokens


def _token_label(token: ApiToken) -> str:
    label = f"{token.user.username} {TOKEN_MARK}{token.prefix}…"
    return f"{label}（{token.name}）" if token.name else label
