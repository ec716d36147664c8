"""Writes of the people app, one module per entity. Other apps call the person writes from here;
the roster import (``roster_imports``, ``roster_import_batch``) is imported by its module, which
reads files through ``formats`` (and ``formats`` checks rows with ``persons``)."""

from jumin.people.services.duplicates import duplicate_review_record
from jumin.people.services.persons import (
    clean_person_fields,
    person_create,
    person_update,
    today,
)
from jumin.people.services.statuses import special_status_add, special_status_end

__all__ = [
    "clean_person_fields",
    "duplicate_review_record",
    "person_create",
    "person_update",
    "special_status_add",
    "special_status_end",
    "today",
]
