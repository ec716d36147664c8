"""The medical app's JSON API (see ``registry.py``): enrolment and financing
(``/api/medical/enrolments``, ``/financing``, ``/fund``, ``/participation``) and claims
(``/api/medical/claims``)."""

from jumin.medical.api.routers.claims import router as claims_router
from jumin.medical.api.routers.enrolment import (
    enrolments_router,
    financing_router,
    fund_router,
    participation_router,
)

__all__ = [
    "claims_router",
    "enrolments_router",
    "financing_router",
    "fund_router",
    "participation_router",
]
