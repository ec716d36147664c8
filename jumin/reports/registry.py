"""What the reports app declares about itself (see ``jumin.core.registration``)."""

from django.utils.translation import gettext_lazy as _

from jumin.core.access import ALL_ROLES
from jumin.core.models import Role
from jumin.core.registration import ApiRouter, AppRegistry, AuditAction, HomeTile, MenuEntry


class ReportsAction(AuditAction):
    TARGET_SET = (
        "reports.target.set",
        _("设置任务数"),
        False,
        ("collection.target.set", "collection.target_set"),
    )
    PROGRESS_EXPORT = (
        "reports.progress.export",
        _("导出征缴进度"),
        True,
        ("collection.progress.export", "collection.progress_export"),
    )
    DEMO_YEAR = (
        "reports.demo.year",
        _("生成演示征缴年度"),
        False,
        ("collection.demo.year", "demo.year"),
    )


REGISTRY = AppRegistry(
    actions=ReportsAction,
    permissions={
        "progress.view": ALL_ROLES,
        "target.set": frozenset({Role.COUNTY_ADMIN}),
    },
    pages={
        "reports:progress": "progress.view",
        "reports:progress_export": "progress.view",
        "reports:targets": "target.set",
    },
    object_types={
        "reports.collectiontarget": _("征缴任务"),
        "collection.collectiontarget": _("征缴任务"),  # entries recorded before the move
    },
    menu=(MenuEntry("reports:progress", _("征缴进度"), "progress.view", order=180),),
    tiles=(
        HomeTile(
            "reports:progress",
            _("征缴进度"),
            _("各乡镇、村的参保缴费进度"),
            "progress.view",
            160,
        ),
    ),
    routers=(ApiRouter("/progress", "jumin.reports.api:progress_router"),),
    # the pages keep the paths they had under the collection app
    urls=(("collection/", "jumin.reports.web.urls"),),
)
