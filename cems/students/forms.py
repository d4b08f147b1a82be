from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cems.catalog.models import Level, Major, StudyMode
from cems.core import idcard
from cems.core.export import FORMATS
from cems.organization.models import Province, Station
from cems.students.models import StudentClass, StudentStatus


def _with_all(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class StudentFilterForm(forms.Form):
    """The student list's filters; stations, provinces and classes offered are the user's
    own."""

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
    student_class = forms.ModelChoiceField(
        label=_("Class"),
        queryset=StudentClass.objects.none(),
        required=False,
        empty_label=_("All"),
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
        classes: QuerySet[StudentClass],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "station", stations)
        _set_queryset(self, "province", provinces)
        # Any class of the user's may be chosen (a class column links here); the choices
        # shown are a few, narrowed by the other filters (offer_classes).
        _set_queryset(self, "student_class", classes)
        self.offer_classes([], more=False)

    def offer_classes(self, classes: Sequence[StudentClass], *, more: bool) -> None:
        field = self.fields["student_class"]
        assert isinstance(field.widget, forms.Select)
        field.widget.choices = [("", _("All"))] + [(c.pk, c.name) for c in classes]
        field.help_text = (
            _("Choose a station or a cohort to see all of its classes.") if more else ""
        )


class ExportForm(forms.Form):
    """A download of the list with, for those who may see them, full ID and phone numbers."""

    format = forms.ChoiceField(
        label=_("Format"), choices=[(fmt, fmt.upper()) for fmt in FORMATS], initial="xlsx"
    )
    full = forms.BooleanField(label=_("Include full ID and phone numbers"), required=False)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=200,
        help_text=_("Required with full numbers; kept in the log of personal data."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("full") and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason to download full ID and phone numbers."))
        return cleaned


class UnmaskForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("Reason (optional)")}),
    )


class CandidateFilterForm(forms.Form):
    """The enrollment page's filters over admitted candidates."""

    year = forms.IntegerField(
        label=_("Admission year"), required=False, min_value=1950, max_value=2100
    )
    station = forms.ModelChoiceField(
        label=_("Station"), queryset=Station.objects.none(), required=False, empty_label=_("All")
    )
    level = forms.ChoiceField(label=_("Level"), choices=_with_all(Level.choices), required=False)
    major = forms.ModelChoiceField(
        label=_("Major"), queryset=Major.objects.all(), required=False, empty_label=_("All")
    )
    mode = forms.ChoiceField(
        label=_("Study mode"), choices=_with_all(StudyMode.choices), required=False
    )

    def __init__(self, *args: Any, stations: QuerySet[Station], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "station", stations)
