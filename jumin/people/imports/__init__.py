"""Roster (花名册) import: ``import_roster_file`` is the entry point for the CLI, the web job
and the benchmark. See ``runner.py`` for the phases and ``database.py`` for the SQL."""

from jumin.people.imports.runner import import_roster_file

__all__ = ["import_roster_file"]
