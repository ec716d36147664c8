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
