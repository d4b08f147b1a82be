from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cems.accounts.access import Capability, has_capability, sees_personal_data, students_for
from cems.reports.selectors import dashboard_charts, dashboard_figures
from cems.teaching import selectors as teaching

# A teacher's dashboard lists this many of their current offerings; "My courses" has them all.
TEACHER_OFFERINGS_SHOWN = 20


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
    elif has_capability(request.user, Capability.TEACH):
        term = teaching.term_current()
        offerings = teaching.teacher_offerings(user=request.user, term=term)
        context["teaching"] = {
            "term": term,
            "offerings": list(offerings[: TEACHER_OFFERINGS_SHOWN + 1]),
            "shown": TEACHER_OFFERINGS_SHOWN,
        }
    return render(request, "reports/dashboard.html", context)
