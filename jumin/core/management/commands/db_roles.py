"""``jumin db-roles [--role jumin_app] [--password-env JUMIN_APP_DB_PASSWORD]``

Run by the database owner after every ``jumin migrate`` (``DATABASE_URL`` = the owner's
address): creates or updates the application role with only the rights it needs; see
``jumin.core.db_roles``. The password comes from the environment variable (never from the
command line, where ``ps`` would show it), else from a prompt; an existing role keeps its
password when neither gives one.
"""

import getpass
import os
import sys

from django.core.management.base import BaseCommand, CommandError

from jumin.core.db_roles import (
    APP_ROLE,
    PASSWORD_ENV,
    RoleError,
    apply_app_role,
    check_role_name,
    role_exists,
)


class Command(BaseCommand):
    help = (
        "（仅 PostgreSQL，由数据库所有者在每次 migrate 之后运行）建立或更新网站和后台任务使用的"
        "数据库账号：只能增删改查普通表，个人账户和审计日志只能读和追加，不能清空（TRUNCATE）、"
        "改表或关闭触发器。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--role", default=APP_ROLE, help=f"应用账号名（默认 {APP_ROLE}）")
        parser.add_argument(
            "--password-env",
            default=PASSWORD_ENV,
            help=f"从这个环境变量读密码（默认 {PASSWORD_ENV}）；没有时在终端提示输入，"
            "账号已存在时可不改密码",
        )

    def handle(self, *args, role, password_env, **options):
        try:
            check_role_name(role)
            password = os.environ.get(password_env) or None
            if password is None and sys.stdin.isatty():
                password = self._prompt(role, exists=role_exists(role))
            report = apply_app_role(role=role, password=password)
        except RoleError as error:
            raise CommandError(error.message) from None
        verb = "已建立" if report.created else "已更新"
        password_note = "，已设置密码" if report.password_set else "，密码未改"
        self.stdout.write(f"数据库账号 {report.role} {verb}{password_note}")
        self.stdout.write(
            f"  {report.database} 中 {report.tables} 个表可增删改查（不能清空、改表或关触发器）；"
            f"只读和追加：{'、'.join(report.append_only)}；只读：{'、'.join(report.read_only)}"
        )
        self.stdout.write(
            f"  网站和后台任务使用：DATABASE_URL=postgres://{report.role}:密码@主机:5432/"
            f"{report.database}"
        )

    def _prompt(self, role: str, *, exists: bool) -> str | None:
        hint = "（直接回车：不改密码）" if exists else ""
        first = getpass.getpass(f"账号 {role} 的密码{hint}：")
        if not first:
            return None
        if getpass.getpass("再输入一次：") != first:
            raise CommandError("两次输入的密码不一致")
        return first
