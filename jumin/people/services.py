"""Writes on persons and households: one transaction per act, audited in that transaction."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from jumin.core import audit
from jumin.core.access import in_scope, require
from jumin.core.models import Region, RegionLevel
from jumin.people.models import (
    DuplicateReview,
    Household,
    HukouType,
    Person,
    Sex,
    SpecialStatus,
    SpecialStatusKind,
)
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


DETAIL_CHOICES = {
    SpecialStatusKind.SEVERE_DISABILITY: {
        "1": "1",
        "2": "2",
        "3": "3",
        "4": "4",
        "一级": "1",
        "二级": "2",
        "三级": "3",
        "四级": "4",
    },
    SpecialStatusKind.SUBSISTENCE_ALLOWANCE: {
        "full": "full",
        "partial": "partial",
        "全额": "full",
        "差额": "partial",
    },
}
DETAIL_MESSAGES = {
    SpecialStatusKind.SEVERE_DISABILITY: "重度残疾人须填写残疾等级：1、2、3 或 4 级",
    SpecialStatusKind.SUBSISTENCE_ALLOWANCE: "低保对象须选择类型：全额或差额",
}


def clean_special_status_detail(kind: str, detail: str) -> tuple[str, dict]:
    """The stored form of ``detail`` for ``kind`` and {field: Chinese message} if it is wrong."""
    if kind not in SpecialStatusKind.values:
        return detail, {"kind": "请选择特殊群体类别"}
    detail = str(detail or "").strip()
    choices = DETAIL_CHOICES.get(kind)
    if choices is None:
        if len(detail) > 20:
            return detail, {"detail": "等级/类型最多20个字"}
        return detail, {}
    if detail.removesuffix("级") in choices:
        detail = detail.removesuffix("级")
    if detail not in choices:
        return detail, {"detail": DETAIL_MESSAGES[kind]}
    return choices[detail], {}


def _overlapping(status_query, *, valid_from, valid_to):
    """Statuses in ``status_query`` whose period shares at least one day with the given one."""
    overlapping = status_query.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    if valid_to is not None:
        overlapping = overlapping.filter(valid_from__lte=valid_to)
    return overlapping


def _period_text(status: SpecialStatus) -> str:
    end = f"{status.valid_to:%Y-%m-%d}" if status.valid_to else "至今"
    return f"{status.valid_from:%Y-%m-%d} 至 {end}"


@transaction.atomic
def special_status_add(
    *,
    acting_user,
    person: Person,
    kind: str,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    detail: str = "",
    source: str = "",
) -> SpecialStatus:
    """Give ``person`` a special status for a period (inclusive; open-ended if no end date).

    Repeating the same request returns the status already stored. Two periods of the same
    kind may not overlap, because subsidies ask which status was in force on a date.
    """
    require(acting_user, "person.edit")
    detail, errors = clean_special_status_detail(kind, detail)
    if valid_from is None:
        errors["valid_from"] = "请填写开始日期"
    elif valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = "结束日期不能早于开始日期"
    source = str(source or "").strip()
    if len(source) > 100:
        errors["source"] = "认定来源/文号最多100个字"
    if errors:
        raise ValidationError(errors)
    Person.objects.select_for_update().filter(pk=person.pk).first()  # one writer per person
    statuses = SpecialStatus.objects.filter(person=person, kind=kind)
    same_start = statuses.filter(valid_from=valid_from).first()
    if same_start is not None:
        if (same_start.valid_to, same_start.detail, same_start.source) == (
            valid_to,
            detail,
            source,
        ):
            return same_start
        raise ValidationError(
            {"valid_from": f"这一天开始的{same_start.get_kind_display()}身份已经登记"}
        )
    clash = _overlapping(statuses, valid_from=valid_from, valid_to=valid_to).first()
    if clash is not None:
        raise ValidationError(
            {
                "valid_from": f"与已有的{clash.get_kind_display()}身份期间"
                f"（{_period_text(clash)}）重叠，请先结束原来的身份"
            }
        )
    status = SpecialStatus.objects.create(
        person=person,
        village_id=person.village_id,
        kind=kind,
        valid_from=valid_from,
        valid_to=valid_to,
        detail=detail,
        source=source,
    )
    audit.record(
        actor=acting_user,
        action=PeopleAction.STATUS_CREATE,
        obj=status,
        after={
            "person": person.pk,
            "kind": kind,
            "detail": detail,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "source": source,
        },
    )
    return status


@transaction.atomic
def special_status_end(
    *, acting_user, status: SpecialStatus, valid_to: datetime.date, reason: str = ""
) -> SpecialStatus:
    """Set the last day a status is in force. Repeating it with the same day changes nothing."""
    require(acting_user, "person.edit")
    if valid_to is None:
        raise ValidationError({"valid_to": "请填写结束日期"})
    status = SpecialStatus.objects.select_for_update().get(pk=status.pk)
    if valid_to < status.valid_from:
        raise ValidationError(
            {"valid_to": f"结束日期不能早于开始日期（{status.valid_from:%Y-%m-%d}）"}
        )
    if status.valid_to == valid_to:
        return status
    later = (
        _overlapping(
            SpecialStatus.objects.filter(person_id=status.person_id, kind=status.kind),
            valid_from=status.valid_from,
            valid_to=valid_to,
        )
        .exclude(pk=status.pk)
        .first()
    )
    if later is not None:
        raise ValidationError(
            {"valid_to": f"结束日期与另一段同类身份（{_period_text(later)}）重叠"}
        )
    before = {"valid_to": status.valid_to}
    status.valid_to = valid_to
    status.save(update_fields=["valid_to"])
    audit.record(
        actor=acting_user,
        action=PeopleAction.STATUS_END,
        obj=status,
        before=before,
        after={"valid_to": valid_to},
        reason=str(reason or "").strip()[:500],
    )
    return status


@transaction.atomic
def duplicate_review_record(
    *, acting_user, first: Person, second: Person, decision: str, note: str = ""
) -> DuplicateReview:
    """Record a reviewer's conclusion on a pair of suspected duplicates.

    Both persons must come from a scoped query. The pair is stored once (lower id first);
    repeating the same conclusion changes nothing, a new conclusion replaces the old one.
    """
    require(acting_user, "duplicate.review")
    errors = {}
    if decision not in DuplicateReview.Decision.values:
        errors["decision"] = "请选择核查结论"
    if first.pk == second.pk:
        errors["decision"] = "同一个人不能和自己比对"
    note = str(note or "").strip()
    if len(note) > 500:
        errors["note"] = "说明最多500个字"
    if errors:
        raise ValidationError(errors)
    low, high = sorted((first, second), key=lambda person: person.pk)
    review = (
        DuplicateReview.objects.select_for_update().filter(person_low=low, person_high=high).first()
    )
    if review is None:
        try:
            with transaction.atomic():
                review = DuplicateReview.objects.create(
                    person_low=low,
                    person_high=high,
                    village_id=low.village_id,
                    decision=decision,
                    note=note,
                    reviewed_by=acting_user,
                )
        except IntegrityError:  # the same review posted twice at once: the other one won
            review = DuplicateReview.objects.select_for_update().get(
                person_low=low, person_high=high
            )
        else:
            audit.record(
                actor=acting_user,
                action=PeopleAction.DUPLICATE_REVIEW_CREATE,
                obj=review,
                after={"decision": decision, "note": note, "persons": [low.pk, high.pk]},
            )
            return review
    if (review.decision, review.note) == (decision, note):
        return review
    before = {"decision": review.decision, "note": review.note}
    review.decision, review.note = decision, note
    review.reviewed_by, review.reviewed_at = acting_user, timezone.now()
    review.save()
    audit.record(
        actor=acting_user,
        action=PeopleAction.DUPLICATE_REVIEW_UPDATE,
        obj=review,
        before=before,
        after={"decision": decision, "note": note},
    )
    return review
