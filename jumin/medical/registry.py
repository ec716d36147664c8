"""What the medical app declares about itself (see ``jumin.core.registration``)."""

from django.utils.translation import gettext_lazy as _

from jumin.core.registration import AppRegistry

REGISTRY = AppRegistry(
    permissions={},
    pages={},
    menu=(),
    tiles=(),
    object_types={
        "medical.medicalenrolment": _("居民医保参保"),
        "medical.hospital": _("定点医疗机构"),
    },
)
