from django.db import transaction
from django.http import HttpResponse
from django.views.decorators.http import require_POST

from jumin.core import audit
from jumin.core.pages import page
from jumin.testing.sample_app.registry import SampleAction


@page
def home(request):
    return HttpResponse("示例业务")


@require_POST
@page
def note(request):
    with transaction.atomic():
        audit.record(
            actor=request.user,
            action=SampleAction.NOTE_CREATE,
            object_type="sample_app.note",
            object_id="1",
            region_code=request.user.region_id or "",
        )
    return HttpResponse("已记录")
