"""Registering and changing persons (and their households): one transaction per act, audited in
that transaction."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from jumin.core import audit
from jumin.core.access import in_scope, require
from jumin.core.models import Region, RegionLevel
from jumin.people.models import Household, HukouType, Person, Sex, SpecialStatus
from jumin.people.registry import PeopleAction
from jumin.people.rules import IdNumberError, parse_id_number

PHONE_PATTERN = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
ACCOUNT_PATTERN = re.compile(r"^[0-9A-Za-z-]{6,32}$")


def today() -> datetime.date:
    return timezone.localdate()


def clean_person_fields(data: dict, *, on: datetime.date) -> tuple[dict, dict]:
    """Check one person's fields; return (clean values, {field: Chinese message}).

    Shared by the form, the API and the roster import so all three say the same thing.
    ``data`` may hold: id_number, name, sex, birth_date, village_id, household_number,
    relation_to_head, hukou_type, phone, passbook_number, social_security_card_number,
    death_date. Sex and birth date, when given, must agree with the ID number.
    """
    errors: dict[str, str] = {}
    clean: dict = {}
    try:
        identity = parse_id_number(data.get("id_number") or "", today=on)
    except IdNumberError as error:
        errors["id_number"] = error.message
        identity = None
    if identity is not None:
        clean["id_number"] = identity.number
        clean["sex"] = identity.sex
        clean["birth_date"] = identity.birth_date
        sex = data.get("sex")
        if sex not in (None, ""):
            sex = {"男": Sex.MALE, "女": Sex.FEMALE}.get(str(sex).strip(), str(sex).strip())
            if sex not in Sex.values:
                errors["sex"] = "性别只能填“男”或“女”"
            elif sex != identity.sex:
                errors["sex"] = f"性别与身份证号不符（身份证号显示为{Sex(identity.sex).label}）"
        birth_date = data.get("birth_date")
        if birth_date not in (None, ""):
            if isinstance(birth_date, str):
                try:
                    birth_date = datetime.date.fromisoformat(birth_date.strip())
                except ValueError:
                    errors["birth_date"] = "出生日期格式应为 1980-01-31"
                    birth_date = None
            if birth_date is not None and birth_date != identity.birth_date:
                errors["birth_date"] = (
                    f"出生日期与身份证号不符（身份证号显示为{identity.birth_date:%Y-%m-%d}）"
                )
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = "姓名不能为空"
    elif len(name) > 50:
        errors["name"] = "姓名过长（最多50个字）"
    elif any(ch.isdigit() for ch in name):
        errors["name"] = "姓名不能包含数字"
    clean["name"] = name
    village_id = str(data.get("village_id") or "").strip()
    if not re.fullmatch(r"\d{12}", village_id):
        errors["village_id"] = "村（社区）代码应为12位数字"
    clean["village_id"] = village_id
    for field in ("relation_to_head",):
        clean[field] = str(data.get(field) or "").strip()[:20]
    hukou = str(data.get("hukou_type") or "").strip()
    hukou = {label: value for value, label in HukouType.choices}.get(hukou, hukou)
    if hukou and hukou not in HukouType.values:
        errors["hukou_type"] = "户籍类型只能是：农业、非农业、居民户口"
    clean["hukou_type"] = hukou
    phone = str(data.get("phone") or "").strip().replace(" ", "")
    if phone and not PHONE_PATTERN.match(phone):
        errors["phone"] = "联系电话应为11位手机号或带区号的固定电话"
    clean["phone"] = phone
    for field, label in (
        ("passbook_number", "存折账号"),
        ("social_security_card_number", "社保卡号"),
    ):
        value = str(data.get(field) or "").strip().replace(" ", "")
        if value and not ACCOUNT_PATTERN.match(value):
            errors[field] = f"{label}应为6到32位数字或字母"
        clean[field] = value
    death_date = data.get("death_date")
    if death_date in (None, ""):
        clean["death_date"] = None
    else:
        if isinstance(death_date, str):
            try:
                death_date = datetime.date.fromisoformat(death_date.strip())
            except ValueError:
                errors["death_date"] = "死亡日期格式应为 2024-01-31"
                death_date = None
        if death_date is not None:
            if death_date > on:
                errors["death_date"] = "死亡日期不能晚于今天"
            elif identity is not None and death_date < identity.birth_date:
                errors["death_date"] = "死亡日期不能早于出生日期"
        clean["death_date"] = death_date
    clean["household_number"] = str(data.get("household_number") or "").strip()[:30]
    return clean, errors


def _village_for(acting_user, village_id: str, errors: dict) -> Region | None:
    village = Region.objects.filter(code=village_id, level=RegionLevel.VILLAGE).first()
    if village is None or not in_scope(acting_user, village_id):
        errors["village_id"] = f"村（社区）代码 {village_id} 不存在或不在您的管辖范围内"
        return None
    return village


def _household_for(village: Region, number: str) -> Household | None:
    if not number:
        return None
    household, _ = Household.objects.get_or_create(village=village, number=number)
    return household


@transaction.atomic
def person_create(*, acting_user, data: dict) -> Person:
    """Register a person. Repeating the same request returns the same person, unchanged."""
    require(acting_user, "person.edit")
    clean, errors = clean_person_fields(data, on=today())
    village = None
    if "village_id" not in errors:
        village = _village_for(acting_user, clean["village_id"], errors)
    if errors:
        raise ValidationError(errors)
    existing = Person.objects.filter(id_number=clean["id_number"]).first()
    if existing is not None:
        raise ValidationError(
            {"id_number": ValidationError("该身份证号已经登记", code="duplicate")}
        )
    household = _household_for(village, clean.pop("household_number"))
    try:
        with transaction.atomic():
            person = Person.objects.create(household=household, **clean)
    except IntegrityError as error:
        raise ValidationError(
            {"id_number": ValidationError("该身份证号已经登记", code="duplicate")}
        ) from error
    audit.record(
        actor=acting_user, action=PeopleAction.PERSON_CREATE, obj=person, after=person.snapshot()
    )
    return person


@transaction.atomic
def person_update(*, acting_user, person: Person, data: dict, reason: str = "") -> Person:
    """Change a person's editable fields; the ID number itself is not editable here.

    ``person`` must come from a scoped query. Only fields present in ``data`` change.
    """
    require(acting_user, "person.edit")
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = person.snapshot()
    merged = {
        "id_number": person.id_number,
        "name": person.name,
        "village_id": person.village_id,
        "household_number": person.household.number if person.household_id else "",
        "relation_to_head": person.relation_to_head,
        "hukou_type": person.hukou_type,
        "phone": person.phone,
        "passbook_number": person.passbook_number,
        "social_security_card_number": person.social_security_card_number,
        "death_date": person.death_date,
    }
    merged.update(
        {
            key: value
            for key, value in data.items()
            if key != "id_number" and (key in merged or key in ("sex", "birth_date"))
        }
    )
    clean, errors = clean_person_fields(merged, on=today())
    village = None
    if "village_id" not in errors:
        village = _village_for(acting_user, clean["village_id"], errors)
    if errors:
        raise ValidationError(errors)
    household = _household_for(village, clean.pop("household_number"))
    for field in (
        "name",
        "village_id",
        "relation_to_head",
        "hukou_type",
        "phone",
        "passbook_number",
        "social_security_card_number",
        "death_date",
    ):
        setattr(person, field, clean[field])
    person.household = household
    after = person.snapshot()
    old, new = audit.changes(before, after)
    if not new:
        return person
    person.updated_at = timezone.now()
    person.save()
    if "village_id" in new:  # statuses are scoped by village too: they move with the person
        SpecialStatus.objects.filter(person=person).update(village_id=person.village_id)
    audit.record(
        actor=acting_user,
        action=PeopleAction.PERSON_UPDATE,
        obj=person,
        before=old,
        after=new,
        reason=reason,
    )
    return person
