"""Reads for staff, always scoped to the acting user's region."""

import datetime
from dataclasses import dataclass

from django.db.models import CharField, Count, Q, QuerySet
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from jumin.core import registration
from jumin.core.access import can, get_scoped_or_404, require, scope
from jumin.core.auth import locked_usernames
from jumin.core.models import PREFIX_LENGTH, AuditEntry, Region, RegionLevel, Role, User

# --------------------------------------------------------------------------- regions


def region_get(user, code: str) -> Region:
    return get_scoped_or_404(Region.objects.select_related("parent"), user, code=code)


def region_children(user, region: Region):
    return scope(Region.objects.filter(parent=region), user).order_by("code")


def region_breadcrumbs(user, region: Region) -> list[Region]:
    """The regions from the user's own down to ``region``, never above the user's scope."""
    if user.region_id is None:
        return []
    top = user.region.level
    codes = [
        region.code[: PREFIX_LENGTH[level]].ljust(12, "0")
        for level in RegionLevel.values
        if top <= level < region.level
    ]
    found = scope(Region.objects.filter(code__in=codes), user).in_bulk()
    return [found[code] for code in codes if code in found]


@dataclass
class RegionRow:
    region: Region
    townships: int = 0
    villages: int = 0
    persons: int = 0


def region_child_rows(user, region: Region) -> list[RegionRow]:
    """The region's children with how many townships, villages and persons each holds.

    Four queries however many children: the children, then one grouped count each.
    """
    from jumin.people.models import Person

    children = list(region_children(user, region))
    if not children or region.level >= RegionLevel.VILLAGE:
        return [RegionRow(child) for child in children]
    length = PREFIX_LENGTH[RegionLevel(region.level + 1)]
    under = region.prefix
    rows = {child.code[:length]: RegionRow(child) for child in children}
    below = scope(Region.objects.filter(code__startswith=under), user)
    for level, attribute in (
        (RegionLevel.TOWNSHIP, "townships"),
        (RegionLevel.VILLAGE, "villages"),
    ):
        if level <= region.level + 1:
            continue
        counts = (
            below.filter(level=level)
            .annotate(key=Substr("code", 1, length))
            .values("key")
            .annotate(count=Count("code"))
        )
        for item in counts:
            if item["key"] in rows:
                setattr(rows[item["key"]], attribute, item["count"])
    persons = (
        scope(Person.objects.filter(village__pk__startswith=under), user)
        .annotate(key=Substr("village_id", 1, length))
        .values("key")
        .annotate(count=Count("id"))
    )
    for item in persons:
        if item["key"] in rows:
            rows[item["key"]].persons = item["count"]
    return list(rows.values())


def region_totals(user, region: Region) -> dict:
    """Townships, villages and persons under ``region`` (in the user's scope)."""
    from jumin.people.models import Person

    regions = scope(Region.objects.filter(code__startswith=region.prefix), user).aggregate(
        townships=Count("code", filter=Q(level=RegionLevel.TOWNSHIP)),
        villages=Count("code", filter=Q(level=RegionLevel.VILLAGE)),
    )
    persons = scope(Person.objects.filter(village__pk__startswith=region.prefix), user).count()
    return {**regions, "persons": persons}


def region_choices_for_staff(user) -> list[tuple[str, list[tuple[str, str]]]]:
    """Regions a county administrator may give an account, grouped for a ``<select>``."""
    regions = scope(
        Region.objects.filter(
            level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE]
        ),
        user,
    ).order_by("code")
    groups: dict[str, list[tuple[str, str]]] = {}
    township_names: dict[str, str] = {}
    for region in regions:
        if region.level == RegionLevel.COUNTY:
            groups.setdefault("县级", []).append((region.code, f"{region.name}（县级）"))
        elif region.level == RegionLevel.TOWNSHIP:
            township_names[region.code[:9]] = region.name
            groups.setdefault(region.name, []).append((region.code, f"{region.name}（乡镇）"))
        else:
            township = township_names.get(region.code[:9], region.code[:9])
            groups.setdefault(township, []).append((region.code, f"　{region.name}（村）"))
    return list(groups.items())


# --------------------------------------------------------------------------- staff


def staff_list(user, *, text: str = "", role: str = "") -> QuerySet:
    require(user, "staff.manage")
    users = scope(User.objects.select_related("region"), user)
    text = text.strip()
    if text:
        users = users.filter(
            Q(username__icontains=text) | Q(full_name__icontains=text) | Q(phone__contains=text)
        )
    if role:
        users = users.filter(role=role)
    return users.order_by("region_id", "role", "username")


def staff_get(user, pk) -> User:
    """An account in the administrator's scope, or 404 (also for a guessed id)."""
    require(user, "staff.manage")
    return get_scoped_or_404(User.objects.select_related("region"), user, pk=pk)


# --------------------------------------------------------------------------- home


def home_summary(user) -> dict:
    """What the home page shows: the user's area, how many people live in it, and for
    administrators the accounts that need attention."""
    from jumin.people.models import Person

    persons = scope(Person.objects.all(), user).aggregate(
        total=Count("id"), alive=Count("id", filter=Q(death_date__isnull=True))
    )
    regions = scope(Region.objects.all(), user).aggregate(
        townships=Count("code", filter=Q(level=RegionLevel.TOWNSHIP)),
        villages=Count("code", filter=Q(level=RegionLevel.VILLAGE)),
    )
    summary = {"region": user.region, "persons": persons, "regions": regions}
    if can(user, "staff.manage"):
        summary["staff"] = scope(User.objects.all(), user).aggregate(
            active=Count("id", filter=Q(is_active=True)),
            locked=Count("id", filter=Q(username__in=locked_usernames(), is_active=True)),
        )
    if can(user, "audit.view"):
        today = timezone.localdate()
        start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
        summary["audit_today"] = (
            audit_scope(AuditEntry.objects.all(), user).filter(at__gte=start).count()
        )
    return summary


# --------------------------------------------------------------------------- audit trail


def action_choices() -> list[tuple[str, str]]:
    """Every declared audit action as (current name, Chinese label), by label."""
    declared = {action.value: str(action.label) for action in registration.actions().values()}
    return sorted(declared.items(), key=lambda item: item[1])


def object_type_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in registration.object_types().items()]


def object_type_label(object_type: str) -> str:
    return str(registration.object_types().get(object_type, object_type))


FIELD_LABELS = {
    "username": "用户名",
    "full_name": "姓名",
    "role": "角色",
    "region_id": "管辖区域",
    "phone": "联系电话",
    "is_active": "账号可用",
    "locked_until": "锁定至",
    "failed_logins": "连续失败次数",
    "locked": "已锁定",
    "attempts": "登录失败记录（按地址）",
    "attempts_cleared": "清除的登录失败记录",
    "ip_address": "地址",
    "failures": "失败次数",
    "last_attempt": "最近一次",
    "temporary": "临时密码",
    "name": "名称",
    "level": "级别",
    "parent_id": "上级区划",
    "valid_from": "生效日期",
    "valid_to": "失效日期",
    "codes": "代码",
    "file": "文件",
    "rows": "行数",
    "created": "新增",
    "updated": "更新",
    "unchanged": "未变",
    "filters": "查询条件",
}
# Stored codes shown by their Chinese names on the audit page.
VALUE_LABELS = {
    "level": {str(value): str(label) for value, label in RegionLevel.choices},
    "role": {str(value): str(label) for value, label in Role.choices},
}
AUDIT_PAGE_SIZE = 50
AUDIT_EXPORT_LIMIT = 100_000


def audit_scope(entries: QuerySet, user) -> QuerySet:
    """Entries whose region lies in the user's scope; entries with no region (a system act,
    a failed login of an unknown account) only for users with a county or wider scope."""
    in_scope = scope(entries, user)
    if user.region_id is not None and user.region.level <= RegionLevel.COUNTY and user.is_active:
        return in_scope | entries.filter(region_code="")
    return in_scope


@dataclass
class AuditFilters:
    id_number: str = ""
    actor: str = ""
    action: str = ""
    object_type: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    request_id: str = ""

    def as_dict(self) -> dict:
        return {key: value for key, value in self.__dict__.items() if value not in ("", None)}


@dataclass
class AuditSearch:
    entries: QuerySet
    person_not_found: bool = False


def audit_search(user, filters: AuditFilters) -> AuditSearch:
    """Audit entries in the user's scope matching ``filters``, newest first.

    An ID number is looked up among the persons the user may see; its entries are those on
    the person and on the person's special statuses.
    """
    require(user, "audit.view")
    entries = audit_scope(AuditEntry.objects.select_related("actor"), user)
    if filters.id_number:
        person_entries = _person_entries(user, filters.id_number)
        if person_entries is None:
            return AuditSearch(entries=entries.none(), person_not_found=True)
        entries = entries.filter(person_entries)
    if filters.actor:
        entries = entries.filter(actor_name__istartswith=filters.actor.strip())
    if filters.action:
        declared = registration.action_of(filters.action)
        names = registration.recorded_names(declared) if declared else (filters.action,)
        entries = entries.filter(action__in=names)
    if filters.object_type:
        entries = entries.filter(object_type=filters.object_type)
    if filters.date_from:
        entries = entries.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to:
        entries = entries.filter(at__lt=_start_of(filters.date_to + datetime.timedelta(days=1)))
    if filters.request_id:
        entries = entries.filter(request_id=filters.request_id.strip())
    return AuditSearch(entries=entries.order_by("-at", "-id"))


def _person_entries(user, id_number: str) -> Q | None:
    from jumin.people.models import Person, SpecialStatus

    number = id_number.strip().replace(" ", "").upper()
    person = scope(Person.objects.filter(id_number=number), user).first()
    if person is None:
        return None
    status_keys = (
        SpecialStatus.objects.filter(person=person)
        .annotate(key=Cast("pk", CharField(max_length=64)))
        .values("key")
    )
    return Q(object_type="people.person", object_id=str(person.pk)) | Q(
        object_type="people.specialstatus", object_id__in=status_keys
    )


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_changes(entry: AuditEntry, user) -> list[tuple[str, str, str]]:
    """(field, before, after) for display; ID and phone numbers masked as elsewhere."""
    from jumin.core.access import masked_for

    before, after = entry.before or {}, entry.after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [("", _text(before), _text(after))]
    rows = []
    for key in dict.fromkeys([*before, *after]):
        old, new = _text(before.get(key)), _text(after.get(key))
        if key in VALUE_LABELS:
            old, new = (VALUE_LABELS[key].get(value, value) for value in (old, new))
        if key in ("id_number", "phone"):
            old = masked_for(user, key, old) if old else old
            new = masked_for(user, key, new) if new else new
        if old or new:
            rows.append((_field_label(key, entry.object_type), old, new))
    return rows


def _field_label(key: str, object_type: str) -> str:
    from jumin.people.queries import FIELD_LABELS as PERSON_FIELD_LABELS

    tables = (FIELD_LABELS, PERSON_FIELD_LABELS)
    if object_type.startswith("people."):
        tables = tables[::-1]
    return next((table[key] for table in tables if key in table), key)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_text(item) for item in value)
    if isinstance(value, dict):
        return "；".join(f"{key}: {_text(item)}" for key, item in value.items())
    return str(value)
