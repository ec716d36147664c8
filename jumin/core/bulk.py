"""Bulk writing of plain rows, the one vendor switch shared by batch jobs, the demo generator
and the benchmarks' bare baselines."""

from collections.abc import Iterable, Sequence

from django.db import connection


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Bulk-insert plain rows: COPY on PostgreSQL, ``executemany`` elsewhere. Runs in the
    caller's transaction; returns the number of rows."""
    count = 0
    column_list = ", ".join(connection.ops.quote_name(column) for column in columns)
    table_name = connection.ops.quote_name(table)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            with cursor.copy(f"COPY {table_name} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    rows = list(rows)
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table_name} ({column_list}) VALUES ({placeholders})", rows
        )
    return len(rows)
