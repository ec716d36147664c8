"""The menu, by role: each entry names the permission it needs (see access.PERMISSIONS)."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from jumin.core.access import can

MENU = [
    ("core:home", _("首页"), "person.view"),
    ("people:search", _("查找参保人"), "person.view"),
    ("people:create", _("新增参保人"), "person.edit"),
    ("people:import", _("导入花名册"), "roster.import"),
    ("people:duplicates", _("疑似重复"), "duplicate.review"),
    ("core:regions", _("行政区划"), "region.view"),
    ("core:staff", _("工作人员"), "staff.manage"),
    ("core:audit", _("操作记录"), "audit.view"),
]


def menu_for(user, current_path: str) -> list[dict]:
    items = []
    for url_name, label, permission in MENU:
        if not can(user, permission):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue  # a page whose app is not installed yet
        active = current_path == url or (url != "/" and current_path.startswith(url))
        items.append({"url": url, "label": label, "active": active})
    return items
