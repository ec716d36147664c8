"""The people app's tables, one module per aggregate; import them from here."""

from jumin.people.models.duplicate import DuplicateReview
from jumin.people.models.person import Household, HukouType, Person, Sex
from jumin.people.models.roster_import import RosterImport
from jumin.people.models.status import (
    DETAIL_CHOICES,
    DETAIL_LABELS,
    SpecialStatus,
    SpecialStatusKind,
    SpecialStatusQuerySet,
)

__all__ = [
    "DETAIL_CHOICES",
    "DETAIL_LABELS",
    "DuplicateReview",
    "Household",
    "HukouType",
    "Person",
    "RosterImport",
    "Sex",
    "SpecialStatus",
    "SpecialStatusKind",
    "SpecialStatusQuerySet",
]
