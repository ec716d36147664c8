"""The JSON API root: one NinjaAPI, each app adds its router. Domain code never imports this.

OpenAPI document at ``/api/openapi.json``, docs page at ``/api/docs`` (Swagger UI served from
ninja's own static files: nothing is fetched from outside, not even the validator badge).
"""

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer

from jumin.collection import api_deposits, api_progress, api_reconciliation, api_withholding
from jumin.collection.api import router as collection_router
from jumin.core.api import StaffSessionAuth, TokenAuth
from jumin.core.api import install as install_core
from jumin.core.api_routes import jobs_router, regions_router
from jumin.pension import api_accounts, api_enrolment
from jumin.pension.api import router as pension_router
from jumin.people.api import router as people_router
from jumin.people.api_import import router as imports_router


class ReadableJSONRenderer(JSONRenderer):
    """UTF-8 JSON with Chinese characters as they are, not as ``\\u`` escapes."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
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
    renderer=ReadableJSONRenderer(),
)
install_core(api)
api.add_router("/persons", people_router)
api.add_router("/regions", regions_router)
api.add_router("/imports", imports_router)
api.add_router("/jobs", jobs_router)
api.add_router("/pension", pension_router)
api.add_router("/collection", collection_router)
api.add_router("/enrolments", api_enrolment.router)
api.add_router("/accounts", api_accounts.router)
api.add_router("/dues", api_withholding.dues_router)
api.add_router("/withholding", api_withholding.batches_router)
api.add_router("/tax-files", api_withholding.tax_router)
api.add_router("/deposits", api_deposits.router)
api.add_router("/reconciliations", api_reconciliation.reconciliations_router)
api.add_router("/bank-statements", api_reconciliation.statements_router)
api.add_router("/postings", api_reconciliation.postings_router)
api.add_router("/progress", api_progress.router)
