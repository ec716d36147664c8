"""The medical app's JSON API (see ``registry.py``): ``/api/medical/claims``."""

from jumin.medical.api.routers.claims import router as claims_router

__all__ = ["claims_router"]
