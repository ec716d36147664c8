"""The pension app's JSON API (see ``registry.py``): ``/api/enrolments``, ``/api/accounts``,
``/api/dues`` and ``/api/postings``."""

from jumin.pension.api.routers.accounts import router as accounts_router
from jumin.pension.api.routers.certifications import router as certifications_router
from jumin.pension.api.routers.deaths import router as deaths_router
from jumin.pension.api.routers.dues import router as dues_router
from jumin.pension.api.routers.enrolments import router as enrolments_router
from jumin.pension.api.routers.payrolls import router as payrolls_router
from jumin.pension.api.routers.postings import router as postings_router
from jumin.pension.api.routers.recoveries import router as recoveries_router

__all__ = [
    "accounts_router",
    "certifications_router",
    "deaths_router",
    "dues_router",
    "enrolments_router",
    "payrolls_router",
    "postings_router",
    "recoveries_router",
]
