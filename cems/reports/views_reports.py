"""The report pages (cems/reports/registry.py): a list of the reports the user may open, and
each report as a page with its filters, chart and table, or as a csv or xlsx download of the
same rows."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render

from cems.accounts.access import has_capability
from cems.core.export import FORMATS, tabular_response
from cems.core.forms import valid_filters
from cems.reports.registry import get_report, reports_for


@login_required
def index(request: HttpRequest) -> HttpResponseBase:
    reports = reports_for(request.user)
    if not reports:
        raise PermissionDenied
    return render(request, "reports/report_index.html", {"reports": reports})


@login_required
def report(request: HttpRequest, key: str) -> HttpResponseBase:
    chosen = get_report(key)
    if not has_capability(request.user, chosen.capability):
        raise PermissionDenied
    params = request.GET.copy()
    params.pop("format", None)
    form = chosen.form_class(params or None, user=request.user)
    table = chosen.run(request.user, valid_filters(form))
    if (fmt := request.GET.get("format")) in FORMATS:
        return tabular_response(
            filename=f"report-{chosen.key}",
            columns=table.titles(),
            rows=table.download_rows(),
            fmt=fmt,
        )
    return render(
        request,
        "reports/report.html",
        {"report": chosen, "form": form, "table": table, "numeric": table.numeric_positions()},
    )
