"""What the reports share: filter fields limited to the user's scope, narrowing a queryset
to a scope without a needless subquery, links to the lists behind a chart's bars."""

from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import urlencode

from django import forms
from django.db.models import Model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cems.accounts.access import stations_for
from cems.organization.models import Station
from cems.reports.registry import ReportForm

EARLIEST_YEAR, LATEST_YEAR = 1950, 2100

M = TypeVar("M", bound=Model)


def year_field(label: Any, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=EARLIEST_YEAR, max_value=LATEST_YEAR, **kwargs
    )


class StationReportForm(ReportForm):
    """Filters with a station: only the user's stations may be chosen."""

    station = forms.ModelChoiceField(
        label=_("Station"), queryset=Station.objects.none(), required=False, empty_label=_("All")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["station"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = stations_for(self.user).order_by("code")


class YearRangeForm(StationReportForm):
    year_from = year_field(_("From year"))
    year_to = year_field(_("To year"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("year_from"), data.get("year_to")
        if first and last and first > last:
            self.add_error("year_to", _("The last year comes before the first."))
        return data


def list_url(name: str, **params: Any) -> str:
    """The URL of a list with the given filters (empty ones left out)."""
    query = urlencode({key: value for key, value in params.items() if value not in (None, "")})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def pk_of(value: Any) -> Any:
    return value.pk if isinstance(value, Model) else value


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal:
    if not whole:
        return Decimal(0)
    return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(Decimal("0.1"))
