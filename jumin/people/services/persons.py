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
from jumin.people.fields import (
    EDITABLE,
    PERSON_FIELDS,
    Kind,
    choice_value,
    field,
    snapshot,
    stored_value,
)
from jumin.people.models import Household, Person, Sex, SpecialStatus
from jumin.people.registry import PeopleAction
from jumin.people.rules import IdNumberError, parse_id_number

PHONE_PATTERN = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
ACCOUNT_PATTERN = re.compile(r"^[0-9A-Za-z-]{6,32}$")
IDENTITY_CHECKED = ("sex", "birth_date")


def today() -> datetime.date:
    return timezone.localdate()


def clean_person_fields(data: dict, *, on: datetime.date) -> tuple[dict, dict]:
    """Check one person's fields; return (clean values, {field: Chinese message}).

    Shared by the forms, the API and the roster import so all three say the same thing.
    ``data`` holds any of the fields of ``fields.PERSON_FIELDS`` by name; a field missing or
    blank is empty. Sex and birth date, when given, must agree with the ID number.
    """
    errors: dict[str, str] = {}
    clean: dict = {}
    identity = _clean_identity(data, clean, errors, on=on)
    for person_field in PERSON_FIELDS:
        if person_field.identity:
            continue
        value = data.get(person_field.name)
        cleaner = _CLEANERS[person_field.kind]
        clean[person_field.name], message = cleaner(person_field, value, identity, on)
        if message:
            errors[person_field.name] = message
    return clean, errors


def _clean_identity(data: dict, clean: dict, errors: dict, *, on: datetime.date):
    """The ID number, and the sex and birth date it fixes (those given must agree)."""
    try:
        identity = parse_id_number(data.get("id_number") or "", today=on)
    except IdNumberError as error:
        errors["id_number"] = error.message
        return None
    clean["id_number"] = identity.number
    clean["sex"] = identity.sex
    clean["birth_date"] = identity.birth_date
    sex = data.get("sex")
    if sex not in (None, ""):
        sex = choice_value(field("sex"), sex)
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
    return identity


def _text(value) -> str:
    return str(value or "").strip()


def _clean_name(person_field, value, identity, on) -> tuple[str, str]:
    name = _text(value)
    if not name:
        return name, f"{person_field.label}不能为空"
    if len(name) > person_field.max_length:
        return name, f"{person_field.label}过长（最多{person_field.max_length}个字）"
    if any(character.isdigit() for character in name):
        return name, f"{person_field.label}不能包含数字"
    return name, ""


def _clean_text(person_field, value, identity, on) -> tuple[str, str]:
    text = _text(value)
    if not text and person_field.required:
        return text, f"{person_field.label}不能为空"
    if len(text) > person_field.max_length:
        return text, f"{person_field.label}过长（最多{person_field.max_length}个字）"
    return text, ""


def _clean_choice(person_field, value, identity, on) -> tuple[str, str]:
    choice = choice_value(person_field, _text(value))
    if choice and choice not in person_field.choices.values:
        labels = "、".join(str(label) for _value, label in person_field.choices.choices)
        return choice, f"{person_field.label}只能是：{labels}"
    return choice, ""


def _clean_village(person_field, value, identity, on) -> tuple[str, str]:
    code = _text(value)
    if not re.fullmatch(r"\d{12}", code):
        return code, f"{person_field.label}代码应为12位数字"
    return code, ""


def _clean_phone(person_field, value, identity, on) -> tuple[str, str]:
    phone = _text(value).replace(" ", "")
    if phone and not PHONE_PATTERN.match(phone):
        return phone, f"{person_field.label}应为11位手机号或带区号的固定电话"
    return phone, ""


def _clean_account(person_field, value, identity, on) -> tuple[str, str]:
    account = _text(value).replace(" ", "")
    if account and not ACCOUNT_PATTERN.match(account):
        return account, f"{person_field.label}应为6到32位数字或字母"
    return account, ""


def _clean_date(person_field, value, identity, on) -> tuple[datetime.date | None, str]:
    """A day of the person's life: not after today, not before their birth."""
    if value in (None, ""):
        return None, ""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            return None, f"{person_field.label}格式应为 2024-01-31"
    if value > on:
        return value, f"{person_field.label}不能晚于今天"
    if identity is not None and value < identity.birth_date:
        return value, f"{person_field.label}不能早于出生日期"
    return value, ""


_CLEANERS = {
    Kind.NAME: _clean_name,
    Kind.TEXT: _clean_text,
    Kind.HOUSEHOLD: _clean_text,
    Kind.CHOICE: _clean_choice,
    Kind.VILLAGE: _clean_village,
    Kind.PHONE: _clean_phone,
    Kind.ACCOUNT: _clean_account,
    Kind.DATE: _clean_date,
}


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
        actor=acting_user, action=PeopleAction.PERSON_CREATE, obj=person, after=snapshot(person)
    )
    return person


@transaction.atomic
def person_update(*, acting_user, person: Person, data: dict, reason: str = "") -> Person:
    """Change a person's editable fields; the ID number itself is not editable here.

    ``person`` must come from a scoped query. Only fields present in ``data`` change.
    """
    require(acting_user, "person.edit")
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = snapshot(person)
    merged = {f.name: stored_value(person, f) for f in EDITABLE}
    # sex and birth date may be sent to be checked against the ID number, never to change it
    merged.update(
        {key: value for key, value in data.items() if key in merged or key in IDENTITY_CHECKED}
    )
    merged["id_number"] = person.id_number  # not editable here
    clean, errors = clean_person_fields(merged, on=today())
    village = None
    if "village_id" not in errors:
        village = _village_for(acting_user, clean["village_id"], errors)
    if errors:
        raise ValidationError(errors)
    household = _household_for(village, clean.pop("household_number"))
    for person_field in EDITABLE:
        if person_field.kind != Kind.HOUSEHOLD:
            setattr(person, person_field.column, clean[person_field.name])
    person.household = household
    after = snapshot(person)
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
