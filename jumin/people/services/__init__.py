"""Writes of the people app, one module per entity. Other apps call them from here."""

from jumin.people.services.duplicates import duplicate_review_record
from jumin.people.services.persons import (
    clean_person_fields,
    person_create,
    person_update,
    today,
)
from jumin.people.services.roster_imports import roster_import_submit
from jumin.people.services.statuses import special_status_add, special_status_end

__all__ = [
    "clean_person_fields",
    "duplicate_review_record",
    "person_create",
    "person_update",
    "roster_import_submit",
    "special_status_add",
    "special_status_end",
    "today",
]
