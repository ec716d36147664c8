"""Shared fixtures: a small region tree and one staff user per role, in two townships; and
``JUMIN_TEST_TODAY``, which moves the clock of the whole suite; and one hypothesis profile."""

import pytest
import time_machine
from hypothesis import HealthCheck, settings

from jumin.core.models import Role
from jumin.testing.clock import requested_moment
from jumin.testing.factories import RegionTreeFactory, StaffFactory

# Every property test, whether or not it says so: no deadline and no "too slow" health check,
# because CI runs on two busy cores (a test's own @settings still adds to this).
settings.register_profile("jumin", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("jumin")


@pytest.fixture
def tree(db):
    """Province 34 → city 3411 → county 341125 → townships A and B → two villages each."""
    return RegionTreeFactory.build_tree()


@pytest.fixture
def staff(tree):
    """One user per role: county roles on the county, township clerk on A, assistant in A1."""
    users = {}
    for role in (Role.COUNTY_ADMIN, Role.COUNTY_CLERK, Role.FINANCE, Role.AUDITOR, Role.LEADER):
        users[role] = StaffFactory(role=role, region=tree.county)
    users[Role.TOWNSHIP_CLERK] = StaffFactory(role=Role.TOWNSHIP_CLERK, region=tree.township_a)
    users[Role.VILLAGE_ASSISTANT] = StaffFactory(
        role=Role.VILLAGE_ASSISTANT, region=tree.village_a1
    )
    return users


@pytest.fixture(scope="session", autouse=True)
def _suite_clock():
    """With ``JUMIN_TEST_TODAY`` set, the whole suite runs on that day (the clock keeps
    ticking from there): ``JUMIN_TEST_TODAY=2028-02-29 make test``. See jumin/testing/clock.py.
    """
    from django.conf import settings

    moment = requested_moment(time_zone=settings.TIME_ZONE)
    if moment is None:
        yield None
        return
    with time_machine.travel(moment, tick=True):
        yield moment


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_truncate_triggers():
    """Django empties the tables after a ``transaction=True`` test; the database's guards of
    the money must not stop it, and nothing else about them changes.

    PostgreSQL refuses TRUNCATE of the ledger and the audit trail by trigger (core 0007,
    pension 0004), and Django flushes with one TRUNCATE: the test harness connects as the
    superuser, which alone may turn triggers off for its own transaction
    (``session_replication_role = replica``). SQLite has no such switch, and a posted due's
    pension row may not be deleted while its due says posted: there the DELETEs run in an
    order the guards allow (a statement a guard refuses is tried again after the others)."""
    from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

    SQLiteOperations = SQLiteWrapper.ops_class

    patched = [(SQLiteOperations, SQLiteOperations.execute_sql_flush, _sqlite_flush)]
    try:
        from django.db.backends.postgresql.operations import DatabaseOperations
    except ImportError:  # no PostgreSQL driver installed: SQLite only
        pass
    else:
        original = DatabaseOperations.execute_sql_flush

        def execute_sql_flush(self, sql_list):
            return original(self, ["SET LOCAL session_replication_role = replica", *sql_list])

        patched.append((DatabaseOperations, original, execute_sql_flush))
    for owner, _, replacement in patched:
        owner.execute_sql_flush = replacement
    yield
    for owner, original, _ in patched:
        owner.execute_sql_flush = original


def _sqlite_flush(self, sql_list):
    from django.db import IntegrityError, transaction

    waiting = list(sql_list)
    with transaction.atomic(using=self.connection.alias):
        with self.connection.cursor() as cursor:
            while waiting:
                refused = []
                for sql in waiting:
                    try:
                        with transaction.atomic(using=self.connection.alias):
                            cursor.execute(sql)
                    except IntegrityError:
                        refused.append(sql)
                if len(refused) == len(waiting):  # no progress: let the guard's error show
                    cursor.execute(refused[0])
                waiting = refused


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright drives Debian's chromium: its own browser download is unreachable here."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests log in hundreds of times; the production hasher stays in settings.py."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
