"""The set-based side of the roster import: a staging table and a handful of SQL statements.

Validated rows go into a temporary staging table. Everything after that is one statement per
step, the same SQL on both databases: duplicates in the file and IDs registered outside the
importer's scope are found with one query each; households are created with one
``INSERT … SELECT``; the audit entries, the updates and the new persons are one statement
each. No statement is issued per row, so the number of queries does not grow with the file.

What differs by database sits in small functions, each with a portable fallback:
``staging_write`` (COPY on PostgreSQL, ``executemany`` elsewhere), ``staging_ready``
(statistics or an index), ``_json_value``/``_json_column`` (JSON text) and
``insertion_order`` (PostgreSQL inserts in index order).
"""

from dataclasses import dataclass

from django.db import connection

from jumin.people import fields
from jumin.people.fields import Kind
from jumin.people.formats.roster_rows import STAGING_FIELDS
from jumin.people.registry import PeopleAction

STAGING_TABLE = "roster_import_staging"

# Staging column types; the rest is text. Dates are text on SQLite, as Django stores them.
_STAGING_TYPES = {
    "row_number": "integer NOT NULL",
    "ok": "smallint NOT NULL",
    **{f.name: "{date}" for f in fields.IMPORTED if f.kind == Kind.DATE},
    **{f.name: f"varchar({f.max_length})" for f in fields.IMPORTED if f.kind == Kind.VILLAGE},
    "id_number": "varchar(18) NOT NULL",
}
# The person table's columns the import writes: the importable fields, a household by its id.
_PERSON_COLUMNS = tuple(f.column for f in fields.IMPORTED)
_HOUSEHOLD_JOIN = (
    "LEFT JOIN people_household h ON h.village_id = s.village_id "
    "AND h.number = s.household_number AND s.household_number <> ''"
)
# The household after the import: the one named in the file; else the current one, unless the
# person moves to another village (a household belongs to one village).
_NEW_HOUSEHOLD = "COALESCE(h.id, CASE WHEN s.village_id = p.village_id THEN p.household_id END)"

OUT_OF_SCOPE_MESSAGE = (
    "该身份证号已在您管辖范围以外的地区登记，不能通过导入修改；如需迁入请联系县级经办机构"
)


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


# --------------------------------------------------------------------------- staging table


def staging_create() -> None:
    date_type = "date" if is_postgresql() else "text"
    columns = ", ".join(
        f"{field} {_STAGING_TYPES.get(field, 'text').format(date=date_type)}"
        for field in STAGING_FIELDS
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING_TABLE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGING_TABLE} ({columns}, "
            "person_id bigint NULL, person_village varchar(12) NULL, changed smallint NULL)"
        )


def staging_drop() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING_TABLE}")


def staging_write(rows: list[tuple]) -> None:
    """Append validated rows to the staging table: COPY on PostgreSQL, else ``executemany``."""
    if not rows:
        return
    if is_postgresql():
        _staging_copy(rows)
        return
    placeholders = ", ".join(["%s"] * len(STAGING_FIELDS))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {STAGING_TABLE} ({', '.join(STAGING_FIELDS)}) VALUES ({placeholders})",
            rows,
        )


def _staging_copy(rows: list[tuple]) -> None:
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        with cursor.copy(f"COPY {STAGING_TABLE} ({', '.join(STAGING_FIELDS)}) FROM STDIN") as copy:
            write_row = copy.write_row
            for row in rows:
                write_row(row)


def staging_ready() -> None:
    """Give the planner the staging table's statistics (PostgreSQL never analyses temp tables)."""
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute(f"ANALYZE {STAGING_TABLE}")
        else:
            cursor.execute(f"CREATE INDEX {STAGING_TABLE}_id_number ON {STAGING_TABLE} (id_number)")


# --------------------------------------------------------------------------- checks


def duplicate_rows() -> list[tuple[int, str, list[int]]]:
    """[(row, id number, every row with that id number)] for IDs given more than once.

    Those rows are marked not ok: which of them is right is for the clerk to say.
    """
    duplicated = f"SELECT id_number FROM {STAGING_TABLE} GROUP BY id_number HAVING COUNT(*) > 1"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT row_number, id_number FROM {STAGING_TABLE} "
            f"WHERE id_number IN ({duplicated}) ORDER BY id_number, row_number"
        )
        found = cursor.fetchall()
        if found:
            cursor.execute(
                f"UPDATE {STAGING_TABLE} SET ok = 0 WHERE ok = 1 AND id_number IN ({duplicated})"
            )
    rows_by_id: dict[str, list[int]] = {}
    for row_number, id_number in found:
        rows_by_id.setdefault(id_number, []).append(row_number)
    return [(row_number, id_number, rows_by_id[id_number]) for row_number, id_number in found]


def match_persons(scope_prefix: str) -> list[tuple[int, str]]:
    """Link staged rows to the persons already registered and mark the rows that change them;
    refuse those registered outside the scope.

    Returns [(row, id number)] of rows whose person is registered in a village outside
    ``scope_prefix``; they are marked not ok. Nothing more about that person is revealed.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {STAGING_TABLE} AS s SET person_id = p.id, person_village = p.village_id, "
            f"changed = CASE WHEN {_any_change()} THEN 1 ELSE 0 END "
            "FROM people_person AS p LEFT JOIN people_household AS h0 ON h0.id = p.household_id "
            "WHERE p.id_number = s.id_number AND s.ok = 1"
        )
        outside = "ok = 1 AND person_id IS NOT NULL AND substr(person_village, 1, %s) <> %s"
        params = [len(scope_prefix), scope_prefix]
        cursor.execute(
            f"SELECT row_number, id_number FROM {STAGING_TABLE} WHERE {outside} "
            "ORDER BY row_number",
            params,
        )
        found = cursor.fetchall()
        if found:
            cursor.execute(f"UPDATE {STAGING_TABLE} SET ok = 0 WHERE {outside}", params)
    return found


def count_ok() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {STAGING_TABLE} WHERE ok = 1")
        return cursor.fetchone()[0]


# --------------------------------------------------------------------------- writing


@dataclass
class AuditFacts:
    """Who and when, for the audit rows written set-based next to the change."""

    at: object
    actor_id: int | None
    actor_name: str
    request_id: str
    ip_address: str | None
    reason: str
    roster_import_id: int


@dataclass
class WriteCounts:
    added: int
    updated: int
    households_added: int


def apply_staged_rows(*, audit: AuditFacts) -> WriteCounts:
    """Write the ok rows: households, audit of updates, updates, new persons, audit of those.

    Must run inside the caller's transaction. Audit rows for updates are written before the
    update so their "before" reads the stored values.
    """
    at = connection.ops.adapt_datetimefield_value(audit.at)
    with connection.cursor() as cursor:
        households_added = _insert_households(cursor, at)
        _insert_update_audit(cursor, audit, at)
        updated = _update_persons(cursor, at)
        _move_special_statuses(cursor)
        added = _insert_persons(cursor, at)
        _insert_create_audit(cursor, audit, at)
    return WriteCounts(added=added, updated=updated, households_added=households_added)


def insertion_order(columns: str) -> str:
    """``ORDER BY`` for a bulk insert on PostgreSQL, nothing elsewhere (the one vendor switch
    of the write). Rows arriving in the order of the table's biggest index keep its B-tree
    writes on neighbouring pages: about a fifth off a million-person import there. SQLite
    would sort for nothing (it is slower with the sort)."""
    return f"ORDER BY {columns}" if is_postgresql() else ""


def _insert_households(cursor, at) -> int:
    cursor.execute(
        "INSERT INTO people_household (village_id, number, address, created_at) "
        f"SELECT DISTINCT s.village_id, s.household_number, '', %s FROM {STAGING_TABLE} s "
        "WHERE s.ok = 1 AND s.household_number <> '' AND NOT EXISTS ("
        "SELECT 1 FROM people_household e "
        "WHERE e.village_id = s.village_id AND e.number = s.household_number) "
        f"{insertion_order('s.village_id, s.household_number')} "
        "ON CONFLICT (village_id, number) DO NOTHING",
        [at],
    )
    return max(cursor.rowcount, 0)


def _changes(*, after_households: bool = False) -> list[tuple[str, str, str]]:
    """(column, new value, changed?) for every field an import may change, in the spec's order.

    A blank cell never erases what is stored: only a filled cell that differs is a change
    (a required field is never blank in a good row). Before the file's new households exist,
    a household change is told from the person's current household ``h0``; after, from the
    household ``h`` the row names.
    """
    changes = []
    for person_field in fields.IMPORTED:
        if not person_field.changes_after_registration:
            continue
        name = person_field.name
        if person_field.kind == Kind.HOUSEHOLD:
            changed = (
                f"COALESCE({_NEW_HOUSEHOLD}, 0) <> COALESCE(p.household_id, 0)"
                if after_households
                else _HOUSEHOLD_CHANGES
            )
            changes.append((person_field.column, _NEW_HOUSEHOLD, changed))
        elif person_field.required:
            changes.append((name, f"s.{name}", f"s.{name} <> p.{name}"))
        elif person_field.kind == Kind.DATE:
            changes.append(
                (
                    name,
                    f"COALESCE(s.{name}, p.{name})",
                    f"(s.{name} IS NOT NULL AND (p.{name} IS NULL OR s.{name} <> p.{name}))",
                )
            )
        else:
            changes.append(
                (
                    name,
                    f"CASE WHEN s.{name} <> '' THEN s.{name} ELSE p.{name} END",
                    f"(s.{name} <> '' AND s.{name} <> p.{name})",
                )
            )
    return changes


def _any_change() -> str:
    return "(" + " OR ".join(changed for _, _, changed in _changes()) + ")"


# The household changes when the row names another household than the current one, or when
# a person with a household moves village without naming one there.
_HOUSEHOLD_CHANGES = (
    "((s.household_number <> '' AND (h0.id IS NULL OR h0.village_id <> s.village_id "
    "OR h0.number <> s.household_number)) OR (s.household_number = '' "
    "AND s.village_id <> p.village_id AND p.household_id IS NOT NULL))"
)


def _json_value(expression: str) -> str:
    if is_postgresql():
        return f"COALESCE(to_json({expression})::text, 'null')"
    return f"json_quote({expression})"


def _json_column(text_expression: str) -> str:
    return f"CAST({text_expression} AS jsonb)" if is_postgresql() else text_expression


def _changed_fields_json(side: str) -> str:
    """A JSON object text of the changed fields: their stored (``before``) or new values."""
    parts = []
    for field, new_value, changed in _changes(after_households=True):
        value = f"p.{field}" if side == "before" else new_value
        parts.append(
            f"CASE WHEN {changed} THEN ',\"{field}\":' || {_json_value(value)} ELSE '' END"
        )
    return _json_column("'{' || substr(" + " || ".join(parts) + ", 2) || '}'")


def _audit_insert(action: str, select_from: str, before: str, after: str) -> str:
    return (
        "INSERT INTO core_auditentry (at, actor_id, actor_name, action, object_type, object_id, "
        "object_label, region_code, before, after, reason, request_id, ip_address) "
        f"SELECT %s, %s, %s, '{action}', 'people.person', CAST(p.id AS TEXT), p.name, "
        f"p.village_id, {before}, {after}, %s, %s, %s {select_from}"
    )


def _audit_params(audit: AuditFacts, at) -> list:
    return [at, audit.actor_id, audit.actor_name, audit.reason, audit.request_id, audit.ip_address]


def _insert_update_audit(cursor, audit: AuditFacts, at) -> None:
    cursor.execute(
        _audit_insert(
            PeopleAction.PERSON_IMPORT_UPDATE,
            f"FROM {STAGING_TABLE} s JOIN people_person p ON p.id = s.person_id "
            f"{_HOUSEHOLD_JOIN} WHERE s.ok = 1 AND s.changed = 1",
            _changed_fields_json("before"),
            _changed_fields_json("after"),
        ),
        _audit_params(audit, at),
    )


def _update_persons(cursor, at) -> int:
    assignments = ", ".join(f"{field} = {new_value}" for field, new_value, _ in _changes())
    cursor.execute(
        f"UPDATE people_person AS p SET {assignments}, updated_at = %s "
        f"FROM {STAGING_TABLE} s {_HOUSEHOLD_JOIN} "
        "WHERE p.id = s.person_id AND s.ok = 1 AND s.changed = 1",
        [at],
    )
    return max(cursor.rowcount, 0)


def _move_special_statuses(cursor) -> None:
    """Statuses are scoped by village too: they move with a person who moves (as in
    ``services.persons.person_update``)."""
    cursor.execute(
        f"UPDATE people_specialstatus AS st SET village_id = s.village_id FROM {STAGING_TABLE} s "
        "WHERE st.person_id = s.person_id AND s.ok = 1 AND s.changed = 1 "
        "AND s.village_id <> s.person_village"
    )


def _insert_persons(cursor, at) -> int:
    values = ", ".join(
        "h.id" if f.kind == Kind.HOUSEHOLD else f"s.{f.name}" for f in fields.IMPORTED
    )
    cursor.execute(
        f"INSERT INTO people_person ({', '.join(_PERSON_COLUMNS)}, created_at, updated_at) "
        f"SELECT {values}, %s, %s FROM {STAGING_TABLE} s {_HOUSEHOLD_JOIN} "
        f"WHERE s.ok = 1 AND s.person_id IS NULL {insertion_order('s.id_number')}",
        [at, at],
    )
    return max(cursor.rowcount, 0)


def _insert_create_audit(cursor, audit: AuditFacts, at) -> None:
    """One entry per person added. Its ``after`` names the import (whose own entry holds the
    file's SHA-256): a full snapshot per row would make the audit write the slowest step of a
    million-row import, and the values are the file's, row for row."""
    link = _json_column(f"'{{\"roster_import\": {int(audit.roster_import_id)}}}'")
    cursor.execute(
        _audit_insert(
            PeopleAction.PERSON_IMPORT_CREATE,
            f"FROM {STAGING_TABLE} s JOIN people_person p ON p.id_number = s.id_number "
            f"WHERE s.ok = 1 AND s.person_id IS NULL {insertion_order('p.id')}",
            "NULL",
            link,
        ),
        _audit_params(audit, at),
    )
