from ninja import Router

router = Router(tags=["示例"])


@router.get("/ping", summary="示例")
def ping(request) -> dict:
    return {"answer": "pong"}
