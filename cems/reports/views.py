"""The dashboard: one landing page per role, its charts drawn on the server
(cems/reports/charts.py), each bar leading to the filtered list behind it.

- admin, academic, station staff, auditor: students by province, station, level, mode,
  cohort and status, and the status-change requests waiting for a decision;
- finance: fees per station, then the students' figures;
- training office: this year's trainees and person-times per category, certificates
  expiring within twelve months;
- teacher: their courses of the current term; student and trainee: their own record.
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cems.accounts.access import (
    AnyUser,
    Capability,
    has_capability,
    sees_personal_data,
    students_for,
)
from cems.accounts.models import Role
from cems.reports import selectors
from cems.reports.charts import Point, bar_chart, column_chart
from cems.reports.snapshots import snapshot
from cems.teaching import selectors as teaching
from cems.training import certificates

# A teacher's dashboard lists this many of their current offerings; "My courses" has them all.
TEACHER_OFFERINGS_SHOWN = 20


@dataclass(frozen=True)
class Drawn:
    """A chart as the page shows it: its points (each linked to its list), drawn as bars or,
    over an ordered axis, as columns."""

    key: str
    title: str
    points: list[Point]
    columns: bool = False
    note: str = ""

    @property
    def svg(self) -> SafeString:
        draw = column_chart if self.columns else bar_chart
        return draw(self.points, title=self.title)


def _link(name: str, **query: object) -> str:
    return f"{reverse(name)}?{urlencode(query)}"


def _student_charts(charts: list[selectors.Chart]) -> list[Drawn]:
    """The students' charts: bars (cohorts: columns in year order) to the student list."""
    drawn = []
    for chart in charts:
        points = [
            Point(bar.label, bar.count, _link("students:list", **bar.filters)) for bar in chart.bars
        ]
        drawn.append(Drawn(chart.key, str(chart.title), points, columns=chart.key == "cohort"))
    return drawn


def _requests(request: HttpRequest) -> dict[str, object]:
    states = selectors.pending_requests(user=request.user)
    title = _("Status changes waiting for a decision")
    points = [Point(s.label, s.count, _link("status_changes:list", state=s.state)) for s in states]
    approver = has_capability(request.user, Capability.APPROVE_AS_STATION) or has_capability(
        request.user, Capability.APPROVE_AS_SCHOOL
    )
    return {
        "total": sum(s.count for s in states),
        "chart": Drawn("requests", title, points),
        "pending_url": reverse("status_changes:pending") if approver else None,
    }


def _fees(request: HttpRequest) -> dict[str, object]:
    taken = snapshot("dashboard:fees", "cems.reports.views.fee_rows", request.user, {})
    rows = taken.value
    arrears = reverse("finance:arrears_students")
    owed_title = _("Owed per station")
    collected_title = _("Collected per station")
    charged_title = _("Charged per station")

    def chart(key: str, title: str, value: str, linked: bool) -> Drawn:
        points = [
            Point(row.station.name, getattr(row, value),
                  _link("finance:arrears_students", station=row.station.pk) if linked else None)
            for row in rows
        ]  # fmt: skip
        return Drawn(key, title, points)

    return {
        "rows": rows,
        "charts": [
            chart("owed", owed_title, "owed", True),
            chart("collected", collected_title, "collected", False),
            chart("charged", charged_title, "charged", False),
        ],
        "arrears_url": arrears,
        "stations_url": reverse("finance:arrears_stations"),
        "charged": sum(row.charged for row in rows),
        "collected": sum(row.collected for row in rows),
        "owed": sum(row.owed for row in rows),
        "snapshot": taken,
    }


def _training(request: HttpRequest) -> dict[str, object]:
    year = timezone.localdate().year
    per_category = selectors.training_this_year(year=year)
    expiring = selectors.expiring_certificates(user=request.user, today=certificates.today())

    def report(category_id: int) -> str:
        return _link("training:report", categories=category_id, year_from=year, year_to=year)

    trainees_title = _("Trainees per category, %(year)s") % {"year": year}
    times_title = _("Person-times per category, %(year)s") % {"year": year}
    months_title = _("Certificates expiring per month")
    categories_title = _("Certificates expiring within %(days)s days, per category") % {
        "days": expiring.days
    }
    listing = "training:certificate_list"
    return {
        "year": year,
        "trainees": sum(row.trainees for row in per_category),
        "person_times": sum(row.person_times for row in per_category),
        "expiring": expiring,
        "expiring_url": _link(listing, expiring_days=expiring.days),
        "charts": [
            Drawn("trainees", trainees_title,
                  [Point(r.category.name, r.trainees, report(r.category.pk))
                   for r in per_category]),
            Drawn("person_times", times_title,
                  [Point(r.category.name, r.person_times, report(r.category.pk))
                   for r in per_category]),
            Drawn("expiring_months", months_title,
                  [Point(m.month.strftime("%Y-%m"), m.count, _link(listing, expiring_days=m.days))
                   for m in expiring.months] if expiring.total else [],
                  columns=True,
                  note=_("Each column leads to the certificates expiring by the end of its "
                         "month.")),
            Drawn("expiring_categories", categories_title,
                  [Point(c.name, c.count, _link(listing, expiring_days=expiring.days,
                                                category=c.category_id))
                   for c in expiring.categories]),
        ],
    }  # fmt: skip


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """One landing page per role: the figures of the user's scope, or the user's own record."""
    user = request.user
    context: dict[str, object] = {"personal": sees_personal_data(user)}
    role = getattr(user, "role", None)
    if role == Role.FINANCE and has_capability(user, Capability.VIEW_FEES):
        context["fees"] = _fees(request)
    if has_capability(user, Capability.LIST_STUDENTS):
        taken = snapshot("dashboard:students", "cems.reports.views.student_charts", user, {})
        charts, figures = taken.value
        context["snapshot"] = taken
        context["charts"] = _student_charts(charts)
        context["figures"] = figures
        if has_capability(user, Capability.VIEW_STATUS_REQUESTS):
            context["requests"] = _requests(request)
    elif role == Role.TRAINING and has_capability(user, Capability.VIEW_TRAINING):
        context["training"] = _training(request)
    elif has_capability(user, Capability.VIEW_STUDENTS):
        context["own_records"] = list(
            students_for(user).select_related("station", "program__major")
        )
    elif has_capability(user, Capability.TEACH):
        term = teaching.term_current()
        offerings = teaching.teacher_offerings(user=user, term=term)
        context["teaching"] = {
            "term": term,
            "offerings": list(offerings[: TEACHER_OFFERINGS_SHOWN + 1]),
            "shown": TEACHER_OFFERINGS_SHOWN,
        }
    elif has_capability(user, Capability.USE_TRAINEE_PORTAL):
        context["trainee"] = selectors.own_trainee(user=user, today=certificates.today())
    return render(request, "reports/dashboard.html", context)


# --- Snapshots' computations (cems/reports/snapshots.py; also run by the background worker) ---


def fee_rows(user: AnyUser, params: dict[str, Any]) -> list[Any]:
    return list(selectors.fees_by_station(user=user))


def student_charts(
    user: AnyUser, params: dict[str, Any]
) -> tuple[list[selectors.Chart], dict[str, int]]:
    charts = selectors.dashboard_charts(user=user)
    return charts, selectors.dashboard_figures(user=user, charts=charts)
