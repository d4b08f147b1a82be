"""Dashboard figures, each over what the user may see (the scope querysets of
cems/accounts/access.py), each in a fixed number of queries whatever the data:

- students by province, station, level, mode, cohort and status (`dashboard_charts`, six
  queries) and the headline figures (`dashboard_figures`, two);
- status-change requests waiting for a decision, per step (`pending_requests`, one);
- fees per station: charged, collected (payments less refunds) and owed — what the students
  who owe something owe, as the arrears lists count it (`fees_by_station`, four);
- training this year per category: trainees and person-times (cems/training/reports.py, six)
  and certificates in force expiring within twelve months, per month and per category
  (`expiring_certificates`, two).
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cems.accounts.access import (
    AnyUser,
    certificates_for,
    fee_students_for,
    stations_for,
    status_requests_for,
    students_for,
    trainees_for,
    within,
)
from cems.catalog.models import Level, StudyMode
from cems.finance import selectors as finance
from cems.finance.models import EntryKind, FeeEntry
from cems.organization.models import Station
from cems.students.models import RequestState, Student, StudentStatus
from cems.students.status import PENDING_STATES, add_months
from cems.training import reports as training_reports
from cems.training.models import CertificateStatus, Trainee, TrainingCategory


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: float
    filters: dict[str, Any]


@dataclass(frozen=True)
class Chart:
    key: str
    title: str | Promise
    bars: list[Bar] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)


def _chart(
    key: str,
    title: str | Promise,
    rows: Iterable[dict[str, Any]],
    *,
    value: str,
    label: Callable[[dict[str, Any]], str],
    filter_name: str,
    base_filters: dict[str, Any],
    sort_by_label: bool = False,
) -> Chart:
    rows = list(rows)
    top = max((row["count"] for row in rows), default=0) or 1
    bars = [
        Bar(
            label=label(row),
            count=row["count"],
            percent=round(100 * row["count"] / top, 1),
            filters={**base_filters, filter_name: row[value]},
        )
        for row in rows
    ]
    if sort_by_label:
        bars.sort(key=lambda bar: bar.label)
    return Chart(key=key, title=title, bars=bars)


def _grouped(students: QuerySet[Student], *fields: str) -> "QuerySet[Student, dict[str, Any]]":
    grouped: QuerySet[Any] = (
        students.values(*fields).annotate(count=Count("pk")).order_by("-count", *fields)
    )
    return grouped


def dashboard_charts(*, user: AnyUser) -> list[Chart]:
    """Registered students by province, station, level, mode and cohort, and all by status."""
    students = students_for(user)
    registered = students.filter(status=StudentStatus.REGISTERED)
    levels = dict(Level.choices)
    modes = dict(StudyMode.choices)
    statuses = dict(StudentStatus.choices)
    only_registered = {"status": StudentStatus.REGISTERED.value}
    charts = [
        _chart(
            "province", _("Registered students by province"),
            _grouped(registered, "station__province", "station__province__name"),
            value="station__province", label=lambda r: r["station__province__name"],
            filter_name="province", base_filters=only_registered,
        ),
        _chart(
            "station", _("Registered students by station"),
            _grouped(registered, "station", "station__name"),
            value="station", label=lambda r: r["station__name"],
            filter_name="station", base_filters=only_registered,
        ),
        _chart(
            "level", _("Registered students by level"),
            _grouped(registered, "program__level"),
            value="program__level", label=lambda r: str(levels[r["program__level"]]),
            filter_name="level", base_filters=only_registered,
        ),
        _chart(
            "mode", _("Registered students by study mode"),
            _grouped(registered, "program__mode"),
            value="program__mode", label=lambda r: str(modes[r["program__mode"]]),
            filter_name="mode", base_filters=only_registered,
        ),
        _chart(
            "cohort", _("Registered students by cohort"),
            _grouped(registered, "cohort_year"),
            value="cohort_year", label=lambda r: str(r["cohort_year"]),
            filter_name="cohort", base_filters=only_registered, sort_by_label=True,
        ),
        _chart(
            "status", _("Students by status"),
            _grouped(students, "status"),
            value="status", label=lambda r: str(statuses[r["status"]]),
            filter_name="status", base_filters={},
        ),
    ]  # fmt: skip
    return charts


def dashboard_figures(*, user: AnyUser, charts: list[Chart]) -> dict[str, int]:
    """Headline figures; the student counts come from the charts already computed."""
    by_key = {chart.key: chart for chart in charts}
    stations = stations_for(user).filter(is_active=True)
    return {
        "registered": by_key["province"].total,
        "provinces": len(by_key["province"].bars),
        "stations": stations.count(),
        "majors": students_for(user)
        .filter(status=StudentStatus.REGISTERED)
        .values("program__major")
        .distinct()
        .count(),
    }


# --- Status-change requests -------------------------------------------------------------------


@dataclass(frozen=True)
class StateCount:
    state: str
    label: str
    count: int


def pending_requests(*, user: AnyUser) -> list[StateCount]:
    """The user's status-change requests waiting for a decision, per step (steps in order,
    those with none left out). One query."""
    counts = dict(
        status_requests_for(user)
        .filter(state__in=PENDING_STATES)
        .values("state")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("state", "count")
    )
    labels = dict(RequestState.choices)
    return [
        StateCount(str(state), str(labels[state]), counts[state])
        for state in PENDING_STATES
        if counts.get(state)
    ]


# --- Fees -------------------------------------------------------------------------------------

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class StationFees:
    station: Station
    charged: Decimal
    collected: Decimal  # payments less refunds
    owed: Decimal  # what the station's students who owe something owe
    owing: int  # how many students owe something


def _sum_of(kind: str) -> Coalesce:
    return Coalesce(
        Sum("amount", filter=Q(kind=kind)),
        Value(ZERO),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def fees_by_station(*, user: AnyUser) -> list[StationFees]:
    """Per station of the user (by code), over all academic years. Four queries."""
    arrears = finance.arrears_by_station(user=user, filters={})
    sums = (
        within(FeeEntry.objects.all(), "student", fee_students_for(user))
        .annotate(place=F("student__station"))
        .values("place")
        .annotate(
            charged=_sum_of(EntryKind.CHARGE),
            paid=_sum_of(EntryKind.PAYMENT),
            refunded=_sum_of(EntryKind.REFUND),
        )
        .order_by()
    )
    by_place = {row["place"]: row for row in sums}
    result = []
    for row in arrears.stations:
        found = by_place.get(row.station.pk, {})
        result.append(
            StationFees(
                station=row.station,
                charged=Decimal(found.get("charged", ZERO)),
                collected=Decimal(found.get("paid", ZERO)) - Decimal(found.get("refunded", ZERO)),
                owed=row.owed,
                owing=row.students,
            )
        )
    return result


# --- Training ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryYear:
    category: TrainingCategory
    trainees: int
    person_times: int


def training_this_year(*, year: int) -> list[CategoryYear]:
    """Trainees and person-times per category of the projects starting in `year`
    (cems/training/reports.py; categories by code, those without projects left out)."""
    rows = training_reports.training_report({"year_from": year, "year_to": year})
    return [
        CategoryYear(row.category, row.trainees, row.person_times)
        for row in rows
        if row.category is not None and row.year == year
    ]


@dataclass(frozen=True)
class MonthCount:
    month: dt.date  # the first of the month
    count: int
    days: int  # from today to the month's last day, capped at the window (the list's filter)


@dataclass(frozen=True)
class CategoryCount:
    category_id: int
    name: str
    count: int


@dataclass(frozen=True)
class Expiring:
    today: dt.date
    days: int  # the window
    months: list[MonthCount]
    categories: list[CategoryCount]

    @property
    def total(self) -> int:
        return sum(month.count for month in self.months)


EXPIRY_WINDOW_DAYS = 365


def expiring_certificates(*, user: AnyUser, today: dt.date) -> Expiring:
    """Certificates in force expiring from today to `EXPIRY_WINDOW_DAYS` later (the
    certificate list's "expiring within" filter), per month (every month of the window,
    with none too) and per category (largest first). Two queries."""
    last = today + dt.timedelta(days=EXPIRY_WINDOW_DAYS)
    expiring = certificates_for(user).filter(
        status=CertificateStatus.VALID, expires_on__gte=today, expires_on__lte=last
    )
    per_month = dict(
        expiring.annotate(month=TruncMonth("expires_on"))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by()
        .values_list("month", "count")
    )
    per_month = {
        (key.date() if isinstance(key, dt.datetime) else key): count
        for key, count in per_month.items()
    }
    months = []
    month = today.replace(day=1)
    while month <= last:
        following = add_months(month, 1)
        days = min((following - dt.timedelta(days=1) - today).days, EXPIRY_WINDOW_DAYS)
        months.append(MonthCount(month, per_month.get(month, 0), days))
        month = following
    categories = [
        CategoryCount(row["category"], row["category__name"], row["count"])
        for row in expiring.values("category", "category__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "category__name")
    ]
    return Expiring(today, EXPIRY_WINDOW_DAYS, months, categories)


# --- One's own records -------------------------------------------------------------------------


def own_trainee(*, user: AnyUser, today: dt.date) -> Trainee | None:
    """The trainee's own file, with how many certificates they hold in force. One query."""
    in_force = Q(certificates__status=CertificateStatus.VALID) & (
        Q(certificates__expires_on__isnull=True) | Q(certificates__expires_on__gte=today)
    )
    return (
        trainees_for(user)
        .filter(merged_into__isnull=True)
        .select_related("employer")
        .annotate(certificates_in_force=Count("certificates", filter=in_force))
        .order_by("pk")
        .first()
    )
