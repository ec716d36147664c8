"""JSON API of this area; its routers are added in jumin/api.py."""

from ninja import Router

dues_router = Router(tags=["collection"])
batches_router = Router(tags=["collection"])
tax_router = Router(tags=["collection"])
