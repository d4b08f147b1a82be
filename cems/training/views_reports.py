"""Training statistics per category and year (cems/training/reports.py), with downloads."""

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from cems.accounts.access import Capability, require_capability
from cems.core.export import FORMATS, tabular_response
from cems.core.forms import valid_filters
from cems.training import reports
from cems.training.models import TrainingCategory


class ReportFilterForm(forms.Form):
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"), queryset=TrainingCategory.objects.order_by("code"), required=False
    )
    year_from = forms.TypedChoiceField(
        label=_("From year"), coerce=int, required=False, empty_value=None
    )
    year_to = forms.TypedChoiceField(
        label=_("To year"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(year, str(year)) for year in years]
        self.fields["year_from"].choices = choices  # type: ignore[attr-defined]
        self.fields["year_to"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("year_from"), data.get("year_to")
        if first and last and first > last:
            self.add_error("year_to", _("The last year comes before the first."))
        return data


@require_capability(Capability.VIEW_TRAINING)
def training_report(request: HttpRequest) -> HttpResponseBase:
    """Projects, trainees, person-times, hours and pass rate per category and year."""
    params = request.GET.copy()
    params.pop("format", None)
    form = ReportFilterForm(params or None, years=reports.report_years())
    rows = reports.training_report(valid_filters(form))
    if (fmt := request.GET.get("format")) in FORMATS:
        return tabular_response(
            filename="training-report",
            columns=reports.report_columns(),
            rows=reports.report_table(rows),
            fmt=fmt,
        )
    return render(request, "training/reports/report.html", {"form": form, "rows": rows})
