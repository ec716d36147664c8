"""Writes on staff accounts: one transaction per act, audited in that transaction.

A county administrator (``staff.manage``) creates and edits accounts inside their own
scope only. Each role needs a region of its level: county roles a county, the township
clerk a township, the village assistant a village. ``acting_user=None`` is the system
(``jumin create-staff`` on a first install): no scope limit, the same role rules.
"""

import re
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jumin.core import audit
from jumin.core.access import COUNTY_ROLES, in_scope, require, require_in_scope
from jumin.core.auth import login_attempts, login_unlock, password_problems
from jumin.core.models import Region, RegionLevel, Role, User
from jumin.core.registry import CoreAction
from jumin.core.text import TextError, check_text

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@+-]{3,150}$")
PHONE_PATTERN = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
# Temporary passwords avoid characters that are easy to misread on paper: 0/O, 1/l/I.
PASSWORD_LETTERS = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
PASSWORD_DIGITS = "23456789"
TEMPORARY_PASSWORD_LENGTH = 12
AUDITED_FIELDS = ("username", "full_name", "role", "region_id", "phone", "is_active")


def region_level_for(role: str) -> RegionLevel:
    """The level of region a role works on."""
    if role in COUNTY_ROLES:
        return RegionLevel.COUNTY
    if role == Role.TOWNSHIP_CLERK:
        return RegionLevel.TOWNSHIP
    return RegionLevel.VILLAGE


def snapshot(user: User) -> dict:
    return {field: getattr(user, field) for field in AUDITED_FIELDS}


def generate_temporary_password() -> str:
    """Twelve letters and digits (at least three of each) that pass the password rules."""
    while True:
        alphabet = PASSWORD_LETTERS + PASSWORD_DIGITS
        password = "".join(secrets.choice(alphabet) for _ in range(TEMPORARY_PASSWORD_LENGTH))
        letters = sum(char in PASSWORD_LETTERS for char in password)
        if 3 <= letters <= TEMPORARY_PASSWORD_LENGTH - 3:
            if not password_problems(password):
                return password


def _check_fields(*, acting_user, role: str, region_code: str, full_name: str, phone: str):
    """Region, role, name and phone; returns (region, {field: message})."""
    errors: dict[str, str] = {}
    region = None
    if role not in Role.values:
        errors["role"] = "请选择角色"
    if not full_name.strip():
        errors["full_name"] = "姓名不能为空"
    elif len(full_name.strip()) > 50:
        errors["full_name"] = "姓名过长（最多50个字）"
    if phone and not PHONE_PATTERN.match(phone):
        errors["phone"] = "联系电话应为11位手机号或带区号的固定电话"
    region = Region.objects.filter(code=region_code).first() if region_code else None
    if region is None or (acting_user is not None and not in_scope(acting_user, region.code)):
        errors["region"] = "请选择您管辖范围内的区域"
    elif "role" not in errors:
        level = region_level_for(role)
        if region.level != level:
            errors["region"] = (
                f"“{Role(role).label}”的管辖区域应是一个{RegionLevel(level).label}"
                f"，而“{region.name}”是{RegionLevel(region.level).label}"
            )
    return region, errors


@transaction.atomic
def staff_create(
    *,
    acting_user,
    username: str,
    full_name: str,
    role: str,
    region_code: str,
    phone: str = "",
    password: str | None = None,
) -> tuple[User, str]:
    """Create an account; returns it and the password to hand over (shown once).

    Without ``password`` a temporary one is generated and must be changed at first login.
    """
    if acting_user is not None:
        require(acting_user, "staff.manage")
    username, full_name, phone = username.strip(), full_name.strip(), phone.strip()
    region, errors = _check_fields(
        acting_user=acting_user,
        role=role,
        region_code=region_code,
        full_name=full_name,
        phone=phone,
    )
    if not USERNAME_PATTERN.match(username):
        errors["username"] = "用户名应为3位以上的字母、数字或 _ . @ + -"
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = f"用户名 {username} 已被使用"
    user = User(username=username, full_name=full_name, role=role, region=region, phone=phone)
    if password is not None and "username" not in errors:
        problems = password_problems(password, user)
        if problems:
            errors["password"] = "；".join(problems)
    if errors:
        raise ValidationError(errors)
    temporary = password is None
    password = password if password is not None else generate_temporary_password()
    user.set_password(password)
    user.must_change_password = temporary
    user.password_changed_at = None if temporary else timezone.now()
    user.save()
    audit.record(actor=acting_user, action=CoreAction.STAFF_CREATE, obj=user, after=snapshot(user))
    return user, password


@transaction.atomic
def staff_update(
    *,
    acting_user,
    user: User,
    full_name: str,
    role: str,
    region_code: str,
    phone: str = "",
    is_active: bool = True,
) -> User:
    """Change an account's name, role, region, phone or whether it may log in."""
    require(acting_user, "staff.manage")
    _check_target(acting_user, user)
    full_name, phone = full_name.strip(), phone.strip()
    region, errors = _check_fields(
        acting_user=acting_user,
        role=role,
        region_code=region_code,
        full_name=full_name,
        phone=phone,
    )
    if user.pk == acting_user.pk:
        if role != user.role:
            errors["role"] = "不能修改自己的角色，请让另一位管理员修改"
        if not is_active:
            errors["is_active"] = "不能停用自己的账号"
    if errors:
        raise ValidationError(errors)
    before = snapshot(user)
    user.full_name, user.role, user.region, user.phone = full_name, role, region, phone
    user.is_active = is_active
    changed_before, changed_after = audit.changes(before, snapshot(user))
    if not changed_after:
        return user
    user.save(update_fields=["full_name", "role", "region", "phone", "is_active"])
    audit.record(
        actor=acting_user,
        action=CoreAction.STAFF_UPDATE,
        obj=user,
        before=changed_before,
        after=changed_after,
    )
    return user


@transaction.atomic
def staff_reset_password(*, acting_user, user: User) -> str:
    """Give the account a temporary password (returned, to be shown once) and unlock it.

    The holder must choose a new password at the next login.
    """
    require(acting_user, "staff.manage")
    _check_target(acting_user, user)
    password = generate_temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    unlocked = login_unlock(user.username)
    audit.record(
        actor=acting_user,
        action=CoreAction.STAFF_RESET_PASSWORD,
        obj=user,
        after={"temporary": True, "attempts_cleared": unlocked},
    )
    return password


@transaction.atomic
def staff_unlock(*, acting_user, user: User) -> User:
    """Lift the lockouts of an account (from every address) after repeated wrong passwords;
    the password stays as it was. The attempts forgotten are kept in the audit entry."""
    require(acting_user, "staff.manage")
    _check_target(acting_user, user)
    attempts = login_attempts(user.username)
    login_unlock(user.username)
    audit.record(
        actor=acting_user,
        action=CoreAction.STAFF_UNLOCK,
        obj=user,
        before={
            "attempts": [
                {
                    "ip_address": attempt["ip_address"],
                    "failures": attempt["failures"],
                    "last_attempt": attempt["last_attempt"],
                }
                for attempt in attempts
            ]
        },
        after={"attempts": []},
    )
    return user


@transaction.atomic
def staff_deactivate(*, acting_user, user: User, reason: str = "") -> User:
    """Stop an account from logging in (kept for the audit trail; never deleted)."""
    require(acting_user, "staff.manage")
    _check_target(acting_user, user)
    if user.pk == acting_user.pk:
        raise ValidationError({"is_active": "不能停用自己的账号"})
    try:
        check_text(reason, multiline=True)  # the reason is kept in the audit trail
    except TextError as error:
        raise ValidationError({"reason": f"停用原因{error.message}"}) from None
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit.record(
        actor=acting_user,
        action=CoreAction.STAFF_DEACTIVATE,
        obj=user,
        before={"is_active": True},
        after={"is_active": False},
        reason=reason[:500],
    )
    return user


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> User:
    """The holder of an account sets a new password that passes the password rules."""
    errors: dict[str, list[str]] = {}
    if not user.check_password(old_password):
        errors["old_password"] = ["原密码不正确"]
    if old_password and new_password == old_password:
        errors["new_password"] = ["新密码不能与原密码相同"]
    elif problems := password_problems(new_password, user):
        errors["new_password"] = problems
    if errors:
        raise ValidationError(errors)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit.record(actor=user, action=CoreAction.STAFF_PASSWORD_CHANGE, obj=user)
    return user


def _check_target(acting_user, user: User) -> None:
    """The account must lie in the acting administrator's scope (views fetch it scoped too):
    one outside it does not exist for them (404)."""
    require_in_scope(acting_user, user)
