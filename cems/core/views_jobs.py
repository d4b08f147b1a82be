"""The background tasks a user started: their progress (polled by htmx) and their files."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from cems.accounts.access import get_in_scope_or_404, jobs_for
from cems.core.models import Job


@require_GET
@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(jobs_for(request.user), settings.CEMS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "core/jobs/list.html", {"page": page})


@require_GET
@login_required
def job_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """The task's page; asked by htmx (polling), only its progress panel."""
    job = get_in_scope_or_404(jobs_for(request.user), pk=pk)
    template = (
        "core/jobs/_progress.html" if request.headers.get("HX-Request") else "core/jobs/detail.html"
    )
    response = render(request, template, {"job": job})
    add_never_cache_headers(response)
    return response


@require_GET
@login_required
def job_download(request: HttpRequest, pk: str) -> FileResponse:
    job = get_in_scope_or_404(jobs_for(request.user), pk=pk, status=Job.Status.DONE)
    if not job.result:
        raise Http404
    try:
        handle = job.result.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle, as_attachment=True, filename=job.result_name, content_type=job.content_type
    )
    add_never_cache_headers(response)
    return response
