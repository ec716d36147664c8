"""The pension app's JSON API (see ``registry.py``): ``/api/enrolments`` and ``/api/accounts``
(``api_enrolment``, ``api_accounts``), ``/api/dues`` and ``/api/postings``."""

from jumin.pension.api.routers.dues import router as dues_router
from jumin.pension.api.routers.postings import router as postings_router

__all__ = ["dues_router", "postings_router"]
