from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cems.accounts.access import Capability, has_capability, sees_personal_data, students_for
from cems.reports.selectors import dashboard_charts, dashboard_figures


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """One landing page per role: the figures of the user's scope, or the user's own record."""
    context: dict[str, object] = {"personal": sees_personal_data(request.user)}
    if has_capability(request.user, Capability.LIST_STUDENTS):
        charts = dashboard_charts(user=request.user)
        context["charts"] = charts
        context["figures"] = dashboard_figures(user=request.user, charts=charts)
    elif has_capability(request.user, Capability.VIEW_STUDENTS):
        context["own_records"] = list(
            students_for(request.user).select_related("station", "program__major")
        )
    return render(request, "reports/dashboard.html", context)
