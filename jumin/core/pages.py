"""The one gate in front of every staff page: ``@page`` asks the registries which permission
the page needs, by its URL name, and checks it before the view runs.

``pages`` in each app's ``registry.py`` maps ``"people:edit"`` to ``"person.edit"`` (or to a
tuple: any one of them; or ``SIGNED_IN`` / ``PUBLIC``). A view never tests a role by hand;
services still ``require`` the permission of the act they do, so the API, the CLI and the
pages meet the same rule. A test proves every URL name has an entry and every view this gate.
"""

import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured

from jumin.core import registration
from jumin.core.access import can, require, require_any


def permission_of(url_name: str):
    """The permission a page needs, as declared (``ImproperlyConfigured`` if undeclared)."""
    try:
        return registration.pages()[url_name]
    except KeyError:
        raise ImproperlyConfigured(
            f"page {url_name!r} has no entry in any app's registry.pages"
        ) from None


def check(request, url_name: str):
    """None when the user may open the page; a redirect to the login page when nobody is
    signed in; ``PermissionDeniedForRole`` (403) when the role lacks the permission."""
    permission = permission_of(url_name)
    if permission == registration.PUBLIC:
        return None
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if permission == registration.SIGNED_IN:
        return None
    if isinstance(permission, tuple):
        require_any(user, *permission)
    else:
        require(user, permission)
    return None


def may_open(user, url_name: str) -> bool:
    """Whether ``user`` may open the page (for links to pages of other apps); False for a page
    that is not installed or not declared."""
    try:
        permission = permission_of(url_name)
    except ImproperlyConfigured:
        return False
    if permission == registration.PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if permission == registration.SIGNED_IN:
        return True
    permissions = permission if isinstance(permission, tuple) else (permission,)
    return any(can(user, item) for item in permissions)


def page(view):
    """Decorate every page view: the permission comes from the registry by URL name."""

    @functools.wraps(view)
    def gated(request, *args, **kwargs):
        match = request.resolver_match
        answer = check(request, match.view_name if match is not None else "")
        if answer is not None:
            return answer
        return view(request, *args, **kwargs)

    gated.is_gated_page = True
    return gated
