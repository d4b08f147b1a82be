"""The report pages (cems/reports/registry.py): a list of the reports the user may open, and
each report as a page with its filters, chart and table, or as a csv or xlsx download of the
same rows."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.utils.datastructures import MultiValueDict

from cems.accounts.access import AnyUser, has_capability
from cems.core.export import FORMATS, tabular_response
from cems.core.forms import valid_filters
from cems.reports.registry import Table, get_report, reports_for
from cems.reports.snapshots import snapshot


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
    as_of = None
    if (filters := valid_filters(form)) is None:
        table = chosen.run(request.user, None)
    else:
        # Valid filters: the table comes from a snapshot (cems/reports/snapshots.py).
        query = {name: params.getlist(name) for name in sorted(params)}
        taken = snapshot(f"report:{key}", "cems.reports.views_reports.report_table",
                         request.user, {"key": key, "query": query})  # fmt: skip
        table, as_of = taken.value, taken
    del filters
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
        {
            "report": chosen,
            "form": form,
            "table": table,
            "numeric": table.numeric_positions(),
            "snapshot": as_of,
        },
    )


def report_table(user: AnyUser, params: dict[str, Any]) -> Table:
    """A report's table for valid filters given as the page received them (a snapshot's
    computation, also run by the background worker)."""
    chosen = get_report(params["key"])
    form = chosen.form_class(MultiValueDict(params["query"]) or None, user=user)
    return chosen.run(user, valid_filters(form))
