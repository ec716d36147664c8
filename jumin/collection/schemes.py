"""The schemes collection serves, and what each supplies: collection knows no scheme by name.

A scheme (the pension now, medical insurance next) declares itself in its app's
``registry.py`` as ``COLLECTION_SCHEME = CollectionScheme(...)``; ``schemes()`` finds them
through ``django.apps`` the first time it is asked. What a scheme supplies:

- ``code`` and ``label``: the value of ``Due.scheme`` for its dues and how pages name it;
- ``bank_payers(dues)``: of the open dues of the scheme given, those whose payer still pays
  (the pension: a paying enrolment). Bank withholding takes these into a batch;
- ``roster(persons)``: of the persons given, those the scheme expects to pay (the pension: a
  paying enrolment). The monthly reconciliation counts them and checks each payer of a cash
  receipt against them;
- ``posting_page`` and ``posting_label``: the page where the scheme credits the money
  collection confirmed (the pension's 记账), linked from the reconciliation page;
- ``on_paid(dues)`` (optional): told, in the transaction that pays them, of the scheme's dues
  just paid (bank, cash, tax) or funded by the government. ``DueQuerySet.transition`` calls
  it through ``paid(...)`` for every step that pays, so no payment channel can forget it (the
  medical scheme sets the covered-from date then; the pension declares none). It may be
  given a due it was told of before and must then change nothing.

Both take and return querysets, so a withholding batch or a village's month stays a handful
of set-based statements whatever the number of schemes: each scheme's answer becomes a
subquery of collection's own statement. One batch, tax file or receipt book may carry the
dues of several schemes; every due names its own.
"""

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q, QuerySet


@dataclass(frozen=True)
class CollectionScheme:
    code: str
    label: str
    bank_payers: Callable[[QuerySet], QuerySet]
    roster: Callable[[QuerySet], QuerySet]
    posting_page: str = ""  # a URL name
    posting_label: str = ""
    on_paid: Callable[[QuerySet], object] | None = None


@functools.cache
def schemes() -> dict[str, CollectionScheme]:
    """Every scheme the installed apps declare, by code, in ``INSTALLED_APPS`` order."""
    found: dict[str, CollectionScheme] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("jumin."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.registry")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.registry":
                raise
            continue
        scheme = getattr(module, "COLLECTION_SCHEME", None)
        if scheme is not None:
            found[scheme.code] = scheme
    return found


def label_of(code: str) -> str:
    scheme = schemes().get(code)
    return str(scheme.label) if scheme is not None else code


def bank_payers(dues: QuerySet) -> QuerySet:
    """The dues of ``dues`` (any schemes) whose scheme says their payer still pays."""
    condition = Q(pk__in=[])
    for code, scheme in schemes().items():
        condition |= Q(pk__in=scheme.bank_payers(dues.filter(scheme=code)).values("pk"))
    return dues.filter(condition)


def expected_payers(persons: QuerySet) -> QuerySet:
    """The persons of ``persons`` whom any scheme expects to pay."""
    condition = Q(pk__in=[])
    for scheme in schemes().values():
        condition |= Q(pk__in=scheme.roster(persons).values("pk"))
    return persons.filter(condition)


def paid(dues: QuerySet) -> None:
    """Tell every scheme that declares ``on_paid`` of its dues among ``dues`` (just paid).
    One call per scheme with a queryset, whatever the number of dues."""
    for code, scheme in schemes().items():
        if scheme.on_paid is not None:
            scheme.on_paid(dues.filter(scheme=code))
