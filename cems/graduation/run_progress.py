"""The progress of an audit running in the background, on its page: a panel that htmx asks
for again every second (`?progress=1`) until the run has finished, when it tells the
browser to load the page again, now with the results."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from cems.graduation.models import AuditRun, RunStatus


def asked(request: HttpRequest) -> bool:
    return request.GET.get("progress") == "1"


def panel(request: HttpRequest, run: AuditRun) -> HttpResponse:
    response: HttpResponse
    if run.status == RunStatus.RUNNING:
        response = render(request, "graduation/_run_progress.html", {"run": run})
    elif request.headers.get("HX-Request"):
        response = HttpResponse()
        response["HX-Refresh"] = "true"
    else:
        response = HttpResponseRedirect(request.path)
    add_never_cache_headers(response)
    return response
