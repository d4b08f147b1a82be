"""Dashboard figures: aggregates over the students and stations the user may see."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cems.accounts.access import AnyUser, stations_for, students_for
from cems.catalog.models import Level, StudyMode
from cems.students.models import Student, StudentStatus


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
