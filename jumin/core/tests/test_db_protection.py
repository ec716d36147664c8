"""The database protects the money itself: triggers that refuse TRUNCATE of the ledger and
the audit trail and any change to a posted due's money, and an application role
(``jumin db-roles``) that can neither truncate, alter nor switch triggers off."""

import io
import uuid
from decimal import Decimal

import psycopg
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from jumin.collection.models import DueStatus
from jumin.core.db_roles import apply_app_role
from jumin.core.models import AuditEntry, Role
from jumin.pension.models import AccountEntry, Posting
from jumin.pension.services import accounts
from jumin.pension.services.posting import post_confirmed
from jumin.pension.tests.factories import YEAR, EnrolmentFactory, PensionDueFactory
from jumin.testing.concurrency import in_other_connection, postgres_only

PASSWORD = "Test-only-app-password-1"


@pytest.fixture
def posted_due(tree, staff):
    due = PensionDueFactory(
        person=EnrolmentFactory(village=tree.village_a1).person,
        status=DueStatus.CONFIRMED,
        subsidy_province=Decimal("30.00"),
    )
    post_confirmed(acting_user=staff[Role.FINANCE], region_code="341125", year=YEAR)
    due.refresh_from_db()
    assert due.status == DueStatus.POSTED
    return due


def refused(statement: str, params=None) -> str:
    """Run ``statement`` in a savepoint; the database's refusal, as text."""
    with pytest.raises(DatabaseError) as caught, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
    return str(caught.value)


# ----------------------------------------------------------------- both databases


@pytest.mark.parametrize(
    "table, column, value",
    [
        ("collection_due", "amount", "1.00"),
        ("collection_due", "paid_amount", "1.00"),
        ("collection_due", "subsidy", "0"),
        ("collection_due", "year", YEAR + 1),
        ("collection_due", "kind", "back_payment"),
        ("collection_due", "scheme", "medical"),
        ("pension_contributiondue", "subsidy_province", "0"),
        ("pension_contributiondue", "subsidy_city", "5.00"),
        ("pension_contributiondue", "subsidy_county", "5.00"),
        ("pension_contributiondue", "collective_subsidy", "5.00"),
        ("pension_contributiondue", "grade", "1.00"),
    ],
)
def test_a_posted_dues_money_cannot_change(posted_due, table, column, value):
    key = "id" if table == "collection_due" else "due_id"
    message = refused(f"UPDATE {table} SET {column} = %s WHERE {key} = %s", [value, posted_due.pk])
    assert "posted" in message
    row = posted_due if table == "collection_due" else posted_due.contribution
    before = getattr(row, column)
    row.refresh_from_db()
    assert getattr(row, column) == before


def test_a_posted_dues_pension_row_stays(posted_due):
    assert "posted" in refused(
        "DELETE FROM pension_contributiondue WHERE due_id = %s", [posted_due.pk]
    )
    assert "posted" in refused(
        "UPDATE pension_contributiondue SET posting_id = NULL WHERE due_id = %s", [posted_due.pk]
    )


def test_a_posted_due_keeps_its_person_and_is_cancelled_only_by_its_reversal(
    tree, staff, posted_due
):
    other = EnrolmentFactory(village=tree.village_a2).person
    assert "posted" in refused(
        "UPDATE collection_due SET person_id = %s WHERE id = %s", [other.pk, posted_due.pk]
    )
    for status in (DueStatus.OPEN, DueStatus.PAID, DueStatus.CONFIRMED, DueStatus.CANCELLED):
        assert "posted" in refused(
            "UPDATE collection_due SET status = %s WHERE id = %s", [status, posted_due.pk]
        )
    # the ORM and a whole-row save go the same way
    posted_due.amount = Decimal("1.00")
    with pytest.raises(DatabaseError), transaction.atomic():
        posted_due.save()
    posted_due.refresh_from_db()
    assert posted_due.amount == Decimal("200.00")
    # columns that are not money stay free (a person moved to another village)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE collection_due SET village_id = %s, posted_at = posted_at WHERE id = %s",
            [tree.village_a2.code, posted_due.pk],
        )
    # the reversal: every entry reversed first, then the due cancelled
    accounts.due_reverse(acting_user=staff[Role.FINANCE], due=posted_due, reason="重复缴费")
    posted_due.refresh_from_db()
    assert posted_due.status == DueStatus.CANCELLED
    assert AccountEntry.objects.filter(due=posted_due).balance() == 0


def test_dues_not_yet_posted_change_freely(tree, staff):
    due = PensionDueFactory(
        person=EnrolmentFactory(village=tree.village_a1).person, status=DueStatus.PAID
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE collection_due SET amount = %s, status = %s WHERE id = %s",
            ["300.00", DueStatus.OPEN, due.pk],
        )
    due.refresh_from_db()
    assert (due.amount, due.status) == (Decimal("300.00"), DueStatus.OPEN)


# ----------------------------------------------------------------- PostgreSQL


@postgres_only
@pytest.mark.django_db(transaction=True)  # no deferred constraint pending: a clean TRUNCATE
def test_truncate_of_ledger_and_audit_is_refused_even_for_the_owner(posted_due):
    for table in ("pension_accountentry", "core_auditentry"):
        assert "append-only" in refused(f"TRUNCATE {table} CASCADE")
    assert AccountEntry.objects.filter(due=posted_due).count() == 2
    assert AuditEntry.objects.filter(action="pension.posting.run").exists()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite refusal")
def test_db_roles_is_refused_on_sqlite(db):
    with pytest.raises(CommandError, match="只用于 PostgreSQL"):
        call_command("db_roles", stdout=io.StringIO())


def app_connection(role: str):
    params = connection.settings_dict
    return psycopg.connect(
        dbname=params["NAME"],
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=role,
        password=PASSWORD,
        autocommit=True,
    )


def as_role(role: str, function):
    """``function()`` on a Django connection of ``role`` (in another thread)."""
    settings = {**connection.settings_dict, "USER": role, "PASSWORD": PASSWORD}
    wrapper_class = type(connections["default"])

    def run():
        connections["default"] = wrapper_class(settings, "default")  # this thread only
        return function()

    return in_other_connection(run)


@pytest.fixture
def app_role(monkeypatch):
    """A fresh application role made by ``jumin db-roles``; dropped after the test (roles
    belong to the whole cluster, not to the test database)."""
    role = f"jumin_test_app_{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("JUMIN_APP_DB_PASSWORD", PASSWORD)
    try:
        yield role
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone():
                cursor.execute(f'DROP OWNED BY "{role}"')
                cursor.execute(f'DROP ROLE "{role}"')


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_application_role_posts_but_cannot_destroy_the_money(
    tree, staff, app_role, monkeypatch
):
    out = io.StringIO()
    call_command("db_roles", role=app_role, stdout=out)
    assert f"数据库账号 {app_role} 已建立，已设置密码" in out.getvalue()
    due = PensionDueFactory(
        person=EnrolmentFactory(village=tree.village_a1).person,
        status=DueStatus.CONFIRMED,
        subsidy_province=Decimal("30.00"),
    )

    def current_user():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            return cursor.fetchone()[0]

    assert as_role(app_role, current_user) == app_role
    # a normal posting, as the application role (statistics refreshed through jumin_analyze)
    posting = as_role(
        app_role, lambda: post_confirmed(acting_user=None, region_code="341125", year=YEAR)
    )
    assert (posting.due_count, posting.entry_count) == (1, 2)
    assert AccountEntry.objects.filter(due=due).balance() == Decimal("230.00")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'pension_accountentry'"
        )
        assert cursor.fetchone()[0] is not None

    with app_connection(app_role) as app:
        forbidden = [
            "TRUNCATE pension_accountentry",
            "TRUNCATE core_auditentry",
            "TRUNCATE collection_due",
            "UPDATE pension_accountentry SET amount = 0",
            "DELETE FROM pension_accountentry",
            "UPDATE core_auditentry SET action = 'forged'",
            "DELETE FROM core_auditentry",
            "ALTER TABLE pension_accountentry DISABLE TRIGGER ALL",
            "ALTER TABLE core_auditentry DISABLE TRIGGER USER",
            "ALTER TABLE collection_due DISABLE TRIGGER collection_due_posted_guard",
            "DROP TABLE pension_accountentry",
            "CREATE TRIGGER t BEFORE INSERT ON pension_accountentry "
            "FOR EACH ROW EXECUTE FUNCTION pension_accountentry_refuse()",
            "DELETE FROM django_migrations",
            "SET session_replication_role = replica",
        ]
        for statement in forbidden:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(statement)
        # what the application needs still works
        assert app.execute("SELECT count(*) FROM pension_accountentry").fetchone()[0] == 2
        app.execute("UPDATE pension_posting SET due_count = due_count WHERE id = %s", [posting.pk])
        app.execute("DELETE FROM django_session")
        app.execute("CREATE TEMPORARY TABLE staging (id integer)")
    assert AccountEntry.objects.count() == 2
    assert Posting.objects.get(pk=posting.pk).due_count == 1

    # run again after a migrate: nothing breaks, the password is kept when none is given
    monkeypatch.delenv("JUMIN_APP_DB_PASSWORD")
    out = io.StringIO()
    call_command("db_roles", role=app_role, stdout=out)
    assert f"数据库账号 {app_role} 已更新，密码未改" in out.getvalue()
    with app_connection(app_role) as app:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute("TRUNCATE pension_accountentry")


@postgres_only
def test_db_roles_refuses_the_owner_a_bad_name_and_a_role_with_too_many_rights(db, app_role):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
    with pytest.raises(CommandError, match="不能是数据库所有者"):
        call_command("db_roles", role=owner, stdout=io.StringIO())
    with pytest.raises(CommandError, match="只能用小写字母"):
        call_command("db_roles", role="app; DROP TABLE x", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{app_role}" LOGIN CREATEDB')
    with pytest.raises(CommandError, match="权限过大"):
        call_command("db_roles", role=app_role, stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER ROLE "{app_role}" NOCREATEDB')
        cursor.execute(f'GRANT "{owner}" TO "{app_role}"')
    with pytest.raises(CommandError, match="成员"):
        call_command("db_roles", role=app_role, stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute(f'REVOKE "{owner}" FROM "{app_role}"')
    report = apply_app_role(role=app_role, password=None)
    assert not report.created and not report.password_set
    declared = sorted(
        model._meta.db_table for model in apps.get_models() if getattr(model, "append_only", False)
    )
    assert report.append_only == declared
    # the ledgers of money and the audit trail are among them
    assert {"core_auditentry", "pension_accountentry", "medical_fundentry"} <= set(declared)
