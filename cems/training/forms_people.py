"""Forms of the trainees', employers' and merge pages."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cems.core import idcard
from cems.training.models import Employer, Trainee
from cems.training.people import EMPLOYER_FIELDS, TRAINEE_FIELDS


class TraineeSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=50,
        help_text=_("Name, ID number or its last four characters"),
    )  # fmt: skip


class EmployerSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class TraineeForm(forms.ModelForm[Trainee]):
    """A trainee's file. Editing, the ID number is not shown (it is masked on every page):
    left empty it stays as it is."""

    class Meta:
        model = Trainee
        fields = list(TRAINEE_FIELDS)
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].widget.format = "%Y-%m-%d"
        employer = self.fields["employer"]
        assert isinstance(employer, forms.ModelChoiceField)
        employer.queryset = Employer.objects.order_by("name")
        if self.instance.pk:
            field = self.fields["id_number"]
            field.required = False
            field.help_text = _("Leave empty to keep the recorded number.")
            self.initial["id_number"] = ""

    def clean_id_number(self) -> str:
        value = idcard.normalize(self.cleaned_data.get("id_number") or "")
        if not value and self.instance.pk:
            return self.instance.id_number
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        number = data.get("id_number")
        if number and not self.has_error("id_number"):
            try:
                idcard.parse(number)
            except forms.ValidationError:
                return data
            for error in idcard.check_against_record(
                number, birth_date=data.get("birth_date"), gender=data.get("gender")
            ):
                self.add_error("id_number", error)
        return data


class EmployerForm(forms.ModelForm[Employer]):
    class Meta:
        model = Employer
        fields = list(EMPLOYER_FIELDS)


class MergeForm(forms.Form):
    keep = forms.ModelChoiceField(label=_("Keep"), queryset=Trainee.objects.none())
    other = forms.ModelChoiceField(label=_("Merge into it"), queryset=Trainee.objects.none())

    def __init__(self, *args: Any, trainees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = trainees  # type: ignore[attr-defined]
        self.fields["other"].queryset = trainees  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("keep") and data.get("keep") == data.get("other"):
            raise forms.ValidationError(_("Choose two different files to merge."))
        return data
