"""API plumbing shared by every router: token authentication and JSON errors.

Every error answers ``{"code": "...", "message": "中文说明", "errors": [{"field", "message"}]}``.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from jumin.core.access import PermissionDeniedForRole
from jumin.core.models import ApiToken


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; a revoked token or an inactive user is refused."""

    def authenticate(self, request, token):
        if not token:
            return None
        row = (
            ApiToken.objects.select_related("user", "user__region")
            .filter(key_hash=ApiToken.hash_key(token), revoked_at__isnull=True)
            .first()
        )
        if row is None or not row.user.is_active or row.user.is_locked():
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        return row.user


def error_body(code: str, message: str, errors: list | None = None) -> dict:
    return {"code": code, "message": message, "errors": errors or []}


def _field_name(loc) -> str:
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "payload", "form")]
    return ".".join(parts)


def install(api: NinjaAPI) -> None:
    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc):
        errors = [
            {"field": _field_name(item.get("loc", [])), "message": item.get("msg", "")}
            for item in exc.errors
        ]
        fields = "、".join(error["field"] for error in errors if error["field"])
        message = f"输入有误：{fields}" if fields else "输入有误"
        return api.create_response(
            request, error_body("validation_error", message, errors), status=422
        )

    @api.exception_handler(DjangoValidationError)
    def domain_validation_error(request, exc):
        if hasattr(exc, "error_dict"):
            errors = [
                {"field": field, "message": str(message)}
                for field, messages in exc.message_dict.items()
                for message in messages
            ]
        else:
            errors = [{"field": "", "message": str(message)} for message in exc.messages]
        message = "；".join(
            f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors
        )
        return api.create_response(
            request, error_body("validation_error", message, errors), status=422
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(
            request, error_body("not_found", "记录不存在或不在您的管辖范围内"), status=404
        )

    @api.exception_handler(PermissionDeniedForRole)
    def forbidden(request, exc):
        return api.create_response(
            request, error_body("forbidden", "您的角色不能进行这项操作"), status=403
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return api.create_response(
            request, error_body("unauthenticated", "缺少或无效的访问令牌"), status=401
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        code = getattr(exc, "code", None) or {409: "conflict", 400: "bad_request"}.get(
            exc.status_code, "error"
        )
        return api.create_response(
            request, error_body(code, str(exc.message)), status=exc.status_code
        )


class ApiError(HttpError):
    """An HttpError with a machine code: ``raise ApiError(409, "conflict", "身份证号已存在")``."""

    def __init__(self, status_code: int, code: str, message: str):
        super().__init__(status_code, message)
        self.code = code
