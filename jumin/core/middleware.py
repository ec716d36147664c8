import uuid

from django.http import Http404

from jumin.core.access import can
from jumin.core.audit import request_context


def client_address(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Gives every request an id (echoed as ``X-Request-ID``) that the audit trail records."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming[:64] if incoming.isprintable() and incoming else uuid.uuid4().hex
        request.request_id = request_id
        with request_context(request_id, client_address(request)):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class AdminOnlyForAdministratorsMiddleware:
    """The Django admin is for county administrators (and superusers) only; others get 404."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/admin/"):
            user = request.user
            if user.is_authenticated and not (user.is_superuser or can(user, "admin.site")):
                raise Http404
        return self.get_response(request)
