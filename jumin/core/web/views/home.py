"""The home page: the user's area in numbers and the big buttons of their work."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from jumin.core.navigation import tasks_for
from jumin.core.pages import page
from jumin.core.queries.home import home_summary


@require_GET
@page
def home(request):
    return render(
        request,
        "core/home.html",
        {"summary": home_summary(request.user), "tasks": tasks_for(request.user)},
    )
