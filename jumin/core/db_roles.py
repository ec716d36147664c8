"""The application's PostgreSQL role: only the rights it needs (``jumin db-roles``).

Production runs two roles. The **owner** owns the database and its tables; only
``jumin migrate`` and ``jumin db-roles`` connect as it. The **application role** (default
``jumin_app``) is what gunicorn and ``jumin worker`` connect as. It can log in and nothing
more at the cluster level (no superuser, no CREATEDB/CREATEROLE/REPLICATION/BYPASSRLS), owns
nothing and is no member of the owner, so it can never ``ALTER`` a table, drop it or switch
its triggers off. In the database it gets:

* CONNECT and TEMPORARY (imports stage rows in temporary tables) on the database, USAGE on
  the schema;
* SELECT, INSERT, UPDATE, DELETE on every table, TRUNCATE on none. The job queue's tables
  (django-tasks), the sessions and the login-throttling tables (django-axes) are ordinary
  tables here: the worker deletes finished task results, logout and ``clearsessions`` delete
  sessions, unlocking an account deletes its attempts;
* only SELECT and INSERT on the append-only tables (models with ``append_only = True``:
  the personal-account ledger and the audit trail), whose triggers refuse UPDATE, DELETE and
  TRUNCATE anyway; only SELECT on ``django_migrations`` (the owner's ``migrate`` writes it);
* USAGE and SELECT on the sequences; EXECUTE on ``jumin_analyze`` (core migration 0007),
  so batch jobs can refresh planner statistics of tables they do not own;
* the same rights on tables and sequences the owner creates later (ALTER DEFAULT
  PRIVILEGES); still, run ``jumin db-roles`` after every ``migrate``, since only it knows
  which new tables are append-only.

Running it again changes nothing that is already right; a role found with more rights than
these (superuser, owning tables, member of the owner) is refused with the way to fix it,
never silently kept. The password is sent to the server only as a SCRAM verifier computed
by libpq (``PQencryptPasswordConn``), so it appears in no server log.
"""

import re
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, transaction

APP_ROLE = "jumin_app"
PASSWORD_ENV = "JUMIN_APP_DB_PASSWORD"
READ_ONLY_TABLES = ("django_migrations",)
ANALYZE_FUNCTION = "jumin_analyze(regclass)"
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class RoleError(Exception):
    """The role cannot be set up as asked; ``message`` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class RoleReport:
    role: str
    owner: str
    database: str
    created: bool = False
    password_set: bool = False
    tables: int = 0
    append_only: list[str] = field(default_factory=list)
    read_only: list[str] = field(default_factory=list)


def append_only_tables() -> list[str]:
    """The ledgers' tables: rows are appended, never changed or removed (triggers refuse it as
    well). A model says it is one with ``append_only = True``, as it names its scope."""
    return sorted(
        model._meta.db_table for model in apps.get_models() if getattr(model, "append_only", False)
    )


def check_role_name(role: str) -> str:
    if not ROLE_NAME.match(role or ""):
        raise RoleError(f"账号名“{role}”不合适：只能用小写字母、数字和下划线，以字母开头")
    return role


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise RoleError(
            "jumin db-roles 只用于 PostgreSQL：SQLite 没有数据库账号和权限，"
            "请把 DATABASE_URL 设为数据库所有者的 postgres://… 地址后再运行"
        )


def role_exists(role: str) -> bool:
    _require_postgresql()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        return cursor.fetchone() is not None


def _quote(raw, name: str) -> str:
    from psycopg import sql

    return sql.Identifier(name).as_string(raw)


def _password_literal(raw, role: str, password: str) -> str:
    from psycopg import sql

    verifier = raw.pgconn.encrypt_password(password.encode(), role.encode())
    return sql.Literal(verifier.decode()).as_string(raw)


def _refuse_extra_rights(cursor, role: str, owner: str, schema: str) -> None:
    cursor.execute(
        "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls "
        "FROM pg_roles WHERE rolname = %s",
        [role],
    )
    rights = cursor.fetchone()
    if rights and any(rights):
        raise RoleError(
            f"账号 {role} 的权限过大（超级用户、可建库、可建账号、复制或绕过行级安全之一），"
            f"请先由数据库管理员执行：ALTER ROLE {role} NOSUPERUSER NOCREATEDB NOCREATEROLE "
            "NOREPLICATION NOBYPASSRLS;"
        )
    cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [role, owner])
    if cursor.fetchone()[0]:
        raise RoleError(
            f"账号 {role} 是数据库所有者 {owner} 的成员，会得到所有者的全部权限（可改表、关触发器），"
            f"请先执行：REVOKE {owner} FROM {role};"
        )
    # the owner of the database (and so, on PostgreSQL 15+, of the schema ``public``) or of
    # the schema may drop any table in it
    cursor.execute(
        "SELECT pg_get_userbyid(d.datdba) = %s OR pg_has_role(%s, n.nspowner, 'MEMBER') "
        "FROM pg_database d, pg_namespace n "
        "WHERE d.datname = current_database() AND n.nspname = %s",
        [role, role, schema],
    )
    if cursor.fetchone()[0]:
        raise RoleError(
            f"账号 {role} 是数据库或模式 {schema} 的所有者，可以删除其中任何表。请先由数据库"
            f"管理员把数据库和模式的所有权交给 {owner}（ALTER DATABASE … OWNER TO {owner}; "
            f"ALTER SCHEMA {schema} OWNER TO {owner};）"
        )
    cursor.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND pg_get_userbyid(c.relowner) = %s",
        [schema, role],
    )
    owned = cursor.fetchone()[0]
    if owned:
        raise RoleError(
            f"账号 {role} 拥有 {owned} 个表或序列（可能曾用它执行过 migrate），拥有者可以改表、"
            f"关触发器。请先由数据库管理员执行：REASSIGN OWNED BY {role} TO {owner};"
        )


def apply_app_role(*, role: str = APP_ROLE, password: str | None = None) -> RoleReport:
    """Create or update the application role with exactly the rights in the module doc.

    Runs as the owner (the connection's user). ``password``: set it (required when the role
    is new); ``None`` keeps the existing one. One transaction: all or nothing."""
    _require_postgresql()
    check_role_name(role)
    connection.ensure_connection()
    raw = connection.connection
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_database(), current_schema()")
        owner, database, schema = cursor.fetchone()
        if role == owner:
            raise RoleError(
                f"应用账号不能是数据库所有者 {owner} 本人：请换一个名字（默认 {APP_ROLE}）"
            )
        report = RoleReport(role=role, owner=owner, database=database)
        quoted = _quote(raw, role)
        if not role_exists(role):
            if not password:
                raise RoleError(f"新建账号 {role} 需要密码")
            cursor.execute(
                f"CREATE ROLE {quoted} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                f"NOREPLICATION NOBYPASSRLS INHERIT PASSWORD "
                f"{_password_literal(raw, role, password)}"
            )
            report.created = report.password_set = True
        else:
            _refuse_extra_rights(cursor, role, owner, schema)
            cursor.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", [role])
            if not cursor.fetchone()[0]:  # (a role made beforehand by the administrator
                cursor.execute(f"ALTER ROLE {quoted} LOGIN")  # needs no CREATEROLE here)
            if password:
                cursor.execute(
                    f"ALTER ROLE {quoted} PASSWORD {_password_literal(raw, role, password)}"
                )
                report.password_set = True
        for statement in _grants(raw, role, owner, database, schema, report):
            cursor.execute(statement)
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = %s AND tableowner = %s",
            [schema, owner],
        )
        report.tables = cursor.fetchone()[0]
    return report


def _grants(raw, role: str, owner: str, database: str, schema: str, report: RoleReport):
    quoted, quoted_owner = _quote(raw, role), _quote(raw, owner)
    in_schema = f"IN SCHEMA {_quote(raw, schema)}"
    report.append_only = append_only_tables()
    report.read_only = list(READ_ONLY_TABLES)
    yield f"GRANT CONNECT, TEMPORARY ON DATABASE {_quote(raw, database)} TO {quoted}"
    yield f"GRANT USAGE ON SCHEMA {_quote(raw, schema)} TO {quoted}"
    # start from nothing, so a right given by hand earlier (TRUNCATE, TRIGGER) goes away
    yield f"REVOKE ALL ON ALL TABLES {in_schema} FROM {quoted}"
    yield f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES {in_schema} TO {quoted}"
    for table in report.append_only:
        yield f"REVOKE UPDATE, DELETE ON TABLE {_quote(raw, table)} FROM {quoted}"
    for table in report.read_only:
        yield f"REVOKE INSERT, UPDATE, DELETE ON TABLE {_quote(raw, table)} FROM {quoted}"
    yield f"REVOKE ALL ON ALL SEQUENCES {in_schema} FROM {quoted}"
    yield f"GRANT USAGE, SELECT ON ALL SEQUENCES {in_schema} TO {quoted}"
    yield f"GRANT EXECUTE ON FUNCTION {ANALYZE_FUNCTION} TO {quoted}"
    default = f"ALTER DEFAULT PRIVILEGES FOR ROLE {quoted_owner} {in_schema}"
    yield f"{default} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {quoted}"
    yield f"{default} GRANT USAGE, SELECT ON SEQUENCES TO {quoted}"
