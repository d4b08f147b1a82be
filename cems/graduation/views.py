"""Graduation audit pages: start an audit, the audits, a run's results (filters, downloads,
approval), the graduates, and the student's own result in the portal."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cems.accounts.access import (
    Capability,
    has_capability,
    require_capability,
    signed_in_user,
    stations_for,
)
from cems.accounts.models import User
from cems.core.export import FORMATS, tabular_response
from cems.core.forms import valid_filters
from cems.graduation import audit, degree, run_progress, selectors, services
from cems.graduation.forms import (
    ApproveForm,
    AuditStartForm,
    GraduateFilterForm,
    ResultFilterForm,
)
from cems.graduation.models import AuditKind, AuditRun, RunStatus


@require_capability(Capability.VIEW_AUDITS)
def audit_list(request: HttpRequest) -> HttpResponseBase:
    runs = selectors.runs_for(request.user)
    page = Paginator(runs, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "graduation/audit_list.html",
        {"page": page, "can_run": has_capability(request.user, Capability.RUN_AUDITS)},
    )


@require_capability(Capability.RUN_AUDITS)
def audit_start(request: HttpRequest) -> HttpResponseBase:
    user = signed_in_user(request)
    form = AuditStartForm(
        request.POST if request.method == "POST" else None,
        cohorts=selectors.cohort_years(),
        stations=stations_for(user).order_by("code"),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                run = services.audit_start(
                    actor=user,
                    cohort_year=form.cleaned_data["cohort_year"],
                    station=form.cleaned_data["station"],
                    today=form.cleaned_data["as_of"],
                    background=True,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                run_progress.tell_started(
                    request,
                    run,
                    lambda counts: (
                        _("Audited %(students)d students: %(eligible)d eligible.")
                        % {
                            "students": counts.get("students", 0),
                            "eligible": counts.get("eligible", 0),
                        }
                    ),
                )
                return redirect("graduation:audit_detail", run.pk)
        status = 400
    return render(
        request,
        "graduation/audit_start.html",
        {"form": form, "running": selectors.running()},
        status=status,
    )


def _approvable(user: User | Any, run: AuditRun) -> bool:
    return (
        run.kind == AuditKind.GRADUATION
        and run.status == RunStatus.DONE
        and has_capability(user, Capability.RUN_AUDITS)
    )


@require_capability(Capability.VIEW_AUDITS)
def audit_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A run's results of the user's students: filters, pages, downloads, approval."""
    run = selectors.run_for(request.user, pk=pk)
    if run_progress.asked(request):
        return run_progress.panel(request, run)
    form = ResultFilterForm(
        request.GET or None,
        stations=stations_for(request.user).order_by("code"),
        programs=selectors.program_choices(),
        reasons=audit.reason_choices(),
    )
    results = selectors.results_of(request.user, run=run, filters=valid_filters(form))
    if (fmt := request.GET.get("format")) in FORMATS:
        return tabular_response(
            filename=f"audit-{run.pk}",
            columns=selectors.result_columns(),
            rows=selectors.result_rows(results.iterator(chunk_size=2000)),
            fmt=fmt,
        )
    page = Paginator(results, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"result": r, "reasons": audit.describe_all(r.reasons)} for r in page]
    can_approve = _approvable(request.user, run)
    return render(
        request,
        "graduation/audit_detail.html",
        {
            "run": run,
            "form": form,
            "page": page,
            "rows": rows,
            "counts": selectors.result_counts(request.user, run=run),
            "can_approve": can_approve,
            "approvable": [r.pk for r in page if r.eligible and not r.approved],
            "approve_form": ApproveForm(results=results.none()) if can_approve else None,
            "can_view_students": has_capability(request.user, Capability.VIEW_STUDENTS),
            "query": request.GET.urlencode(),
        },
    )


@require_POST
@require_capability(Capability.RUN_AUDITS)
def audit_approve(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Approve the checked results, or every eligible one shown on the page."""
    user = signed_in_user(request)
    run = selectors.run_for(user, pk=pk)
    data = request.POST.copy()
    if data.get("action") == "page":
        data.setlist("results", request.POST.getlist("page_result"))
    form = ApproveForm(data, results=selectors.results_of(user, run=run, filters={}))
    if form.is_valid():
        try:
            graduations = services.audit_approve(
                actor=user,
                run=run,
                result_ids=[r.pk for r in form.cleaned_data["results"]],
                graduated_on=form.cleaned_data["graduated_on"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                # Two messages, not ngettext: the singular names no range.
                (
                    _("One student graduated, diploma number %(first)s.")
                    if len(graduations) == 1
                    else _("%(count)d students graduated, diploma numbers %(first)s to %(last)s.")
                )
                % {
                    "count": len(graduations),
                    "first": min(g.diploma_number for g in graduations),
                    "last": max(g.diploma_number for g in graduations),
                },
            )
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(str(message) for message in errors))
    # Back to the page the approval was made from (its filters and page number).
    query = QueryDict(request.POST.get("query", "")).urlencode()
    url = reverse("graduation:audit_detail", args=[run.pk])
    return redirect(f"{url}?{query}" if query else url)


@require_capability(Capability.VIEW_AUDITS)
def graduate_list(request: HttpRequest) -> HttpResponseBase:
    form = GraduateFilterForm(
        request.GET or None,
        years=selectors.graduation_years(),
        stations=stations_for(request.user).order_by("code"),
        programs=selectors.program_choices(),
    )
    graduates = selectors.graduates_for(request.user, filters=valid_filters(form))
    if (fmt := request.GET.get("format")) in FORMATS:
        return tabular_response(
            filename="graduates",
            columns=selectors.graduate_columns(),
            rows=selectors.graduate_rows(graduates.iterator(chunk_size=2000)),
            fmt=fmt,
        )
    page = Paginator(graduates, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "graduation/graduate_list.html",
        {
            "form": form,
            "page": page,
            "can_view_students": has_capability(request.user, Capability.VIEW_STUDENTS),
        },
    )


@require_capability(Capability.USE_PORTAL)
def mine(request: HttpRequest) -> HttpResponseBase:
    """The student's latest graduation audit result with its reasons, and the diploma
    number once issued."""
    user = signed_in_user(request)
    records = selectors.latest_results(user)
    for record in records:
        # The degree audit's part of the page (cems/graduation/degree.py), for bachelors.
        record["degree_status"] = degree.degree_status(record["student"])
    return render(request, "graduation/mine.html", {"records": records})
