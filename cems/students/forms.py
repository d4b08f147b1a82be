from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cems.catalog.models import Level, Major, StudyMode
from cems.core import idcard
from cems.organization.models import Province, Station
from cems.students.models import StudentStatus


def _with_all(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


class StudentFilterForm(forms.Form):
    """The student list's filters; stations and provinces offered are the user's own."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={"placeholder": _("Name, student number, candidate number or ID number")}
        ),
    )
    station = forms.ModelChoiceField(
        label=_("Station"), queryset=Station.objects.none(), required=False, empty_label=_("All")
    )
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.none(), required=False, empty_label=_("All")
    )
    major = forms.ModelChoiceField(
        label=_("Major"), queryset=Major.objects.all(), required=False, empty_label=_("All")
    )
    level = forms.ChoiceField(label=_("Level"), choices=_with_all(Level.choices), required=False)
    mode = forms.ChoiceField(
        label=_("Study mode"), choices=_with_all(StudyMode.choices), required=False
    )
    cohort = forms.IntegerField(label=_("Cohort"), required=False, min_value=1950, max_value=2100)
    status = forms.ChoiceField(
        label=_("Status"), choices=_with_all(StudentStatus.choices), required=False
    )

    def clean_q(self) -> str:
        """An 18-character ID number with a wrong check character or date is named as such
        (a 15-digit one is looked up in its 18-digit form)."""
        q = idcard.normalize(self.cleaned_data.get("q") or "")
        if len(q) == 18 and q[:17].isdigit():
            idcard.parse(q)
        return str(self.cleaned_data.get("q") or "").strip()

    def __init__(
        self,
        *args: Any,
        stations: QuerySet[Station],
        provinces: QuerySet[Province],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("station", stations), ("province", provinces)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
