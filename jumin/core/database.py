"""Database housekeeping that batch jobs share."""

from django.db import connection


def refresh_statistics(model) -> None:
    """PostgreSQL: ANALYZE a table that just grew, so the next statement's planner sees its
    real size (without it, posting and the dues job turned quadratic: the planner, which last
    saw an empty table, nests a scan of it inside every row). SQLite's planner needs no
    statistics here.

    Through ``jumin_analyze`` (core migration 0007), which runs with the owner's rights:
    the application role owns no table, and PostgreSQL lets only the owner ANALYZE one (it
    would skip the table with a mere warning)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT jumin_analyze(%s::regclass)", [model._meta.db_table])


def update_grouped(model, objs, fields: list[str], *, chunk: int = 2000) -> int:
    """Write ``fields`` of ``objs`` back with one ``UPDATE ... WHERE pk IN (...)`` per distinct
    tuple of values (and chunk of ids): what ``bulk_update`` does, without its ``CASE WHEN``
    per row, which Django builds slowly and SQLite runs slowly. Fast when the values repeat
    (a premium, a status, a day). Returns the rows updated."""
    groups: dict[tuple, list] = {}
    for obj in objs:
        groups.setdefault(tuple(getattr(obj, name) for name in fields), []).append(obj.pk)
    updated = 0
    for values, ids in groups.items():
        for start in range(0, len(ids), chunk):
            updated += model._base_manager.filter(pk__in=ids[start : start + chunk]).update(
                **dict(zip(fields, values, strict=True))
            )
    return updated
