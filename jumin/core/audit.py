"""The audit trail: ``record`` is called by services inside the transaction of their act.

The request's id and address reach it through a context variable set by the middleware, so
services need no request object; jobs and CLI commands set their own context.
"""

import contextlib
import contextvars
import datetime
import decimal
import uuid
from dataclasses import dataclass

from django.db import connection, transaction

from jumin.core import registration
from jumin.core.access import region_code_of
from jumin.core.models import AuditEntry


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None


_context: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "jumin_request_context",
    default=RequestContext(),  # noqa: B039 — frozen dataclass, never mutated
)


def current_context() -> RequestContext:
    return _context.get()


@contextlib.contextmanager
def request_context(request_id: str | None = None, ip_address: str | None = None):
    token = _context.set(RequestContext(request_id or uuid.uuid4().hex, ip_address))
    try:
        yield
    finally:
        _context.reset(token)


def jsonable(value):
    """Turn model field values into JSON the audit trail can keep (Decimal as a string)."""
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def record(
    *,
    actor,
    action: "registration.AuditAction | str",
    obj=None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    region_code: str = "",
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditEntry:
    """Append one audit entry. Must run inside the caller's transaction for writes.

    ``action`` is a member of an app's ``AuditAction`` enum (a name it was recorded under
    before is accepted and stored under its current name); an undeclared action is a bug and
    raises, so every recorded action has a label. Only read-only actions (a look, an export)
    may be recorded outside a transaction.

    Without ``region_code`` the entry takes the region ``obj`` is scoped by at this moment
    (``access.region_code_of``): for a record about a person, where the person lives now."""
    declared = registration.action_of(action)
    if declared is None:
        raise ValueError(f"audit action {action!r} is declared in no app's registry.py")
    if not declared.read_only and not connection.in_atomic_block:
        raise RuntimeError(f"audit.record({declared!r}) must run inside the write's transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_label = object_label or str(obj)[:200]
        region_code = region_code or region_code_of(obj)
    context = current_context()
    actor_known = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if actor_known else None,
        actor_name=(actor.get_username() if actor_known else "system")[:150],
        action=declared.value,
        object_type=object_type,
        object_id=object_id,
        object_label=object_label,
        region_code=region_code,
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        reason=reason,
        request_id=context.request_id,
        ip_address=context.ip_address,
    )


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that differ, as (before, after)."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


atomic = transaction.atomic
