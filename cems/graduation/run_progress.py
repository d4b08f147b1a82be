"""The progress of an audit running in the background, on its page: a panel that htmx asks
for again every second (`?progress=1`) until the run has finished, when it tells the
browser to load the page again, now with the results."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

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


def tell_started(
    request: HttpRequest, run: AuditRun, done: Callable[[dict[str, Any]], str]
) -> None:
    """The message after a start: the error of a run that failed, `done(counts)` for one
    already finished (tasks run at once, or a quick worker), none while it runs (its page
    shows the progress)."""
    if run.status == RunStatus.FAILED:
        messages.error(request, _("The audit failed: %(error)s") % {"error": run.error})
    elif run.status == RunStatus.DONE:
        messages.success(request, done(run.counts))
