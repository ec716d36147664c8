"""The menu bar and the home page's big buttons, by role, from what the apps register.

Each entry names the permission it needs; an entry whose page is not installed is skipped.
"""

from django.urls import NoReverseMatch, reverse

from jumin.core import registration
from jumin.core.access import can


def _url(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def tasks_for(user) -> list[dict]:
    """The big buttons on the home page for this user's role."""
    items = []
    for tile in registration.tiles():
        if tile.permission is not None and not can(user, tile.permission):
            continue
        url = _url(tile.url_name)
        if url is not None:
            items.append({"url": url, "label": tile.label, "hint": tile.hint})
    return items


def menu_for(user, current_path: str) -> list[dict]:
    items = []
    for entry in registration.menu():
        if not can(user, entry.permission) or user.role in entry.hidden_for:
            continue
        url = _url(entry.url_name)
        if url is not None:
            items.append({"url": url, "label": entry.label, "active": False})
    # Only the longest matching entry is highlighted: /people/new/ is "新增", not "查找".
    matches = [
        item
        for item in items
        if item["url"] == current_path
        or (item["url"] != "/" and current_path.startswith(item["url"]))
    ]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return items
