"""JSON API of this area; its routers are added in jumin/api.py."""

from ninja import Router

router = Router(tags=["collection"])
