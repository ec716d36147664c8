"""Real concurrency in tests: functions run in threads, each thread on its own connection.

Only PostgreSQL gives a second connection that really runs at the same time (SQLite takes a
database-wide write lock), so the tests that use this are marked ``postgres_only``; they also
need ``@pytest.mark.django_db(transaction=True)``, because rows made inside the test's own
transaction would be invisible to the other connections.
"""

import threading

import pytest
from django.db import connection, connections

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs two real connections at once: run with DATABASE_URL=postgres://…",
)

WAIT_SECONDS = 60


def _run(function, outcome: dict, barrier: threading.Barrier | None) -> None:
    try:
        if barrier is not None:
            barrier.wait(timeout=WAIT_SECONDS)
        outcome["value"] = function()
    except BaseException as error:  # noqa: BLE001 — handed back to the test's thread
        outcome["error"] = error
    finally:
        connections.close_all()  # this thread's connection, so the test database can go


def _join(threads, outcomes) -> list[dict]:
    for thread in threads:
        thread.join(timeout=WAIT_SECONDS)
        assert not thread.is_alive(), "a concurrent call is still waiting (a lock never let go?)"
    return outcomes


def in_other_connection(function):
    """Call ``function()`` in another thread (so on another connection) and wait for it;
    its exception is raised here."""
    outcome: dict = {}
    thread = threading.Thread(target=_run, args=(function, outcome, None))
    thread.start()
    _join([thread], [outcome])
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def run_together(*functions) -> list[dict]:
    """Start every function at the same moment, each in its own thread and connection.

    Returns one ``{"value": ...}`` or ``{"error": exception}`` per function, in order."""
    barrier = threading.Barrier(len(functions))
    outcomes: list[dict] = [{} for _ in functions]
    threads = [
        threading.Thread(target=_run, args=(function, outcome, barrier))
        for function, outcome in zip(functions, outcomes, strict=True)
    ]
    for thread in threads:
        thread.start()
    return _join(threads, outcomes)
