"""Training statistics per category and year (the year a project starts), in a fixed
number of SQL aggregates whatever the data:

- projects: projects starting that year (with or without enrollments);
- trainees: distinct people enrolled; in the per-category and overall totals distinct across
  the years (and categories) shown, so a teacher on two projects counts once;
- person-times: enrollments (every status);
- hours: training hours delivered — for a project with recorded sessions, the hours of the
  sessions each enrolled trainee attended (present); for a project without sessions, the
  project's hours for each enrollment that is not withdrawn;
- pass rate: completed enrollments over person-times (None when there are none).
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from cems.training.models import (
    Attendance,
    Enrollment,
    EnrollmentStatus,
    Project,
    Session,
    TrainingCategory,
)


@dataclass
class ReportRow:
    category: TrainingCategory | None  # None: the overall total
    year: int | None  # None: the category's total over the years shown
    projects: int = 0
    trainees: int = 0
    person_times: int = 0
    completed: int = 0
    hours: Decimal = Decimal(0)

    @property
    def pass_rate(self) -> Decimal | None:
        if not self.person_times:
            return None
        return (Decimal(100) * self.completed / self.person_times).quantize(Decimal("0.1"))


def report_years() -> list[int]:
    """The years that have projects, newest first."""
    years = Project.objects.annotate(year=ExtractYear("start_date")).values_list("year", flat=True)
    return sorted(set(years), reverse=True)


def _projects(filters: dict[str, Any]) -> QuerySet[Project]:
    projects = Project.objects.all()
    if filters.get("categories"):
        projects = projects.filter(category__in=filters["categories"])
    if filters.get("year_from"):
        projects = projects.filter(start_date__year__gte=filters["year_from"])
    if filters.get("year_to"):
        projects = projects.filter(start_date__year__lte=filters["year_to"])
    return projects


def training_report(filters: dict[str, Any] | None) -> list[ReportRow]:
    """Rows per category and year (categories in code order, years ascending), each
    category followed by its total, then the overall total. Six queries. No rows for
    invalid filters (None)."""
    if filters is None:
        return []
    projects = _projects(filters)
    enrollments = Enrollment.objects.filter(project__in=projects)
    # Enrollments of projects without sessions count the project's hours.
    planned = enrollments.annotate(
        has_sessions=Exists(Session.objects.filter(project=OuterRef("project")))
    )
    year = ExtractYear("project__start_date")
    not_withdrawn = ~Q(status=EnrollmentStatus.WITHDRAWN)
    by_year = (
        planned.annotate(year=year)
        .values("project__category", "year")
        .annotate(
            trainees=Count("trainee", distinct=True),
            person_times=Count("id"),
            completed=Count("id", filter=Q(status=EnrollmentStatus.COMPLETED)),
            planned_hours=Sum("project__hours", filter=Q(has_sessions=False) & not_withdrawn),
        )
        .order_by()
    )
    attended = (
        Attendance.objects.filter(present=True, session__project__in=projects)
        .annotate(year=ExtractYear("session__project__start_date"))
        .values("session__project__category", "year")
        .annotate(hours=Sum("session__hours"))
        .order_by()
    )
    project_counts = (
        projects.annotate(year=ExtractYear("start_date"))
        .values("category", "year")
        .annotate(count=Count("id"))
        .order_by()
    )
    category_trainees = dict(
        enrollments.values("project__category")
        .annotate(trainees=Count("trainee", distinct=True))
        .order_by()
        .values_list("project__category", "trainees")
    )
    overall_trainees = enrollments.aggregate(trainees=Count("trainee", distinct=True))["trainees"]
    categories = {c.pk: c for c in TrainingCategory.objects.all()}

    cells: dict[tuple[int, int], ReportRow] = {}

    def cell(category_id: int, year: int) -> ReportRow:
        key = (category_id, year)
        if key not in cells:
            cells[key] = ReportRow(categories[category_id], year)
        return cells[key]

    for row in project_counts:
        cell(row["category"], row["year"]).projects = row["count"]
    for row in by_year:
        target = cell(row["project__category"], row["year"])
        target.trainees = row["trainees"]
        target.person_times = row["person_times"]
        target.completed = row["completed"]
        target.hours += Decimal(row["planned_hours"] or 0)
    for row in attended:
        cell(row["session__project__category"], row["year"]).hours += row["hours"] or 0

    per_category: dict[int, list[ReportRow]] = defaultdict(list)
    for (category_id, _year), cell_row in sorted(cells.items(), key=lambda item: item[0][1]):
        per_category[category_id].append(cell_row)
    result: list[ReportRow] = []
    overall = ReportRow(None, None, trainees=overall_trainees)
    for category_id in sorted(per_category, key=lambda pk: categories[pk].code):
        rows = per_category[category_id]
        total = ReportRow(
            categories[category_id], None, trainees=category_trainees.get(category_id, 0)
        )
        for year_row in rows:
            for summed in (total, overall):
                summed.projects += year_row.projects
                summed.person_times += year_row.person_times
                summed.completed += year_row.completed
                summed.hours += year_row.hours
        result += rows
        result.append(total)
    if result:
        result.append(overall)
    return result


def report_columns() -> list[str]:
    return [
        _("Category code"), _("Category"), _("Year"), _("Projects"), _("Trainees"),
        _("Person-times"), _("Completed"), _("Training hours"), _("Pass rate (%)"),
    ]  # fmt: skip


def _number(value: Decimal) -> int | Decimal:
    return int(value) if value == value.to_integral_value() else value


def report_table(rows: list[ReportRow]) -> list[list[Any]]:
    table = []
    for row in rows:
        category = row.category
        table.append([
            category.code if category else "",
            category.name if category else _("All categories"),
            row.year if row.year is not None else _("Total"),
            row.projects, row.trainees, row.person_times, row.completed, _number(row.hours),
            row.pass_rate if row.pass_rate is not None else "",
        ])  # fmt: skip
    return table
