"""The JSON API root: one NinjaAPI, each app adds its router. Domain code never imports this."""

from ninja import NinjaAPI
from ninja.security import SessionAuth

from jumin.core.api import TokenAuth
from jumin.core.api import install as install_core
from jumin.core.api_routes import jobs_router, regions_router
from jumin.people.api import router as people_router
from jumin.people.api_import import router as imports_router

api = NinjaAPI(
    title="jumin API",
    version="1",
    description="县级城乡居民养老保险与居民医保经办系统接口。Token authentication: "
    "`Authorization: Bearer <token>` (tokens from `jumin token create USERNAME`).",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
)
install_core(api)
api.add_router("/persons", people_router)
api.add_router("/regions", regions_router)
api.add_router("/imports", imports_router)
api.add_router("/jobs", jobs_router)
