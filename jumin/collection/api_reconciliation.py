"""JSON API of this area; its routers are added in jumin/api.py."""

from ninja import Router

reconciliations_router = Router(tags=["collection"])
statements_router = Router(tags=["collection"])
postings_router = Router(tags=["collection"])
