"""The public page about the school: no sign-in, no links into the private lists."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cems.reports import public


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = public.page_context()
    # The signed-in menu (set by the navigation context processor) links to private lists.
    context["nav_items"] = context["nav_groups"] = []
    return render(request, "reports/public.html", context)
