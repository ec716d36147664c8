"""The JSON API root: one NinjaAPI with every router the apps register. Domain code never
imports this.

OpenAPI document at ``/api/openapi.json``, docs page at ``/api/docs`` (Swagger UI served from
ninja's own static files: nothing is fetched from outside, not even the validator badge).
The docs page is for signed-in staff (others are sent to the login page); the document is for
staff sessions and API tokens, the callers it describes (others get the 401 JSON error).
"""

import functools
import http
import re

from django.contrib.auth.views import redirect_to_login
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.openapi.views import openapi_json
from ninja.renderers import JSONRenderer

from jumin.core import registration
from jumin.core.api import StaffSessionAuth, TokenAuth, error_body
from jumin.core.api import install as install_core


class ReadableJSONRenderer(JSONRenderer):
    """UTF-8 JSON with Chinese characters as they are, not as ``\\u`` escapes."""

    json_dumps_params = {"ensure_ascii": False}


ERROR_SCHEMA = {"$ref": "#/components/schemas/ErrorOut"}


def generic_error_answers(operation: dict) -> list[int]:
    """The error answers an operation can give whatever its code says: 401 (every operation
    needs a token or a session), 400 (a body that cannot be parsed, answered by ninja before
    the operation runs) and 422 (input the schema or the input rules refuse)."""
    statuses = [401]
    if "requestBody" in operation:
        statuses += [400, 422]
    elif operation.get("parameters"):
        statuses.append(422)
    return statuses


def operation_id(method: str, path: str, prefix: str = "/api/") -> str:
    """An operation's id from its method and path (``GET /api/persons/{id_number}`` →
    ``get_persons_id_number``): stable while the path is, wherever the code behind it lives
    (ninja's own id is the Python module and function, which a move would change)."""
    if path.startswith(prefix):
        path = path[len(prefix) :]
    words = re.findall(r"[A-Za-z0-9]+", path)
    return "_".join([method.lower(), *words]) if words else method.lower()


class JuminAPI(NinjaAPI):
    """Lists on every operation the error answers the shared machinery gives (ninja's 400 for
    a body it cannot parse, 401, 422), so no router has to remember them; names each
    operation by its method and path (``operation_id``)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        prefix = "/api/" if path_prefix is None else path_prefix
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                operation["operationId"] = operation_id(method, path, prefix)
                responses = operation.setdefault("responses", {})
                for status in generic_error_answers(operation):
                    if status not in responses and str(status) not in responses:
                        responses[status] = {
                            "description": http.HTTPStatus(status).phrase,
                            "content": {"application/json": {"schema": ERROR_SCHEMA}},
                        }
                operation["responses"] = dict(
                    sorted(responses.items(), key=lambda item: int(item[0]))
                )
        return document


def staff_docs(view):
    """``docs_decorator``: the docs page for signed-in staff only (else the login page); the
    OpenAPI document also for an API token (else the JSON error ``unauthenticated``)."""
    is_document = getattr(view, "func", None) is openapi_json

    @functools.wraps(view.func if isinstance(view, functools.partial) else view)
    def guarded(request, *args, **kwargs):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return view(request, *args, **kwargs)
        if not is_document:
            return redirect_to_login(request.get_full_path())
        if TokenAuth()(request) is not None:
            return view(request, *args, **kwargs)
        response = api.create_response(
            request,
            error_body("unauthenticated", _("缺少或无效的访问令牌，或账号已停用")),
            status=401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="jumin"'
        return response

    return guarded


api = JuminAPI(
    title="jumin API",
    version="1",
    description=(
        "县级城乡居民养老保险与居民医保经办系统接口。\n\n"
        "认证：`Authorization: Bearer <token>`（令牌由 `jumin token create USERNAME` 生成），"
        "或已登录的工作人员会话（写操作需带 `X-CSRFToken`）。"
        "所有查询只返回您管辖区域内的数据；区域外或不存在的记录一律返回 404。\n\n"
        '错误统一为 `{"code", "message", "errors": [{"field", "message"}]}`：'
        "400 bad_request, 401 unauthenticated, 403 forbidden / csrf_failed, 404 not_found, "
        "409 conflict, 422 validation_error."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), StaffSessionAuth()],
    docs=Swagger(settings={"validatorUrl": None}),
    docs_decorator=staff_docs,
    renderer=ReadableJSONRenderer(),
)
install_core(api)
for declared in registration.routers():
    api.add_router(declared.prefix, import_string(declared.router.replace(":", ".")))
