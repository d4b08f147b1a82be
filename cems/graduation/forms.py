from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cems.catalog.models import Program
from cems.graduation.models import AuditResult
from cems.organization.models import Station


def _choose(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class AuditStartForm(forms.Form):
    """A graduation audit of a cohort, a station, both, or the whole school (neither)."""

    cohort_year = forms.TypedChoiceField(
        label=_("Cohort"), required=False, coerce=int, empty_value=None
    )
    station = forms.ModelChoiceField(
        label=_("Station"),
        queryset=Station.objects.none(),
        required=False,
        empty_label=_("All stations"),
    )

    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "The day the verdicts are given for (the standard length served by then): "
            "today, or a coming graduation date to audit ahead. Empty: today."
        ),
    )

    def clean_as_of(self) -> Any:
        day = self.cleaned_data["as_of"]
        today = timezone.localdate()
        if day is not None and abs((day - today).days) > 366:
            raise forms.ValidationError(_("Choose a day within a year of today."))
        return day

    def __init__(
        self, *args: Any, cohorts: list[int], stations: QuerySet[Station], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["cohort_year"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("All cohorts")), *((year, str(year)) for year in cohorts)]
        _choose(self, "station", stations)


class ResultFilterForm(forms.Form):
    eligible = forms.ChoiceField(
        label=_("Verdict"),
        required=False,
        choices=[("", _("All")), ("yes", _("Eligible")), ("no", _("Not eligible"))],
    )
    station = forms.ModelChoiceField(
        label=_("Station"), queryset=Station.objects.none(), required=False, empty_label=_("All")
    )
    program = forms.ModelChoiceField(
        label=_("Program"), queryset=Program.objects.none(), required=False, empty_label=_("All")
    )
    reason = forms.ChoiceField(label=_("Reason"), required=False)

    def __init__(
        self,
        *args: Any,
        stations: QuerySet[Station],
        programs: QuerySet[Program],
        reasons: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choose(self, "station", stations)
        _choose(self, "program", programs)
        field = self.fields["reason"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("All")), *reasons]


class ApproveForm(forms.Form):
    """The results to approve (checked on the results page) and the graduation date."""

    results = forms.ModelMultipleChoiceField(
        queryset=AuditResult.objects.none(),
        error_messages={"required": _("Choose the students to approve.")},
    )
    graduated_on = forms.DateField(
        label=_("Graduation date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, results: QuerySet[AuditResult], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"graduated_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        field = self.fields["results"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = results


class GraduateFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    station = forms.ModelChoiceField(
        label=_("Station"), queryset=Station.objects.none(), required=False, empty_label=_("All")
    )
    program = forms.ModelChoiceField(
        label=_("Program"), queryset=Program.objects.none(), required=False, empty_label=_("All")
    )

    def __init__(
        self,
        *args: Any,
        years: list[int],
        stations: QuerySet[Station],
        programs: QuerySet[Program],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["year"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("All")), *((year, str(year)) for year in years)]
        _choose(self, "station", stations)
        _choose(self, "program", programs)
