"""Writes of designated hospitals (定点医疗机构) and their API tokens; each act audited."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jumin.core import audit
from jumin.core.access import require, require_in_scope
from jumin.core.models import Region
from jumin.medical.models import Hospital, HospitalLevel, HospitalToken
from jumin.medical.registry import MedicalAction

TOKEN_MARK = "jh_"  # a hospital's token, never accepted where a staff token is
PREFIX_LENGTH = 8


@transaction.atomic
def hospital_create(
    *,
    acting_user,
    code: str,
    name: str,
    level: str,
    region_code: str,
    in_county: bool = True,
) -> tuple[Hospital, bool]:
    """Register a designated hospital; the same code again answers the existing one."""
    if acting_user is not None:
        require(acting_user, "hospital.manage")
        require_in_scope(acting_user, region_code)
    code, name = (code or "").strip(), (name or "").strip()
    errors = {}
    if not code or len(code) > 30:
        errors["code"] = "医疗机构编码：必须填写（最多30个字符）"
    if not name or len(name) > 100:
        errors["name"] = "名称：必须填写（最多100个字）"
    if level not in HospitalLevel.values:
        errors["level"] = f"级别：不认识“{level}”"
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        errors["region"] = f"所在区划：没有区划代码 {region_code}"
    if errors:
        raise ValidationError(errors)
    existing = Hospital.objects.filter(code=code).first()
    if existing is not None:
        return existing, False
    hospital = Hospital.objects.create(
        code=code, name=name, level=level, region=region, in_county=in_county
    )
    audit.record(
        actor=acting_user,
        action=MedicalAction.HOSPITAL_CREATE,
        obj=hospital,
        after={"code": code, "name": name, "level": level, "in_county": in_county},
    )
    return hospital, True


@transaction.atomic
def hospital_set_active(*, acting_user, hospital: Hospital, active: bool) -> Hospital:
    require(acting_user, "hospital.manage")
    require_in_scope(acting_user, hospital)
    if hospital.active == active:
        return hospital
    Hospital.objects.filter(pk=hospital.pk).update(active=active)
    audit.record(
        actor=acting_user,
        action=MedicalAction.HOSPITAL_UPDATE,
        obj=hospital,
        before={"active": hospital.active},
        after={"active": active},
    )
    hospital.active = active
    return hospital


@transaction.atomic
def hospital_token_create(
    *, acting_user, hospital: Hospital, name: str = ""
) -> tuple[HospitalToken, str]:
    """A token bound to ``hospital``; returns it with its plaintext, which is never stored.

    ``acting_user=None`` is the machine's operator (``jumin hospital-token create CODE``)."""
    if acting_user is not None:
        require(acting_user, "hospital.manage")
        require_in_scope(acting_user, hospital)
    key = TOKEN_MARK + secrets.token_urlsafe(32)
    token = HospitalToken.objects.create(
        hospital=hospital,
        name=(name or "").strip()[:100],
        key_hash=HospitalToken.hash_key(key),
        prefix=key[len(TOKEN_MARK) : len(TOKEN_MARK) + PREFIX_LENGTH],
    )
    audit.record(
        actor=acting_user,
        action=MedicalAction.HOSPITAL_TOKEN_CREATE,
        obj=token,
        object_label=f"{hospital.code} {TOKEN_MARK}{token.prefix}…",
        after={"hospital": hospital.code, "prefix": token.prefix, "name": token.name},
    )
    return token, key


@transaction.atomic
def hospital_token_revoke(*, acting_user, hospital: Hospital, prefix: str) -> int:
    if acting_user is not None:
        require(acting_user, "hospital.manage")
        require_in_scope(acting_user, hospital)
    prefix = (prefix or "").removeprefix(TOKEN_MARK)[:PREFIX_LENGTH]
    tokens = list(
        HospitalToken.objects.select_for_update().filter(
            hospital=hospital, prefix=prefix, revoked_at__isnull=True
        )
    )
    now = timezone.now()
    for token in tokens:
        HospitalToken.objects.filter(pk=token.pk).update(revoked_at=now)
        audit.record(
            actor=acting_user,
            action=MedicalAction.HOSPITAL_TOKEN_REVOKE,
            obj=token,
            object_label=f"{hospital.code} {TOKEN_MARK}{token.prefix}…",
            before={"revoked_at": None},
            after={"revoked_at": now},
        )
    return len(tokens)
