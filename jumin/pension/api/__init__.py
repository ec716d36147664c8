"""The pension app's JSON API (see ``registry.py``): ``/api/enrolments``, ``/api/accounts``,
``/api/dues`` and ``/api/postings``."""

from jumin.pension.api.routers.accounts import router as accounts_router
from jumin.pension.api.routers.awards import router as awards_router
from jumin.pension.api.routers.dues import router as dues_router
from jumin.pension.api.routers.enrolments import router as enrolments_router
from jumin.pension.api.routers.estimates import router as estimates_router
from jumin.pension.api.routers.interest import router as interest_router
from jumin.pension.api.routers.postings import router as postings_router
from jumin.pension.api.routers.transfers import links_router, transfers_router

__all__ = [
    "accounts_router",
    "awards_router",
    "dues_router",
    "enrolments_router",
    "estimates_router",
    "interest_router",
    "links_router",
    "postings_router",
    "transfers_router",
]
