"""How apps register themselves: what each declares, collected once; core knows no app by name.

Every app has a ``registry.py`` whose ``REGISTRY = AppRegistry(...)`` says:

- ``permissions``: permission code → the roles that hold it (``"person.edit": OPERATORS``);
- ``pages``: URL name → the permission the page needs (``"people:edit": "person.edit"``), or
  ``PUBLIC`` for the few pages anyone may open (login); enforced by ``jumin.core.pages.page``,
  and a test proves every URL name has an entry;
- ``menu`` and ``tiles``: the entries of the menu bar and the big buttons of the home page,
  each with the permission it needs and an ``order`` that places it among other apps' entries;
- ``actions``: the app's audit actions, an ``AuditAction`` enum (``<app>.<entity>.<verb>``,
  a Chinese label, a read-only flag, and the names older versions recorded);
- ``object_types``: ``"people.person"`` → "参保人", for the audit page;
- ``routers``: ``ApiRouter("/persons", "jumin.people.api:persons_router")`` for the JSON API;
- ``urls``: ``(("people/", "jumin.people.web.urls"),)`` for the pages: (path prefix, urls
  module) pairs, several when an app's pages live under more than one prefix (each module
  with its own ``app_name``, so URL namespaces stay unique);
- ``region_counts``: numbers the app counts per region (persons, ...) for the region tree and
  the home page, which core draws without knowing the app;
- ``audit_subjects``: search fields of the audit page that find the entries about one thing
  of the app (a person by ID number);
- ``audit_field_labels``: the Chinese names of the fields the app's audit entries record.

Hooks name their function as ``"module:attribute"`` strings, imported when first used, so a
registry never imports the app's models while Django is still loading.

``jumin.core`` collects them in ``registries()`` the first time anything asks; adding an app
touches that app's folder and ``INSTALLED_APPS``, nothing else.
"""

import enum
import functools
import importlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

PUBLIC = "__public__"  # a page anyone may open, signed in or not (the login page)
SIGNED_IN = "__signed_in__"  # a page every signed-in user may open (their own password)


class AuditAction(enum.StrEnum):
    """An audit action: ``PERSON_CREATE = "people.person.create", _("登记参保人")``.

    A third item marks it read-only (a look, an export: recorded outside a write's
    transaction); a fourth lists the names it was recorded under before (``("person.create",)``)
    so entries already in the append-only trail keep their label and their filter.
    """

    def __new__(cls, value: str, label, read_only: bool = False, legacy: Iterable[str] = ()):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.read_only = read_only
        member.legacy = tuple(legacy)
        return member


@dataclass(frozen=True)
class MenuEntry:
    url_name: str
    label: str
    permission: str
    order: int
    hidden_for: frozenset = frozenset()  # roles that may open the page but have no work there


@dataclass(frozen=True)
class HomeTile:
    url_name: str
    label: str
    hint: str
    permission: str | None  # None: every signed-in user
    order: int


@dataclass(frozen=True)
class ApiRouter:
    prefix: str  # "/persons"
    router: str  # "jumin.people.api:persons_router", imported when the API is built


@dataclass(frozen=True)
class RegionCount:
    """A number an app counts per region: ``RegionCount("persons", _("登记人数"),
    "jumin.people.queries.persons:persons_by_region", order=10)``.

    ``count`` names a function ``(user, under, length) -> {code prefix: number}``: the app's
    records in the user's scope whose region code starts with ``under``, grouped by the first
    ``length`` characters of that code, in one query however many regions there are.
    ``list_url_name`` optionally names a page that lists one village's records
    (``?village=CODE``), linked from each village of a township's tree.
    """

    key: str
    label: str
    count: str
    order: int
    on_tree: bool = True
    on_home: bool = True
    list_url_name: str = ""
    list_label: str = ""


@dataclass(frozen=True)
class AuditSubject:
    """A search field of the audit page: ``AuditSubject("id_number", _("参保人身份证号"),
    "jumin.people.queries.history:audit_entries_of_person", max_length=18, not_found=_("……"))``.

    ``find`` names a function ``(user, term) -> Q | None``: a filter on ``AuditEntry`` for the
    entries about what ``term`` names among the records the user may see, or ``None`` when it
    names nothing there (the page then says ``not_found``).
    """

    field: str
    label: str
    find: str
    max_length: int = 100
    not_found: str = ""
    order: int = 100


@dataclass(frozen=True)
class AppRegistry:
    permissions: dict[str, frozenset] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    menu: tuple[MenuEntry, ...] = ()
    tiles: tuple[HomeTile, ...] = ()
    actions: type[AuditAction] | None = None
    object_types: dict[str, str] = field(default_factory=dict)
    routers: tuple[ApiRouter, ...] = ()
    urls: tuple[tuple[str, str], ...] = ()  # (path prefix, urls module) pairs
    region_counts: tuple[RegionCount, ...] = ()
    audit_subjects: tuple[AuditSubject, ...] = ()
    audit_field_labels: str = ""  # "module:MAPPING" of field name → Chinese label


@functools.cache
def registries() -> tuple[tuple[str, AppRegistry], ...]:
    """``(app label, registry)`` of every installed jumin app that has a ``registry.py``, in
    ``INSTALLED_APPS`` order."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("jumin."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.registry")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.registry":
                raise
            continue
        registry = getattr(module, "REGISTRY", None)
        if not isinstance(registry, AppRegistry):
            raise ImproperlyConfigured(f"{config.name}.registry must define REGISTRY")
        found.append((config.label, registry))
    return tuple(found)


def _merged(attribute: str) -> dict:
    merged: dict = {}
    for label, registry in registries():
        for key, value in getattr(registry, attribute).items():
            if key in merged:
                raise ImproperlyConfigured(f"{attribute} {key!r} is declared twice ({label})")
            merged[key] = value
    return merged


@functools.cache
def permissions() -> dict[str, frozenset]:
    return _merged("permissions")


@functools.cache
def pages() -> dict[str, str]:
    return _merged("pages")


@functools.cache
def object_types() -> dict[str, str]:
    return _merged("object_types")


@functools.cache
def menu() -> tuple[MenuEntry, ...]:
    return tuple(sorted((e for _, r in registries() for e in r.menu), key=lambda e: e.order))


@functools.cache
def tiles() -> tuple[HomeTile, ...]:
    return tuple(sorted((t for _, r in registries() for t in r.tiles), key=lambda t: t.order))


@functools.cache
def routers() -> tuple[ApiRouter, ...]:
    return tuple(router for _, registry in registries() for router in registry.routers)


@functools.cache
def url_modules() -> tuple[tuple[str, str], ...]:
    return tuple(pair for _, registry in registries() for pair in registry.urls)


@functools.cache
def region_counts() -> tuple[RegionCount, ...]:
    return tuple(
        sorted((c for _, r in registries() for c in r.region_counts), key=lambda c: c.order)
    )


@functools.cache
def audit_subjects() -> tuple[AuditSubject, ...]:
    return tuple(
        sorted((s for _, r in registries() for s in r.audit_subjects), key=lambda s: s.order)
    )


@functools.cache
def audit_field_labels(object_type: str) -> tuple[dict, ...]:
    """The field-label tables to read an entry on ``object_type`` with: its own app's first,
    then every other app's in ``INSTALLED_APPS`` order."""
    app = object_type.split(".", 1)[0]
    ordered = sorted(registries(), key=lambda item: item[0] != app)
    return tuple(
        dict(resolve(registry.audit_field_labels))
        for _, registry in ordered
        if registry.audit_field_labels
    )


@functools.cache
def resolve(path: str):
    """``"jumin.people.queries.persons:persons_by_region"`` → the function (or value) it names."""
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


@functools.cache
def actions() -> dict[str, AuditAction]:
    """Every action by every name it was ever recorded under (its own and its legacy ones)."""
    found: dict[str, AuditAction] = {}
    for label, registry in registries():
        if registry.actions is None:
            continue
        for action in registry.actions:
            for name in (action.value, *action.legacy):
                if name in found:
                    raise ImproperlyConfigured(f"audit action {name!r} is declared twice ({label})")
                found[name] = action
    return found


def action_of(name) -> AuditAction | None:
    """The declared action for a recorded name (current or legacy), or None."""
    if isinstance(name, AuditAction):
        return name
    return actions().get(str(name))


def action_label(name) -> str:
    """The Chinese label of a recorded action; the raw name only for an undeclared one."""
    action = action_of(name)
    return str(action.label) if action is not None else str(name)


def recorded_names(action: AuditAction) -> tuple[str, ...]:
    """Every name ``action`` may be stored under, for filtering the trail."""
    return (action.value, *action.legacy)
