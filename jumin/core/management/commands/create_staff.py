"""``jumin create-staff``: a staff account from the command line, for a first install.

jumin create-staff admin --role county_admin --region 341125000000 --name 张三
jumin create-staff admin --role county_admin --region 341125 --password 'Xy...' --superuser

Without ``--password`` a temporary password is printed once and must be changed at the first
login. Recorded in the audit trail as done by the system.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jumin.core import audit
from jumin.core.audit import request_context
from jumin.core.models import Role
from jumin.core.registry import CoreAction
from jumin.core.services import staff as services
from jumin.core.text import is_ascii_digits


class Command(BaseCommand):
    help = "建立工作人员账号（首次安装时建立县级管理员）。Create a staff account."

    def add_arguments(self, parser):
        parser.add_argument("username", help="登录用户名，例如 admin")
        parser.add_argument(
            "--role", required=True, choices=Role.values, help="角色：" + "、".join(Role.values)
        )
        parser.add_argument(
            "--region",
            required=True,
            help="管辖区域代码：县级角色填县（341125 或 341125000000），乡镇经办员填乡镇，村协理员填村",
        )
        parser.add_argument("--name", default="", help="姓名（不填则用用户名）")
        parser.add_argument("--phone", default="", help="联系电话")
        parser.add_argument("--password", default=None, help="密码；不填则生成临时密码")
        parser.add_argument(
            "--superuser", action="store_true", help="同时允许使用 Django 管理后台（/admin/）"
        )

    def handle(self, *args, username, role, region, name, phone, password, superuser, **options):
        code = region.strip()
        if len(code) == 6 and is_ascii_digits(code):
            code = code + "000000"
        with request_context(), transaction.atomic():
            try:
                user, password = services.staff_create(
                    acting_user=None,
                    username=username,
                    full_name=name or username,
                    role=role,
                    region_code=code,
                    phone=phone,
                    password=password,
                )
            except ValidationError as error:
                raise CommandError("；".join(error.messages)) from error
            if superuser:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
                audit.record(
                    actor=None,
                    action=CoreAction.STAFF_UPDATE,
                    obj=user,
                    before={"is_superuser": False},
                    after={"is_superuser": True},
                )
        self.stdout.write(
            f"已建立账号 {user.username}（{user.get_role_display()}，{user.region.name}）"
        )
        if user.must_change_password:
            self.stdout.write(f"临时密码（只显示这一次，首次登录须修改）：{password}")
