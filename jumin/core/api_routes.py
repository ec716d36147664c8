from ninja import Router

regions_router = Router(tags=["regions"])
jobs_router = Router(tags=["jobs"])
