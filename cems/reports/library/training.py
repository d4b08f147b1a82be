"""Training reports: the training statistics per category and year (computed by
cems.training.reports, shown here with a chart) and certificates expiring per month."""

import datetime as dt
from collections import defaultdict
from typing import Any

from django import forms
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from cems.accounts.access import AnyUser, Capability, certificates_for
from cems.reports.charts import Point
from cems.reports.library.common import list_url, year_field
from cems.reports.registry import Chart, Column, Filters, Report, ReportForm, Table, register
from cems.training import certificates, reports
from cems.training.models import CertificateStatus, TrainingCategory
from cems.training.views_reports import ReportFilterForm

# --- Projects, trainees, person-times and hours per category and year ------------------------

NUMERIC_FROM = 3  # the training report's columns from "Projects" on are figures


class TrainingForm(ReportForm, ReportFilterForm):
    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, user=user, years=reports.report_years(), **kwargs)


def training_statistics(user: AnyUser, filters: Filters) -> Table:
    """The rows of cems.training.reports (each category's years, its total, the overall
    total last), with person-times per category as the chart."""
    columns = [
        Column(f"c{index}", title, numeric=index >= NUMERIC_FROM)
        for index, title in enumerate(reports.report_columns())
    ]
    rows = reports.training_report(filters)
    table = Table(columns)
    if not rows:
        return table
    cells = reports.report_table(rows)
    table.rows, table.totals = cells[:-1], cells[-1]
    table.chart = Chart(
        _("Person-times per category"),
        [
            Point(row.category.name, row.person_times,
                  list_url("training:project_list", category=row.category.pk))
            for row in rows
            if row.category is not None and row.year is None
        ],
    )  # fmt: skip
    return table


# --- Certificates expiring per month ---------------------------------------------------------

DEFAULT_MONTHS = 12


class ExpiringForm(ReportForm):
    year = year_field(_("Year"), help_text=_("Empty: the next twelve months"))
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=TrainingCategory.objects.order_by("code"),
        required=False,
        empty_label=_("All"),
    )


def _months(filters: dict[str, Any]) -> tuple[dt.date, dt.date]:
    """The first day of the first month and the first day after the last month."""
    if year := filters.get("year"):
        return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    start = certificates.today().replace(day=1)
    months = start.month - 1 + DEFAULT_MONTHS
    return start, dt.date(start.year + months // 12, months % 12 + 1, 1)


def expiring_certificates(user: AnyUser, filters: Filters) -> Table:
    """Valid certificates per month of expiry, and per category. One query."""
    table = Table(
        [
            Column("month", _("Month")),
            Column("category_code", _("Category code")),
            Column("category", _("Category")),
            Column("certificates", _("Certificates expiring"), numeric=True),
        ]
    )
    if filters is None:
        return table
    start, end = _months(filters)
    expiring = certificates_for(user).filter(
        status=CertificateStatus.VALID, expires_on__gte=start, expires_on__lt=end
    )
    if filters.get("category"):
        expiring = expiring.filter(category=filters["category"])
    grouped = (
        expiring.annotate(month=TruncMonth("expires_on"))
        .values("month", "category__code", "category__name")
        .annotate(count=Count("pk"))
        .order_by("month", "category__code")
    )
    per_month: dict[str, int] = defaultdict(int)
    total = 0
    for row in grouped:
        month = f"{row['month']:%Y-%m}"
        table.rows.append([month, row["category__code"], row["category__name"], row["count"]])
        per_month[month] += row["count"]
        total += row["count"]
    table.totals = ["", "", str(_("Total")), total]
    table.chart = Chart(
        _("Certificates expiring per month"),
        [Point(month, count) for month, count in per_month.items()],
        kind="column",
    )
    return table


register(
    Report(
        key="training",
        title=_("Training statistics"),
        description=_("Training projects, trainees, person-times and hours per category and year."),
        capability=Capability.VIEW_TRAINING,
        form_class=TrainingForm,
        run=training_statistics,
    )
)
register(
    Report(
        key="expiring-certificates",
        title=_("Certificates expiring per month"),
        description=_("Valid certificates by month of expiry and category."),
        capability=Capability.VIEW_TRAINING,
        form_class=ExpiringForm,
        run=expiring_certificates,
    )
)
