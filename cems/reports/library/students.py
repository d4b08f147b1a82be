"""Student reports: registered students by a dimension, the yearly intake (admissions,
registrations, graduates), status changes by type and outcome. Each runs a fixed number of
grouped queries over the user's scope, whatever the number of students."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cems.accounts.access import (
    AnyUser,
    Capability,
    audited_students_for,
    candidates_for,
    has_capability,
    status_requests_for,
    students_for,
    within,
)
from cems.admissions.models import CandidateStatus
from cems.catalog.models import Level, StudyMode
from cems.core.forms import filter_by
from cems.graduation.models import Graduation
from cems.reports.charts import Point
from cems.reports.library.common import (
    StationReportForm,
    YearRangeForm,
    list_url,
    percent,
    pk_of,
    year_field,
)
from cems.reports.registry import Chart, Column, Filters, Report, Table, register
from cems.students.models import (
    Registration,
    RequestState,
    StatusChangeKind,
    StudentStatus,
)


def _with_all(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


# --- Registered students by a dimension ------------------------------------------------------


@dataclass(frozen=True)
class Dimension:
    title: str | Promise
    fields: tuple[str, ...]  # the first is the value the student list filters by
    list_filter: str
    label: Callable[[dict[str, Any]], str]


DIMENSIONS: dict[str, Dimension] = {
    "province": Dimension(
        _("Province"), ("station__province", "station__province__name"), "province",
        lambda row: row["station__province__name"],
    ),
    "station": Dimension(
        _("Station"), ("station", "station__code", "station__name"), "station",
        lambda row: row["station__name"],
    ),
    "level": Dimension(
        _("Level"), ("program__level",), "level",
        lambda row: str(dict(Level.choices).get(row["program__level"], row["program__level"])),
    ),
    "major": Dimension(
        _("Major"), ("program__major", "program__major__code", "program__major__name"), "major",
        lambda row: row["program__major__name"],
    ),
    "mode": Dimension(
        _("Study mode"), ("program__mode",), "mode",
        lambda row: str(dict(StudyMode.choices).get(row["program__mode"], row["program__mode"])),
    ),
    "cohort": Dimension(
        _("Cohort"), ("cohort_year",), "cohort", lambda row: str(row["cohort_year"])
    ),
}  # fmt: skip
STUDENT_LOOKUPS = {
    "station": "station",
    "level": "program__level",
    "mode": "program__mode",
    "cohort": "cohort_year",
}


class RegisteredForm(StationReportForm):
    group_by = forms.ChoiceField(
        label=_("Group by"),
        choices=[(key, dimension.title) for key, dimension in DIMENSIONS.items()],
        required=False,
        initial="station",
    )
    level = forms.ChoiceField(label=_("Level"), choices=_with_all(Level.choices), required=False)
    mode = forms.ChoiceField(
        label=_("Study mode"), choices=_with_all(StudyMode.choices), required=False
    )
    cohort = year_field(_("Cohort"))

    field_order = ["group_by", "station", "level", "mode", "cohort"]


def registered_students(user: AnyUser, filters: Filters) -> Table:
    """Registered students per province, station, level, major, mode or cohort: one query."""
    key = (filters or {}).get("group_by") or "station"
    dimension = DIMENSIONS[key]
    table = Table(
        [
            Column("group", dimension.title),
            Column("students", _("Registered students"), numeric=True),
            Column("share", _("Share (%)"), numeric=True),
        ]
    )
    if filters is None:
        return table
    students = filter_by(
        students_for(user).filter(status=StudentStatus.REGISTERED), filters, STUDENT_LOOKUPS
    )
    order = dimension.fields if key == "cohort" else ("-count", *dimension.fields)
    grouped = list(students.values(*dimension.fields).annotate(count=Count("pk")).order_by(*order))
    total = sum(row["count"] for row in grouped)
    base = {"status": StudentStatus.REGISTERED.value}
    base |= {name: pk_of(filters.get(name)) for name in STUDENT_LOOKUPS}
    points = []
    for row in grouped:
        label = dimension.label(row)
        table.rows.append([label, row["count"], percent(row["count"], total)])
        link = list_url(
            "students:list", **{**base, dimension.list_filter: row[dimension.fields[0]]}
        )
        points.append(Point(label, row["count"], link))
    table.totals = [str(_("Total")), total, percent(total, total)]
    table.chart = Chart(
        _("Registered students by %(dimension)s") % {"dimension": dimension.title},
        points,
        kind="column" if key == "cohort" else "bar",
    )
    return table


# --- Admissions, registrations and graduates per year ----------------------------------------


def yearly_intake(user: AnyUser, filters: Filters) -> Table:
    """Per year: candidates admitted and enrolled (by admission year), annual registrations
    (by academic year) and graduates (by graduation date). Three queries."""
    table = Table(
        [
            Column("year", _("Year")),
            Column("admitted", _("Admitted"), numeric=True),
            Column("enrolled", _("Enrolled"), numeric=True),
            Column("registrations", _("Annual registrations"), numeric=True),
            Column("graduates", _("Graduates"), numeric=True),
        ]
    )
    if filters is None:
        return table
    station, first, last = filters.get("station"), filters.get("year_from"), filters.get("year_to")

    def years(path: str) -> dict[str, Any]:
        bounds = {f"{path}__gte": first, f"{path}__lte": last}
        return {lookup: year for lookup, year in bounds.items() if year}

    candidates = candidates_for(user).filter(**years("admission_year"))
    registrations = within(Registration.objects.all(), "student", students_for(user)).filter(
        **years("academic_year")
    )
    graduates = within(Graduation.objects.all(), "student", audited_students_for(user)).filter(
        **years("graduated_on__year")
    )
    if station:
        candidates = candidates.filter(station=station)
        registrations = registrations.filter(student__station=station)
        graduates = graduates.filter(student__station=station)
    cells: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in (
        candidates.values("admission_year")
        .annotate(
            admitted=Count("pk"), enrolled=Count("pk", filter=Q(status=CandidateStatus.ENROLLED))
        )
        .order_by()
    ):
        cells[row["admission_year"]][0:2] = [row["admitted"], row["enrolled"]]
    for year, count in (
        registrations.values("academic_year")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("academic_year", "count")
    ):
        cells[year][2] = count
    for year, count in (
        graduates.annotate(year=ExtractYear("graduated_on"))
        .values("year")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("year", "count")
    ):
        cells[year][3] = count
    sees_candidates = has_capability(user, Capability.VIEW_CANDIDATES)
    points = []
    totals = [0, 0, 0, 0]
    for year in sorted(cells):
        figures = cells[year]
        table.rows.append([year, *figures])
        totals = [a + b for a, b in zip(totals, figures, strict=True)]
        link = (
            list_url("admissions:candidate_list", year=year, station=pk_of(station))
            if sees_candidates
            else None
        )
        points.append(Point(str(year), figures[0], link))
    table.totals = [str(_("Total")), *totals]
    table.chart = Chart(_("Candidates admitted per year"), points, kind="column")
    return table


# --- Status changes by type and outcome ------------------------------------------------------

WAITING = (
    RequestState.PENDING_STATION,
    RequestState.PENDING_TARGET_STATION,
    RequestState.PENDING_SCHOOL,
)
OUTCOMES = {
    RequestState.APPROVED: 1,
    RequestState.REJECTED: 2,
    RequestState.CANCELLED: 3,
}


class StatusChangeForm(StationReportForm):
    year = year_field(_("Year filed"))
    kind = forms.ChoiceField(
        label=_("Type"), choices=_with_all(StatusChangeKind.choices), required=False
    )


def status_changes(user: AnyUser, filters: Filters) -> Table:
    """Requests per type: waiting, approved, rejected, cancelled. One query."""
    table = Table(
        [
            Column("kind", _("Type")),
            Column("waiting", _("Waiting"), numeric=True),
            Column("approved", _("Approved"), numeric=True),
            Column("rejected", _("Rejected"), numeric=True),
            Column("cancelled", _("Cancelled"), numeric=True),
            Column("total", _("Total"), numeric=True),
        ]
    )
    if filters is None:
        return table
    requests = filter_by(
        status_requests_for(user),
        filters,
        {"station": "student__station", "year": "filed_at__year", "kind": "kind"},
    )
    cells: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    # Station staff's scope joins two ways to their stations: count each request once.
    for kind, state, count in (
        requests.values("kind", "state")
        .annotate(count=Count("pk", distinct=True))
        .order_by()
        .values_list("kind", "state", "count")
    ):
        cells[kind][0 if state in WAITING else OUTCOMES[RequestState(state)]] += count
    labels = dict(StatusChangeKind.choices)
    totals = [0, 0, 0, 0, 0]
    points = []
    station = pk_of(filters.get("station"))
    for kind in StatusChangeKind.values:
        if kind not in cells:
            continue
        figures = [*cells[kind], sum(cells[kind])]
        table.rows.append([str(labels[kind]), *figures])
        totals = [a + b for a, b in zip(totals, figures, strict=True)]
        points.append(
            Point(str(labels[kind]), figures[-1], list_url("status_changes:list", kind=kind,
                                                           station=station))
        )  # fmt: skip
    table.totals = [str(_("Total")), *totals]
    table.chart = Chart(_("Status change requests by type"), points)
    return table


register(
    Report(
        key="registered-students",
        title=_("Registered students"),
        description=_(
            "Students in good standing by province, station, level, major, study mode or cohort."
        ),
        capability=Capability.LIST_STUDENTS,
        form_class=RegisteredForm,
        run=registered_students,
    )
)
register(
    Report(
        key="yearly-intake",
        title=_("Admissions, registrations and graduates per year"),
        description=_(
            "Candidates admitted and enrolled by admission year, annual registrations by "
            "academic year, graduates by graduation year."
        ),
        capability=Capability.LIST_STUDENTS,
        form_class=YearRangeForm,
        run=yearly_intake,
    )
)
register(
    Report(
        key="status-changes",
        title=_("Status changes"),
        description=_("Status change requests by type and outcome."),
        capability=Capability.LIST_STUDENTS,
        form_class=StatusChangeForm,
        run=status_changes,
    )
)
