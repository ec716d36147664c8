import uuid

from django.http import Http404, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from jumin.core.access import can
from jumin.core.audit import request_context
from jumin.core.money import MoneyError
from jumin.core.parsing import InputError
from jumin.core.text import TextError, check_text, export_text, has_control_characters

API_PREFIX = "/api/"


def client_address(request) -> str | None:
    """The same address the login lockout counts (``JUMIN_CLIENT_IP_HEADER`` behind a proxy)."""
    from jumin.core.auth import client_address as lockout_address

    return lockout_address(request)


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


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


# --------------------------------------------------------------------------- bad input


def bad_input_response(request, message: str, *, field: str = ""):
    """The one answer to input we refuse outside a form: a Chinese page, or the API's JSON.

    Pages answer 400 with ``400.html``; ``/api/`` answers 422 ``validation_error`` with the
    parameter in ``errors``, as a wrong field of a JSON body does.
    """
    if is_api(request):
        from jumin.core.api import error_body  # core.api imports ninja; pages do not need it

        errors = [{"field": field, "message": message}] if field else []
        text = _("输入有误：%(details)s") % {"details": f"{field}：{message}" if field else message}
        return JsonResponse(
            error_body("validation_error", text, errors),
            status=422,
            json_dumps_params={"ensure_ascii": False},
        )
    shown = _("“%(field)s”%(message)s") % {"field": field, "message": message} if field else message
    return HttpResponse(
        render_to_string("400.html", {"message": shown}, request=request), status=400
    )


def first_refused_parameter(request) -> tuple[str, str] | None:
    """``(parameter, message)`` for the first control character the request carries, or None.

    - every query-string name and value: no control character at all (nothing typed into a
      one-line search box or filter holds one);
    - every name and value of a posted form, and every uploaded file's name: no NUL byte
      (PostgreSQL refuses to store or even compare one). Other control characters in a posted
      form are left to the form, which shows the message on the field and keeps what was
      typed; the few values posted outside a form are checked where they are read.
    """
    for name, values in request.GET.lists():
        for text in (name, *values):
            try:
                check_text(text)
            except TextError as error:
                return _safe_name(name), error.message
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        for name, values in request.POST.lists():
            for text in (name, *values):
                if "\x00" in text:
                    return _safe_name(name), _("不能包含空字符（U+0000）")
        for name, upload in request.FILES.items():
            try:
                check_text(upload.name or "")
            except TextError as error:
                return _safe_name(name), _("文件名%(message)s") % {"message": error.message}
    return None


def _safe_name(name: str) -> str:
    """A parameter's name as a message may show it (its own control characters made visible)."""
    return export_text(name, multiline=False)[:50]


class InputSafetyMiddleware:
    """Input no form or schema has checked never reaches the database, and never answers 500.

    A safety net under the forms (field errors) and the API schemas (422): a NUL byte or a
    control character in a query parameter, a NUL byte in any posted field, answers 400 with
    a Chinese page naming the parameter (422 JSON under ``/api/``); one in the path answers
    404, as an address that leads nowhere. A view that reads a year,
    a date or an amount with ``jumin.core.parsing`` or ``jumin.core.money`` may simply let
    their ``InputError`` / ``MoneyError`` rise: it becomes the same answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_control_characters(request.path):
            # no page or record has such an address: the same answer as any unknown one
            raise Http404
        refused = first_refused_parameter(request)
        if refused is not None:
            field, message = refused
            return bad_input_response(request, message, field=field)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, InputError | MoneyError | TextError):
            return bad_input_response(request, exception.message, field=_field_of(exception))
        return None


def _field_of(exception) -> str:
    return getattr(exception, "field", "") or ""


class ApiJsonErrorsMiddleware:
    """Under ``/api/`` every error answers the documented JSON shape, never an HTML page.

    Ninja answers the errors of its own endpoints; this covers what happens around them: an
    unknown path (Django's 404 page), a method the path does not take (ninja's empty 405), and
    a server error raised outside an endpoint (Django's 500 page).
    """

    CODES = {
        400: "bad_request",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        413: "too_large",
        500: "server_error",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not is_api(request) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        if getattr(response, "streaming", False) or response.status_code == 401:
            return response
        from jumin.core.api import error_body

        code = self.CODES.get(response.status_code, "error")
        message = {
            400: _("请求内容不正确"),
            403: _("您不能进行这项操作"),
            404: _("接口地址不存在"),
            405: _("该接口地址不支持 %(method)s 方法") % {"method": request.method},
            413: _("请求内容过大"),
            500: _("系统出错了，请稍后再试；如果反复出现，请把请求编号告诉县级管理员"),
        }.get(response.status_code, _("请求无法处理"))
        answer = JsonResponse(
            error_body(code, message),
            status=response.status_code,
            json_dumps_params={"ensure_ascii": False},
        )
        for header in ("Allow", "X-Request-ID"):
            if header in response:
                answer[header] = response[header]
        return answer
