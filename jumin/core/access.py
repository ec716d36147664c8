"""Who may do what, and the one scoping function every page, endpoint, export and job uses.

Each app declares its permissions (code → roles) in its ``registry.py``; views, endpoints and
services ask ``require(user, "person.edit")`` and never test roles by hand.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, Model, Q, QuerySet, Value
from django.http import Http404

from jumin.core.models import Role

ALL_ROLES = frozenset(Role.values)
COUNTY_ROLES = frozenset(
    {Role.COUNTY_ADMIN, Role.COUNTY_CLERK, Role.FINANCE, Role.AUDITOR, Role.LEADER}
)
OPERATORS = frozenset(
    {Role.COUNTY_ADMIN, Role.COUNTY_CLERK, Role.TOWNSHIP_CLERK, Role.VILLAGE_ASSISTANT}
)


def roles_with(permission: str) -> frozenset[str]:
    """The roles that hold ``permission``, as the apps' registries declare it."""
    from jumin.core import registration

    try:
        return registration.permissions()[permission]
    except KeyError:
        raise KeyError(f"permission {permission!r} is declared in no app's registry") from None


class PermissionDeniedForRole(PermissionDenied):
    """Raised by ``require``; pages answer 403 and the API answers a JSON error."""

    def __init__(self, permission: str):
        super().__init__(permission)
        self.permission = permission


def can(user, permission: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in roles_with(permission)


def require(user, permission: str) -> None:
    if not can(user, permission):
        raise PermissionDeniedForRole(permission)


def require_any(user, *permissions: str) -> str:
    """For an act two roles do at different levels (a deposit checked by the township or the
    county): the first of ``permissions`` the user holds; 403 if none."""
    for permission in permissions:
        if can(user, permission):
            return permission
    raise PermissionDeniedForRole(permissions[0])


def scope(queryset: QuerySet, user) -> QuerySet:
    """Limit ``queryset`` to the user's region by code prefix.

    The model names its region-code column in ``scope_field``: its own column
    (``Person.scope_field == "village_id"``), or a path through the relation that says where
    the record belongs (``Enrolment.scope_field == "person__village_id"``: a record about a
    person is scoped by where the person lives now, so it follows the person when the county
    moves them). A model without one cannot be scoped and must not be shown to staff.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.region_id is None:  # no scope assigned yet: nothing at all
        return queryset.none()
    return queryset.filter(**{scope_lookup(queryset.model): user.scope_prefix})


def scope_lookup(model) -> str:
    """``village_id`` → ``village__pk__startswith`` (no join: the code is the Region's key);
    ``person__village_id`` → ``person__village__pk__startswith`` (one join, to the person)."""
    return prefix_lookup(model.scope_field)


def prefix_lookup(field: str) -> str:
    """The lookup that matches a code prefix at ``field``, a region-code column or a path."""
    if field.endswith("_id"):
        return f"{field[:-3]}__pk__startswith"
    return f"{field}__startswith"


def region_code_of(obj) -> str:
    """The region code ``obj`` is scoped by now, following ``scope_field`` through relations
    (an enrolment → its person's village). ``""`` when a link on the way is empty."""
    value = obj
    for part in obj.scope_field.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return ""
    return str(value)


def in_scope_of(user, obj) -> bool:
    """Whether ``obj`` (already loaded) lies in the user's scope, by the same rule as ``scope``."""
    return in_scope(user, region_code_of(obj))


def scope_flag(user, lookup: str) -> ExpressionWrapper:
    """A boolean column for ``annotate``: whether the region code at ``lookup`` (a path to a
    region-code column, e.g. ``"person__village_id"``) lies in the user's scope.

    For rows a user sees as their own records (a township's receipts) that name a person who
    may have moved away since: the page links to the person only where this is true."""
    if not getattr(user, "is_authenticated", False) or user.region_id is None:
        return ExpressionWrapper(Value(False), output_field=BooleanField())
    condition = Q(**{prefix_lookup(lookup): user.scope_prefix})
    return ExpressionWrapper(condition, output_field=BooleanField())


def get_scoped_or_404(queryset: QuerySet, user, **lookup) -> Model:
    """The object if it exists and lies in the user's scope; 404 otherwise, never 403."""
    try:
        return scope(queryset, user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def require_in_scope(user, code_or_obj) -> None:
    """Http404 unless a region code, a Region or a scoped record lies in the user's scope.

    The one outcome for anything out of scope, for pages, the API, exports and jobs alike: it
    does not exist for this user (404), never "forbidden" and never a form error that would
    confirm it exists. ``code_or_obj`` is a region code (``"341125100000"``) or a record with
    ``scope_field`` (a ``Region``, a person, a staff account, ...), judged as ``scope`` would.
    """
    code = code_or_obj if isinstance(code_or_obj, str) else region_code_of(code_or_obj)
    active = getattr(user, "is_authenticated", False) and user.is_active
    if not active or not in_scope(user, code):
        raise Http404


def user_county(user) -> str:
    """The six digits of the county a staff member works in (their region's first six), or
    ``""`` for an account without a region. County jobs and pages default to it."""
    return (getattr(user, "region_id", None) or "")[:6]


def in_scope(user, region_code: str) -> bool:
    return (
        bool(region_code)
        and user.region_id is not None
        and region_code.startswith(user.scope_prefix)
    )


def mask_id_number(value: str) -> str:
    """``341125198001011234`` → ``3411**********1234``: the first 4 and last 4 characters."""
    if not value:
        return value
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """``13912345678`` → ``139****5678``."""
    if not value:
        return value
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def masked_for(user, field: str, value: str) -> str:
    if can(user, "person.view_unmasked"):
        return value
    if field == "phone":
        return mask_phone(value)
    return mask_id_number(value)
