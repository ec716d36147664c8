"""One field specification: every reader of a person's fields takes exactly the spec's list
(filtered by one attribute), so a field added to ``jumin.people.fields`` reaches all of them."""

import dataclasses
import datetime
import io

import openpyxl
import pytest

from jumin.bench import people as bench
from jumin.core.models import Role
from jumin.people import fields
from jumin.people.api import schemas
from jumin.people.demo import PersonRow
from jumin.people.fields import Kind
from jumin.people.formats import person_export, roster_columns, roster_samples
from jumin.people.formats.roster_rows import STAGING_FIELDS
from jumin.people.formats.roster_workbooks import template_workbook
from jumin.people.queries.history import FIELD_LABELS, MASKED_FIELDS
from jumin.people.services.persons import clean_person_fields
from jumin.people.services.roster_import_sql import _PERSON_COLUMNS, _changes
from jumin.people.web.forms import PersonCreateForm, PersonEditForm
from jumin.testing.factories import HouseholdFactory, PersonFactory


def names(person_fields) -> list[str]:
    return [f.name for f in person_fields]


def api_names(person_fields) -> list[str]:
    shown = []
    for person_field in person_fields:
        shown.append(person_field.api_field)
        if person_field.kind == Kind.VILLAGE:
            shown.append("village_name")
    return shown


def test_the_spec_names_each_field_once_and_every_column_of_the_person_table():
    from jumin.people.models import Person

    assert len(set(names(fields.PERSON_FIELDS))) == len(fields.PERSON_FIELDS)
    stored = {f.attname for f in Person._meta.concrete_fields} - {
        "id",
        "created_at",
        "updated_at",
    }
    assert {f.column for f in fields.PERSON_FIELDS} == stored


def test_the_forms_have_the_spec_fields_in_its_order():
    assert list(PersonCreateForm.base_fields) == names(fields.ON_CREATE_FORM)
    assert list(PersonEditForm.base_fields) == [*names(fields.EDITABLE), "reason"]
    assert set(PersonCreateForm.needed) == set(names(fields.REQUIRED))


def test_the_api_schemas_have_the_spec_fields():
    assert list(schemas.PersonIn.model_fields) == [f.api_field for f in fields.REGISTERED]
    required = [name for name, info in schemas.PersonIn.model_fields.items() if info.is_required()]
    assert required == [f.api_field for f in fields.REQUIRED]
    assert list(schemas.PersonPatch.model_fields) == [
        *(f.api_field for f in fields.EDITABLE),
        "reason",
    ]
    assert list(schemas.PersonOut.model_fields) == [
        "id",
        *api_names(fields.PERSON_FIELDS),
        "updated_at",
    ]
    assert list(schemas.PersonListItem.model_fields) == ["id", *api_names(fields.LISTED)]


def test_the_rules_clean_every_field():
    clean, errors = clean_person_fields({}, on=datetime.date(2026, 1, 1))
    assert set(clean) | {"id_number", "sex", "birth_date"} == set(names(fields.PERSON_FIELDS))
    assert set(errors) == set(names(fields.REQUIRED))


def test_the_roster_reads_writes_and_stages_the_importable_fields():
    assert list(roster_columns.FIELDS) == names(fields.IMPORTED)
    assert roster_samples.HEADERS == [f.roster_header for f in fields.IMPORTED]
    assert list(STAGING_FIELDS) == ["row_number", "ok", *names(fields.IMPORTED)]
    assert list(_PERSON_COLUMNS) == [f.column for f in fields.IMPORTED]
    changed = [column for column, _new, _changed in _changes()]
    assert changed == [f.column for f in fields.IMPORTED if f.changes_after_registration]
    for person_field in fields.IMPORTED:
        for alias in (person_field.roster_header, *person_field.aliases):
            header = roster_columns.normalise_header(alias)
            assert roster_columns.FIELD_FOR_HEADER[header] == person_field.name


def test_the_template_has_a_column_per_importable_field():
    workbook = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    header = [cell.value for cell in workbook["花名册"][1]]
    assert header == [f.roster_header for f in fields.IMPORTED]


@pytest.mark.django_db
def test_the_export_audit_and_history_cover_their_fields(tree, staff):
    person = PersonFactory(
        village=tree.village_a1, household=HouseholdFactory(village=tree.village_a1)
    )
    exported = [str(f.label) for f in person_export.exported_fields()]
    assert sorted(person_export.headers()) == sorted([*exported, "乡镇"])
    assert len(person_export.row(staff[Role.COUNTY_ADMIN], person)) == len(person_export.headers())
    assert list(fields.snapshot(person)) == [f.column for f in fields.AUDITED]
    assert {f.column for f in fields.AUDITED} <= set(FIELD_LABELS)
    assert MASKED_FIELDS == {f.column: f.masked_as for f in fields.AUDITED if f.masked_as}


def test_the_demo_and_the_bench_write_every_field():
    """(That the demo stores every field is proven by ``test_demo``'s digest of the table.)"""
    assert [f.name for f in dataclasses.fields(PersonRow)] == names(fields.PERSON_FIELDS)
    assert bench.ROSTER_HEADERS == tuple(f.roster_header for f in fields.IMPORTED)
    assert bench.BARE_COLUMNS == (
        *(f.column for f in fields.IMPORTED),
        "created_at",
        "updated_at",
    )
    assert len(bench.roster_row(PersonRow())) == len(fields.IMPORTED)
