"""Reads on persons, always through ``access.scope``; a look at a person's detail is audited."""

import datetime
import itertools
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    CharField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from jumin.core import audit, registration
from jumin.core.access import get_scoped_or_404, masked_for, require, scope
from jumin.core.models import AuditEntry, Region, RegionLevel
from jumin.core.text import is_ascii_digits
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


def person_list(user) -> QuerySet:
    require(user, "person.view")
    return scope(Person.objects.all(), user)


def person_search(user, text: str, *, limit: int = 50) -> QuerySet:
    """Search by ID number (full or leading digits) or by name (leading characters).

    Prefix matches use the unique index on ``id_number`` and the index on ``name``.
    """
    text = (text or "").strip().replace(" ", "").upper()
    persons = person_list(user).select_related("village")
    if not text:
        return persons.none()
    if is_ascii_digits(text[0]):
        if len(text) in (15, 18):
            from jumin.people.rules import IdNumberError, convert_15_to_18

            try:
                full = convert_15_to_18(text) if len(text) == 15 else text
            except (IdNumberError, ValueError):
                full = text
            return persons.filter(id_number=full)[:limit]
        return persons.filter(id_number__startswith=text).order_by("id_number")[:limit]
    return persons.filter(name__startswith=text).order_by("name", "id_number")[:limit]


def person_get(user, pk) -> Person:
    """A person in the user's scope, or 404. Does not audit: use ``person_view`` for pages."""
    return get_scoped_or_404(
        person_list(user).select_related("village", "village__parent", "household"), user, pk=pk
    )


def person_view(user, pk) -> Person:
    """A staff look at a person's record: fetched through the scope and written to the audit trail."""
    person = person_get(user, pk)
    audit.record(actor=user, action=PeopleAction.PERSON_VIEW, obj=person)
    return person


def person_find_by_id_number(user, id_number: str) -> Person | None:
    """The person with this exact ID number if the user may see them; ``None`` otherwise."""
    return person_list(user).filter(id_number=id_number).first()


def household_get(user, pk) -> Household:
    require(user, "person.view")
    return get_scoped_or_404(Household.objects.select_related("village"), user, pk=pk)


def household_members(user, household: Household) -> QuerySet:
    return person_list(user).filter(household=household).order_by("birth_date")


# --------------------------------------------------------------------------- villages


def village_get(user, code: str) -> Region:
    """A village in the user's scope, or 404 (also for a township code or a made-up one)."""
    require(user, "person.view")
    return get_scoped_or_404(Region.objects.filter(level=RegionLevel.VILLAGE), user, code=code)


def village_choices(user) -> list[tuple[str, list[tuple[str, str]]]]:
    """Villages in the user's scope, grouped by township, for a ``<select>``: one query."""
    villages = scope(Region.objects.filter(level=RegionLevel.VILLAGE), user).select_related(
        "parent"
    )
    groups = []
    for township, members in itertools.groupby(
        villages.order_by("code"), key=lambda village: village.parent
    ):
        label = township.name if township is not None else ""
        groups.append((label, [(village.code, village.name) for village in members]))
    return groups


# --------------------------------------------------------------------------- special statuses


def special_status_list(user, person: Person, *, on: datetime.date) -> QuerySet:
    """The person's special statuses, each annotated ``is_in_force`` on the day ``on``."""
    require(user, "person.view")
    in_force = Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    return (
        scope(SpecialStatus.objects.filter(person=person), user)
        .annotate(is_in_force=ExpressionWrapper(in_force, output_field=BooleanField()))
        .order_by("kind", "-valid_from")
    )


def special_status_get(user, person: Person, pk) -> SpecialStatus:
    require(user, "person.view")
    return get_scoped_or_404(SpecialStatus.objects.filter(person=person), user, pk=pk)


# --------------------------------------------------------------------------- change history

FIELD_LABELS = {
    "id_number": _("身份证号"),
    "name": _("姓名"),
    "sex": _("性别"),
    "birth_date": _("出生日期"),
    "village_id": _("村（社区）"),
    "household_id": _("户号"),
    "relation_to_head": _("与户主关系"),
    "hukou_type": _("户籍类型"),
    "phone": _("联系电话"),
    "passbook_number": _("存折账号"),
    "social_security_card_number": _("社保卡号"),
    "death_date": _("死亡日期"),
    "person": _("参保人"),
    "kind": _("类别"),
    "detail": _("等级/类型"),
    "valid_from": _("开始日期"),
    "valid_to": _("结束日期"),
    "source": _("认定来源/文号"),
    "decision": _("结论"),
    "note": _("说明"),
}
# Values masked for roles without ``person.view_unmasked``, as on the detail page.
MASKED_FIELDS = {
    "id_number": "id_number",
    "phone": "phone",
    "passbook_number": "account",
    "social_security_card_number": "account",
}


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    at: datetime.datetime
    actor: str
    action: str
    reason: str
    is_create: bool = False
    changes: list[FieldChange] = field(default_factory=list)


def person_history(user, person: Person, *, limit: int = 200) -> list[HistoryEntry]:
    """Writes on this person and on their special statuses, newest first, ready to show.

    Every role that may see the person sees this history (with the same masking as the
    detail page); the person was fetched through the scope, so the entries are in scope too.
    Three queries however long the history: entries, village names, household numbers.
    """
    require(user, "person.view")
    status_keys = (
        SpecialStatus.objects.filter(person=person)
        .annotate(key=Cast("pk", CharField(max_length=64)))
        .values("key")
    )
    entries = list(
        AuditEntry.objects.filter(
            Q(object_type="people.person", object_id=str(person.pk))
            | Q(object_type="people.specialstatus", object_id__in=status_keys)
        )
        .exclude(action__endswith=".view")
        .exclude(action__endswith=".export")
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )
    names = _names_for(entries)
    return [_history_entry(user, entry, names) for entry in entries]


def _names_for(entries: list[AuditEntry]) -> dict[tuple[str, str], str]:
    """Village names and household numbers mentioned in ``entries``, fetched in two queries."""
    village_codes, household_ids = set(), set()
    for entry in entries:
        for values in (entry.before or {}, entry.after or {}):
            if values.get("village_id"):
                village_codes.add(str(values["village_id"]))
            if values.get("household_id"):
                household_ids.add(values["household_id"])
    names = {}
    if village_codes:
        for code, name in Region.objects.filter(code__in=village_codes).values_list("code", "name"):
            names["village_id", code] = name
    if household_ids:
        for pk, number in Household.objects.filter(pk__in=household_ids).values_list(
            "pk", "number"
        ):
            names["household_id", str(pk)] = number
    return names


def _history_entry(user, entry: AuditEntry, names: dict) -> HistoryEntry:
    before, after = entry.before or {}, entry.after or {}
    actor = (entry.actor.full_name if entry.actor_id and entry.actor else "") or entry.actor_name
    changes = [
        FieldChange(
            label=str(FIELD_LABELS.get(key, key)),
            before=_shown(user, key, before.get(key), names),
            after=_shown(user, key, after.get(key), names),
        )
        for key in dict.fromkeys([*before, *after])
        if key != "person"
        and (entry.action != PeopleAction.PERSON_CREATE or after.get(key) not in (None, ""))
    ]
    return HistoryEntry(
        at=entry.at,
        actor=actor,
        action=registration.action_label(entry.action),
        reason=entry.reason,
        is_create=entry.action.endswith(".create"),
        changes=changes,
    )


def _shown(user, key: str, value, names: dict) -> str:
    if value in (None, ""):
        return ""
    value = str(value)
    if key in MASKED_FIELDS:
        return masked_for(user, MASKED_FIELDS[key], value)
    if key in ("village_id", "household_id"):
        return names.get((key, value), value)
    choices = {"sex": Sex, "hukou_type": HukouType}
    if key in choices:
        return str(dict(choices[key].choices).get(value, value))
    if key == "kind":
        return str(dict(SpecialStatusKind.choices).get(value, value))
    if key == "decision":
        return str(dict(DuplicateReview.Decision.choices).get(value, value))
    return value


# --------------------------------------------------------------------------- duplicates


@dataclass
class DuplicatePair:
    low: Person
    high: Person
    decision: str = ""  # "" when not reviewed yet, else DuplicateReview.Decision
    note: str = ""


@dataclass
class DuplicateGroup:
    name: str
    birth_date: datetime.date
    persons: list[Person]
    pairs: list[DuplicatePair]


def duplicate_candidates(user, *, village: Region | None = None) -> QuerySet:
    """Persons in scope who share name and birth date with another person in scope, unless
    every such pair was reviewed as "different people". One query: a correlated ``EXISTS``
    over the (name, birth_date) index, with the reviewed pairs excluded in a nested ``EXISTS``.
    """
    persons = person_list(user)
    different = DuplicateReview.objects.filter(decision=DuplicateReview.Decision.DIFFERENT_PEOPLE)
    reviewed_as_low = different.filter(
        person_low=OuterRef(OuterRef("pk")), person_high=OuterRef("pk")
    )
    reviewed_as_high = different.filter(
        person_high=OuterRef(OuterRef("pk")), person_low=OuterRef("pk")
    )
    partners = (
        scope(Person.objects.all(), user)
        .filter(name=OuterRef("name"), birth_date=OuterRef("birth_date"))
        .exclude(pk=OuterRef("pk"))
        .filter(~Exists(reviewed_as_low), ~Exists(reviewed_as_high))
    )
    if village is not None:
        persons = persons.filter(village=village)
    return persons.filter(Exists(partners)).order_by("name", "birth_date", "pk")


def duplicate_groups(
    user, *, village: Region | None = None, limit: int = 500
) -> tuple[list[DuplicateGroup], bool]:
    """Suspected duplicates grouped by (name, birth date); two queries in all.

    Returns at most ``limit`` persons' worth of complete groups and whether more exist.
    """
    candidates = duplicate_candidates(user, village=village).select_related("village", "household")
    rows = list(candidates[: limit + 1])
    more = len(rows) > limit
    groups = [
        list(members)
        for _key, members in itertools.groupby(rows, key=lambda p: (p.name, p.birth_date))
    ]
    if more:
        groups = groups[:-1]  # the last group may be cut short
    reviews = _reviews_among([person.pk for group in groups for person in group])
    result = []
    for members in groups:
        pairs = []
        for low, high in itertools.combinations(members, 2):
            review = reviews.get((low.pk, high.pk))
            if review is not None and review.decision == DuplicateReview.Decision.DIFFERENT_PEOPLE:
                continue
            pairs.append(
                DuplicatePair(
                    low=low,
                    high=high,
                    decision=review.decision if review else "",
                    note=review.note if review else "",
                )
            )
        result.append(
            DuplicateGroup(
                name=members[0].name,
                birth_date=members[0].birth_date,
                persons=members,
                pairs=pairs,
            )
        )
    return result, more


def _reviews_among(person_ids: list[int]) -> dict[tuple[int, int], DuplicateReview]:
    if not person_ids:
        return {}
    reviews = DuplicateReview.objects.filter(person_low__in=person_ids, person_high__in=person_ids)
    return {(review.person_low_id, review.person_high_id): review for review in reviews}


# --------------------------------------------------------------------------- export

EXPORT_COLUMNS = (
    ("name", _("姓名")),
    ("id_number", _("身份证号")),
    ("sex", _("性别")),
    ("birth_date", _("出生日期")),
    ("township", _("乡镇")),
    ("village", _("村（社区）")),
    ("household", _("户号")),
    ("relation_to_head", _("与户主关系")),
    ("hukou_type", _("户籍类型")),
    ("phone", _("联系电话")),
    ("death_date", _("死亡日期")),
)


def person_export_rows(user, *, village: Region | None = None):
    """Rows for the Excel export, masked for the user's role; read in chunks from the database."""
    persons = person_list(user).select_related("village", "village__parent", "household")
    if village is not None:
        persons = persons.filter(village=village)
    sexes, hukou_types = dict(Sex.choices), dict(HukouType.choices)
    for person in persons.order_by("village_id", "pk").iterator(chunk_size=2000):
        yield (
            person.name,
            masked_for(user, "id_number", person.id_number),
            str(sexes.get(person.sex, person.sex)),
            person.birth_date,
            person.village.parent.name if person.village.parent_id else "",
            person.village.name,
            person.household.number if person.household_id else "",
            person.relation_to_head,
            str(hukou_types.get(person.hukou_type, person.hukou_type)),
            masked_for(user, "phone", person.phone),
            person.death_date,
        )
