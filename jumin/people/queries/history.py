"""A person's change history, read from the audit trail and shown with the detail page's masking."""

import datetime
from dataclasses import dataclass, field

from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from jumin.core import registration
from jumin.core.access import masked_for, require, scope
from jumin.core.models import AuditEntry, Region
from jumin.people import fields
from jumin.people.fields import Kind
from jumin.people.models import (
    DuplicateReview,
    Household,
    Person,
    SpecialStatus,
    SpecialStatusKind,
)
from jumin.people.registry import PeopleAction

# The names of the fields the people app's audit entries record (the audit page reads them
# through ``registry.py``): a person's from the spec, by the column stored, then those of
# statuses and duplicate reviews.
FIELD_LABELS = {
    **{f.column: f.label for f in fields.AUDITED},
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
MASKED_FIELDS = {f.column: f.masked_as for f in fields.AUDITED if f.masked_as}
# Stored choices shown by their Chinese label.
CHOICES = {
    **{f.column: f.choices for f in fields.AUDITED if f.kind == Kind.CHOICE},
    "kind": SpecialStatusKind,
    "decision": DuplicateReview.Decision,
}
# Values that name another row: shown by its name (a village) or number (a household).
NAMED = {f.column for f in fields.AUDITED if f.kind in (Kind.VILLAGE, Kind.HOUSEHOLD)}


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
    entries = list(
        AuditEntry.objects.filter(entries_about(person))
        .exclude(action__endswith=".view")
        .exclude(action__endswith=".export")
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )
    names = _names_for(entries)
    return [_history_entry(user, entry, names) for entry in entries]


def entries_about(person: Person) -> Q:
    """The audit entries on this person and on their special statuses (a filter)."""
    status_keys = (
        SpecialStatus.objects.filter(person=person)
        .annotate(key=Cast("pk", CharField(max_length=64)))
        .values("key")
    )
    return Q(object_type="people.person", object_id=str(person.pk)) | Q(
        object_type="people.specialstatus", object_id__in=status_keys
    )


def audit_entries_of_person(user, id_number: str) -> Q | None:
    """For the audit page's search by ID number (declared in ``registry.py``): the entries
    about the person with this ID number, or ``None`` when no person in the user's scope has
    it."""
    number = id_number.strip().replace(" ", "").upper()
    person = scope(Person.objects.filter(id_number=number), user).first()
    return entries_about(person) if person is not None else None


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
    if key in NAMED:
        return names.get((key, value), value)
    if key in CHOICES:
        return str(dict(CHOICES[key].choices).get(value, value))
    return value
