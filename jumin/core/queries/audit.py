"""Reads of the audit trail for staff, always scoped to the acting user's region."""

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from jumin.core import registration
from jumin.core.access import require, scope
from jumin.core.models import AuditEntry, RegionLevel, Role


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
    actor: str = ""
    action: str = ""
    object_type: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    request_id: str = ""
    # the apps' search fields (``registration.audit_subjects``): field name → term
    subjects: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        values = {**self.subjects, **self.__dict__}
        del values["subjects"]
        return {key: value for key, value in values.items() if value not in ("", None)}


@dataclass
class AuditSearch:
    entries: QuerySet
    not_found: list[str] = field(default_factory=list)  # what a subject search found nothing for


def audit_search(user, filters: AuditFilters) -> AuditSearch:
    """Audit entries in the user's scope matching ``filters``, newest first.

    A subject term (an ID number) is looked up by the app that declared it among the records
    the user may see; its entries are those about that record (a person and the person's
    special statuses).
    """
    require(user, "audit.view")
    entries = audit_scope(AuditEntry.objects.select_related("actor"), user)
    for subject in registration.audit_subjects():
        term = filters.subjects.get(subject.field, "")
        if not term:
            continue
        about = registration.resolve(subject.find)(user, term)
        if about is None:
            return AuditSearch(entries=entries.none(), not_found=[str(subject.not_found)])
        entries = entries.filter(about)
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
    """The Chinese name of a recorded field, from the tables the apps declare (the entry's
    own app first)."""
    tables = registration.audit_field_labels(object_type)
    return next((str(table[key]) for table in tables if key in table), key)


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
