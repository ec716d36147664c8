"""The people app's JSON API: ``/api/persons`` and ``/api/imports`` (see ``registry.py``)."""

from jumin.people.api.routers.persons import router as persons_router
from jumin.people.api.routers.roster_imports import router as roster_imports_router

__all__ = ["persons_router", "roster_imports_router"]
