"""The pension app's JSON API (see ``registry.py``): enrolments, accounts and statements,
dues, postings, interest, transfers and scheme links, estimates, awards, payrolls,
certifications, deaths and recoveries."""

from jumin.pension.api.routers.accounts import router as accounts_router
from jumin.pension.api.routers.awards import router as awards_router
from jumin.pension.api.routers.certifications import router as certifications_router
from jumin.pension.api.routers.deaths import router as deaths_router
from jumin.pension.api.routers.dues import router as dues_router
from jumin.pension.api.routers.enrolments import router as enrolments_router
from jumin.pension.api.routers.estimates import router as estimates_router
from jumin.pension.api.routers.interest import router as interest_router
from jumin.pension.api.routers.payrolls import router as payrolls_router
from jumin.pension.api.routers.postings import router as postings_router
from jumin.pension.api.routers.recoveries import router as recoveries_router
from jumin.pension.api.routers.transfers import links_router, transfers_router

__all__ = [
    "accounts_router",
    "awards_router",
    "certifications_router",
    "deaths_router",
    "dues_router",
    "enrolments_router",
    "estimates_router",
    "interest_router",
    "links_router",
    "payrolls_router",
    "postings_router",
    "recoveries_router",
    "transfers_router",
]
