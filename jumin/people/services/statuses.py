"""Giving a person a special status for a period, and ending it; audited in the same transaction."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from jumin.core import audit
from jumin.core.access import require
from jumin.people.models import Person, SpecialStatus, SpecialStatusKind
from jumin.people.registry import PeopleAction

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
