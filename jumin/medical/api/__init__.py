"""The medical app's JSON API (see ``registry.py``). Enrolment and financing (H4):
``/api/medical/enrolments``, ``/api/medical/financing``, ``/api/medical/fund``,
``/api/medical/participation``."""

from jumin.medical.api.routers.enrolment import (
    enrolments_router,
    financing_router,
    fund_router,
    participation_router,
)

__all__ = ["enrolments_router", "financing_router", "fund_router", "participation_router"]
