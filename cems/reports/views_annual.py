"""The annual statistical return (cems/reports/annual_return.py): the page, csv and xlsx."""

from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cems.accounts.access import AnyUser, Capability, require_capability
from cems.core.export import tabular_response
from cems.organization.models import School
from cems.reports import annual_return as figures
from cems.reports.snapshots import snapshot

FIRST_YEAR = 1950
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def default_year() -> int:
    return timezone.localdate().year


class AnnualReturnForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The next year's return may be prepared (its cohort is being admitted); no later.
        latest = default_year() + 1
        field = self.fields["year"]
        assert isinstance(field, forms.IntegerField)
        field.max_value = latest
        field.validators.append(MaxValueValidator(latest))
        field.widget.attrs.update({"max": latest, "min": FIRST_YEAR})


def _xlsx(report: figures.AnnualReturn) -> HttpResponse:
    school = School.objects.order_by("pk").first()
    content = figures.workbook_bytes(report, school_name=school.name if school else "")
    response = HttpResponse(content, content_type=XLSX_TYPE)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f'attachment; filename="annual-return-{report.year}-{stamp}.xlsx"'
    )
    return response


@require_capability(Capability.LIST_STUDENTS)
def annual_return_page(request: HttpRequest) -> HttpResponseBase:
    """The year's return on the page, with csv and xlsx downloads; a wrong year is shown as
    the form's error, without figures or file."""
    params = request.GET.copy()
    fmt = params.pop("format", [None])[-1]
    if "year" not in params:
        params["year"] = str(default_year())
    form = AnnualReturnForm(params)
    report = None
    taken = None
    if form.is_valid():
        year = form.cleaned_data["year"]
        taken = snapshot("annual-return", "cems.reports.views_annual.annual_figures",
                         request.user, {"year": year})  # fmt: skip
        report = taken.value
        if fmt == "xlsx":
            return _xlsx(report)
        if fmt == "csv":
            return tabular_response(
                filename=f"annual-return-{report.year}",
                columns=figures.columns(),
                rows=figures.table(report),
                fmt="csv",
            )
    context = {"form": form, "report": report, "snapshot": taken if report else None}
    return render(request, "reports/annual_return.html", context)


def annual_figures(user: AnyUser, params: dict[str, Any]) -> figures.AnnualReturn:
    """The return's figures (a snapshot's computation, also run by the background worker)."""
    return figures.annual_return(user=user, year=int(params["year"]))
