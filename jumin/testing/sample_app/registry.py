"""What the sample app declares about itself, as every app does."""

from django.utils.translation import gettext_lazy as _

from jumin.core.access import ALL_ROLES
from jumin.core.models import Role
from jumin.core.registration import ApiRouter, AppRegistry, AuditAction, HomeTile, MenuEntry


class SampleAction(AuditAction):
    NOTE_CREATE = "sample_app.note.create", _("记录示例事项")
    NOTE_VIEW = "sample_app.note.view", _("查看示例事项"), True


REGISTRY = AppRegistry(
    actions=SampleAction,
    permissions={
        "sample.view": ALL_ROLES,
        "sample.note": frozenset({Role.COUNTY_CLERK}),
    },
    pages={"sample_app:home": "sample.view", "sample_app:note": "sample.note"},
    menu=(MenuEntry("sample_app:home", _("示例业务"), "sample.view", order=990),),
    tiles=(HomeTile("sample_app:home", _("示例业务"), _("示例"), "sample.view", 990),),
    object_types={"sample_app.note": _("示例事项")},
    routers=(ApiRouter("/sample", "jumin.testing.sample_app.api:router"),),
    urls=(("sample/", "jumin.testing.sample_app.web.urls"),),
)
