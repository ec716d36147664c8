"""API plumbing shared by every router: authentication and JSON errors.

Every error answers ``{"code": "...", "message": "中文说明", "errors": [{"field", "message"}]}``:

=================  ======  ====================================================
code               status  when
=================  ======  ====================================================
bad_request        400     the body is not JSON, or not a form the endpoint can read
unauthenticated    401     no token, an unknown or revoked token, a deactivated user
forbidden          403     the role may not do this (``access.require``)
csrf_failed        403     a logged-in browser session sent a write without CSRF
not_found          404     unknown, or outside the caller's region
conflict           409     the request clashes with what is stored
validation_error   422     a field is wrong (a control character in a query parameter
                           included); ``errors`` names each field
method_not_allowed 405     the path exists but not with this method
server_error       500     an unexpected error, logged with its traceback
=================  ======  ====================================================

Unknown paths under ``/api/`` answer 404 ``not_found`` in the same shape
(``core.middleware.ApiJsonErrorsMiddleware``).
"""

import datetime
import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from jumin.core import schemas
from jumin.core.access import PermissionDeniedForRole
from jumin.core.models import ApiToken
from jumin.core.money import MoneyError
from jumin.core.parsing import InputError
from jumin.core.text import TextError

logger = logging.getLogger("django.request")

# A token is written back as "last used" at most this often, so each call is not a write.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
TOKEN_MAX_LENGTH = 200


# The text rule of forms and files (``core.text.check_text``), defined with the other shared
# field types in ``core.schemas``; imported here too because every router reads it from here.
PlainText = schemas.PlainText


def user_may_use_api(user) -> bool:
    """Only deactivation stops a user's API access. A login lockout (django-axes) is about
    passwords tried from one address; a token is a separate credential and keeps working."""
    return user is not None and user.is_active


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; a revoked token or an inactive user is refused."""

    def authenticate(self, request, token):
        token = (token or "").strip()
        if not token or len(token) > TOKEN_MAX_LENGTH:
            return None
        row = (
            ApiToken.objects.select_related("user", "user__region")
            .filter(key_hash=ApiToken.hash_key(token), revoked_at__isnull=True)
            .first()
        )
        if row is None or not user_may_use_api(row.user):
            return None
        now = timezone.now()
        if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user


class StaffSessionAuth(SessionAuth):
    """A logged-in staff session (the browser, the docs page); CSRF is checked for writes.

    Unlike ninja's ``SessionAuth``, a request without a session is simply not authenticated
    (401), instead of failing the CSRF check (403) before anyone is known.
    """

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        try:
            return super().__call__(request) if user_may_use_api(user) else None
        except HttpError as error:
            raise ApiError(
                403, "csrf_failed", _("缺少或错误的 CSRF 令牌，请刷新页面后重试")
            ) from error


class ErrorItem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    """The body of every error answer."""

    code: str
    message: str
    errors: list[ErrorItem]


def error_responses(*statuses: int) -> dict:
    """``response={200: X, **error_responses(401, 404)}``: documents the error answers."""
    return dict.fromkeys(statuses, ErrorOut)


def error_body(code: str, message: str, errors: list | None = None) -> dict:
    return {"code": code, "message": message, "errors": errors or []}


def _field_name(loc) -> str:
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "payload", "form")]
    return ".".join(parts)


def pydantic_message(item: dict) -> str:
    """A Chinese sentence for one pydantic error (``{"type", "msg", "ctx"}``)."""
    kind = item.get("type", "")
    context = item.get("ctx") or {}
    messages = {
        "missing": _("必须填写"),
        "control_characters": "%(detail)s",
        "date_range": "%(detail)s",
        "money": "%(detail)s",
        "decimal_parsing": _("应为数字，如 100.00"),
        "decimal_type": _("应为数字，如 100.00"),
        "decimal_max_digits": _("数字过长（最多%(max_digits)s位）"),
        "decimal_max_places": _("最多%(decimal_places)s位小数"),
        "decimal_whole_digits": _("整数部分过长（最多%(whole_digits)s位）"),
        "finite_number": _("应为有限的数字"),
        "string_unicode": _("应为文字"),
        "list_type": _("应为列表"),
        "too_long": _("过多（最多%(max_length)s个）"),
        "too_short": _("过少（至少%(min_length)s个）"),
        "json_invalid": _("不是有效的 JSON"),
        "date_future": _("不能是将来的日期"),
        "datetime_parsing": _("时间格式应为 2024-01-31T08:00:00"),
        "datetime_type": _("时间格式应为 2024-01-31T08:00:00"),
        "string_too_long": _("过长（最多%(max_length)s个字符）"),
        "string_too_short": _("过短（至少%(min_length)s个字符）"),
        "string_type": _("应为文字"),
        "string_pattern_mismatch": _("格式不正确"),
        "int_type": _("应为整数"),
        "int_parsing": _("应为整数"),
        "int_from_float": _("应为整数"),
        "int_parsing_size": _("数字过大"),
        "greater_than_equal": _("不能小于 %(ge)s"),
        "less_than_equal": _("不能大于 %(le)s"),
        "greater_than": _("应大于 %(gt)s"),
        "less_than": _("应小于 %(lt)s"),
        "date_type": _("日期格式应为 2024-01-31"),
        "date_parsing": _("日期格式应为 2024-01-31"),
        "date_from_datetime_parsing": _("日期格式应为 2024-01-31"),
        "date_from_datetime_inexact": _("日期格式应为 2024-01-31"),
        "bool_type": _("应为 true 或 false"),
        "bool_parsing": _("应为 true 或 false"),
        "uuid_type": _("编号格式不正确"),
        "uuid_parsing": _("编号格式不正确"),
        "extra_forbidden": _("不认识的字段"),
        "model_attributes_type": _("应为 JSON 对象"),
        "model_type": _("应为 JSON 对象"),
        "dict_type": _("应为 JSON 对象"),
        "enum": _("只能是：%(expected)s"),
        "literal_error": _("只能是：%(expected)s"),
    }
    template = messages.get(kind)
    if template is None:
        return _("输入有误")
    try:
        return template % {key: str(value) for key, value in context.items()}
    except (KeyError, TypeError, ValueError):
        return _("输入有误")


def install(api: NinjaAPI) -> None:
    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc):
        errors = [
            {"field": _field_name(item.get("loc", [])), "message": pydantic_message(item)}
            for item in exc.errors
        ]
        details = "；".join(
            f"{error['field']}：{error['message']}" if error["field"] else error["message"]
            for error in errors
        )
        message = _("输入有误：%(details)s") % {"details": details} if details else _("输入有误")
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
        # The services' messages already name the field in Chinese ("姓名过长……").
        message = "；".join(dict.fromkeys(error["message"] for error in errors))
        return api.create_response(
            request, error_body("validation_error", message, errors), status=422
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(
            request, error_body("not_found", _("记录不存在或不在您的管辖范围内")), status=404
        )

    @api.exception_handler(PermissionDeniedForRole)
    def forbidden(request, exc):
        return api.create_response(
            request, error_body("forbidden", _("您的角色不能进行这项操作")), status=403
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        response = api.create_response(
            request,
            error_body("unauthenticated", _("缺少或无效的访问令牌，或账号已停用")),
            status=401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="jumin"'
        return response

    @api.exception_handler(InputError)
    @api.exception_handler(MoneyError)
    @api.exception_handler(TextError)
    def input_error(request, exc):
        # a value an endpoint parsed itself with core.parsing / core.money / core.text
        field = getattr(exc, "field", "") or ""
        errors = [{"field": field, "message": exc.message}] if field else []
        message = f"{field}：{exc.message}" if field else exc.message
        return api.create_response(
            request,
            error_body(
                "validation_error", _("输入有误：%(details)s") % {"details": message}, errors
            ),
            status=422,
        )

    @api.exception_handler(PermissionDenied)
    def permission_denied(request, exc):
        return api.create_response(
            request, error_body("forbidden", _("您不能进行这项操作")), status=403
        )

    @api.exception_handler(Exception)
    def server_error(request, exc):
        """Any other exception: logged with its traceback like Django's own 500, answered in
        the documented JSON (never ninja's plain-text traceback or Django's HTML page)."""
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exc,
            extra={"status_code": 500, "request": request},
        )
        # Django's error reporting and the test client listen for this signal.
        got_request_exception.send(sender=None, request=request)
        return api.create_response(
            request,
            error_body(
                "server_error",
                _("系统出错了，请稍后再试；如果反复出现，请把请求编号告诉县级管理员"),
            ),
            status=500,
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        if isinstance(exc, ApiError):
            code, message = exc.code, str(exc.message)
        elif exc.status_code == 400:
            # ninja's only 400 is a body it cannot parse
            code, message = "bad_request", _("请求内容不是有效的 JSON")
        else:
            code = {409: "conflict", 403: "forbidden", 429: "too_many_requests"}.get(
                exc.status_code, "error"
            )
            message = str(exc.message)
        return api.create_response(request, error_body(code, message), status=exc.status_code)


class ApiError(HttpError):
    """An HttpError with a machine code: ``raise ApiError(409, "conflict", "身份证号已存在")``."""

    def __init__(self, status_code: int, code: str, message: str):
        super().__init__(status_code, message)
        self.code = code
