"""The reports app's JSON API: ``/api/progress`` (see ``registry.py``)."""

from jumin.reports.api.routers.progress import router as progress_router

__all__ = ["progress_router"]
