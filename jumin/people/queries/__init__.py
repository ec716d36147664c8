"""Reads of the people app, one module per entity, each taking the acting user for scoping.
Other apps call them from here."""

from jumin.people.queries.duplicates import duplicate_candidates, duplicate_groups
from jumin.people.queries.history import person_history
from jumin.people.queries.persons import (
    household_get,
    household_members,
    person_export_list,
    person_find_by_id_number,
    person_get,
    person_list,
    person_search,
    person_view,
)
from jumin.people.queries.roster_imports import (
    roster_import_get,
    roster_import_list,
    roster_import_recent,
)
from jumin.people.queries.statuses import special_status_get, special_status_list
from jumin.people.queries.villages import village_choices, village_get

__all__ = [
    "duplicate_candidates",
    "duplicate_groups",
    "household_get",
    "household_members",
    "person_export_list",
    "person_find_by_id_number",
    "person_get",
    "person_history",
    "person_list",
    "person_search",
    "person_view",
    "roster_import_get",
    "roster_import_list",
    "roster_import_recent",
    "special_status_get",
    "special_status_list",
    "village_choices",
    "village_get",
]
