"""What core declares about itself, like every app (see ``jumin.core.registration``)."""

from django.utils.translation import gettext_lazy as _

from jumin.core.access import ALL_ROLES
from jumin.core.models import Role
from jumin.core.registration import (
    PUBLIC,
    SIGNED_IN,
    ApiRouter,
    AppRegistry,
    AuditAction,
    HomeTile,
    MenuEntry,
)


class CoreAction(AuditAction):
    SESSION_LOGIN = "core.session.login", _("登录"), True, ("auth.login",)
    SESSION_LOGIN_FAILED = "core.session.login_failed", _("登录失败"), True, ("auth.login_failed",)
    SESSION_LOGOUT = "core.session.logout", _("退出"), True, ("auth.logout",)
    JOB_INTERRUPT = "core.job.interrupt", _("标记后台任务中断"), False, ("job.interrupt",)
    REGION_LOAD = "core.region.load", _("载入县级区划"), False, ("region.load",)
    REGION_IMPORT = "core.region.import", _("导入乡镇村区划"), False, ("region.import",)
    REGION_CREATE = "core.region.create", _("新增区划"), False, ("region.create",)
    REGION_UPDATE = "core.region.update", _("修改区划"), False, ("region.update",)
    STAFF_CREATE = "core.staff.create", _("新建账号"), False, ("staff.create",)
    STAFF_UPDATE = "core.staff.update", _("修改账号"), False, ("staff.update",)
    STAFF_RESET_PASSWORD = (
        "core.staff.reset_password",
        _("重置密码"),
        False,
        ("staff.reset_password",),
    )
    STAFF_UNLOCK = "core.staff.unlock", _("解除锁定"), False, ("staff.unlock",)
    STAFF_DEACTIVATE = "core.staff.deactivate", _("停用账号"), False, ("staff.deactivate",)
    STAFF_PASSWORD_CHANGE = (
        "core.staff.password_change",
        _("修改本人密码"),
        False,
        ("staff.password_change",),
    )
    TOKEN_CREATE = (
        "core.token.create",
        _("创建接口令牌"),
        False,
        ("api_token.create", "token.create"),
    )
    TOKEN_REVOKE = (
        "core.token.revoke",
        _("撤销接口令牌"),
        False,
        ("api_token.revoke", "token.revoke"),
    )
    AUDIT_EXPORT = "core.audit.export", _("导出操作记录"), True, ("audit.export",)


REGISTRY = AppRegistry(
    permissions={
        "region.view": ALL_ROLES,
        "region.manage": frozenset({Role.COUNTY_ADMIN}),
        "staff.manage": frozenset({Role.COUNTY_ADMIN}),
        "audit.view": frozenset({Role.COUNTY_ADMIN, Role.AUDITOR}),
        "job.view": ALL_ROLES,
        "admin.site": frozenset({Role.COUNTY_ADMIN}),
    },
    pages={
        "core:home": SIGNED_IN,
        "core:login": PUBLIC,
        "core:logout": PUBLIC,
        "core:password_change": SIGNED_IN,
        "core:regions": "region.view",
        "core:region": "region.view",
        "core:region_import": "region.manage",
        "core:region_import_template": "region.manage",
        "core:staff": "staff.manage",
        "core:staff_create": "staff.manage",
        "core:staff_edit": "staff.manage",
        "core:staff_reset_password": "staff.manage",
        "core:staff_unlock": "staff.manage",
        "core:staff_deactivate": "staff.manage",
        "core:audit": "audit.view",
        "core:audit_export": "audit.view",
    },
    menu=(
        MenuEntry("core:home", _("首页"), "region.view", order=10),
        MenuEntry("core:regions", _("行政区划"), "region.view", order=60),
        MenuEntry("core:staff", _("工作人员"), "staff.manage", order=70),
        MenuEntry("core:audit", _("操作记录"), "audit.view", order=80),
    ),
    tiles=(
        HomeTile(
            "core:regions", _("行政区划"), _("本辖区的乡镇、村（社区）和人数"), "region.view", 50
        ),
        HomeTile(
            "core:region_import",
            _("导入乡镇和村"),
            _("从 Excel 或 CSV 文件导入区划"),
            "region.manage",
            60,
        ),
        HomeTile(
            "core:staff", _("工作人员账号"), _("新建账号、重置密码、解除锁定"), "staff.manage", 70
        ),
        HomeTile("core:audit", _("操作记录"), _("谁在什么时候做了什么"), "audit.view", 80),
        HomeTile(
            "core:password_change",
            _("修改我的密码"),
            _("定期修改密码，保护参保人信息"),
            None,
            900,
        ),
    ),
    actions=CoreAction,
    object_types={
        "core.user": _("工作人员账号"),
        "core.region": _("行政区划"),
        "core.apitoken": _("接口令牌"),
        "core.auditentry": _("操作记录"),
        "core.jobrun": _("后台任务"),
    },
    routers=(
        ApiRouter("/regions", "jumin.core.api.routers.regions:router"),
        ApiRouter("/jobs", "jumin.core.api.routers.jobs:router"),
    ),
    urls=(("", "jumin.core.web.urls"),),
    audit_field_labels="jumin.core.queries.audit:FIELD_LABELS",
)
