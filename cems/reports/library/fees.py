"""Fees per station: charged, waived, collected and owed, for the fee accounts of the
students the user sees. One grouped query; what is owed is summed by the ledger's own
expression (cems.finance.ledger.owed_sum)."""

from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from cems.accounts.access import AnyUser, Capability, fee_students_for, within
from cems.finance.ledger import ZERO, owed_sum
from cems.finance.models import EntryKind, FeeEntry
from cems.reports.charts import Point
from cems.reports.library.common import StationReportForm, list_url, year_field
from cems.reports.registry import Chart, Column, Filters, Report, Table, register

_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)


class FeeForm(StationReportForm):
    academic_year = year_field(_("Academic year"), help_text=_("Empty: all years"))
    cohort = year_field(_("Cohort"))


def _total(*kinds: str) -> Coalesce:
    return Coalesce(Sum("amount", filter=Q(kind__in=kinds)), Value(ZERO), output_field=_MONEY)


def fees_by_station(user: AnyUser, filters: Filters) -> Table:
    table = Table(
        [
            Column("code", _("Station code")),
            Column("station", _("Station")),
            Column("charged", _("Charged"), numeric=True),
            Column("waived", _("Waived"), numeric=True),
            Column("collected", _("Collected"), numeric=True),
            Column("owed", _("Owed"), numeric=True),
        ]
    )
    if filters is None:
        return table
    entries = within(FeeEntry.objects.all(), "student", fee_students_for(user))
    conditions: dict[str, Any] = {
        "student__station": filters.get("station"),
        "academic_year": filters.get("academic_year"),
        "student__cohort_year": filters.get("cohort"),
    }
    entries = entries.filter(**{k: v for k, v in conditions.items() if v not in (None, "")})
    grouped = (
        entries.values("student__station", "student__station__code", "student__station__name")
        .annotate(
            charged=_total(EntryKind.CHARGE),
            waived=_total(EntryKind.WAIVER),
            # Refunds give back what was collected.
            collected=_total(EntryKind.PAYMENT) - _total(EntryKind.REFUND),
            owed=owed_sum(),
        )
        .order_by("student__station__code")
    )
    totals = [ZERO, ZERO, ZERO, ZERO]
    points = []
    for row in grouped:
        figures = [row["charged"], row["waived"], row["collected"], row["owed"]]
        name = row["student__station__name"]
        table.rows.append([row["student__station__code"], name, *figures])
        totals = [a + b for a, b in zip(totals, figures, strict=True)]
        link = list_url(
            "finance:arrears_students",
            station=row["student__station"],
            academic_year=filters.get("academic_year"),
            cohort=filters.get("cohort"),
        )
        points.append(Point(name, max(row["owed"], ZERO), link))  # prepaid: no bar
    table.totals = ["", str(_("Total")), *totals]
    table.chart = Chart(_("Owed per station"), points)
    return table


register(
    Report(
        key="fees",
        title=_("Fees per station"),
        description=_(
            "Fees charged, waived, collected (payments less refunds) and owed, per station."
        ),
        capability=Capability.VIEW_FEES,
        form_class=FeeForm,
        run=fees_by_station,
    )
)
