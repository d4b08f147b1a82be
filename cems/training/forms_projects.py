"""Forms of the projects' and categories' pages."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cems.training.models import Project, ProjectStatus, TrainingCategory
from cems.training.projects import CATEGORY_RULE_FIELDS, PROJECT_FIELDS


class ProjectFilterForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=TrainingCategory.objects.all(), required=False,
        empty_label=_("All"),
    )  # fmt: skip
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *ProjectStatus.choices], required=False
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    q = forms.CharField(
        label=_("Search"), required=False, max_length=100, help_text=_("Title or sponsor")
    )


class ProjectForm(forms.ModelForm[Project]):
    class Meta:
        model = Project
        fields = list(PROJECT_FIELDS)
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["start_date"].widget.format = "%Y-%m-%d"
        self.fields["end_date"].widget.format = "%Y-%m-%d"


class CategoryForm(forms.ModelForm[TrainingCategory]):
    class Meta:
        model = TrainingCategory
        fields = list(CATEGORY_RULE_FIELDS)
        help_texts = {
            "validity_months": _("0: the certificate does not expire."),
            "review_interval_months": _("0: no review."),
            "certificate_number_format": _(
                "{code} the category code, {year} the issue year, {seq:05d} the sequence."
            ),
        }

    def clean_certificate_number_format(self) -> str:
        value: str = self.cleaned_data["certificate_number_format"]
        try:
            value.format(code="X", year=2026, seq=1)
        except (KeyError, IndexError, ValueError):
            raise forms.ValidationError(
                _("Use only the placeholders {code}, {year} and {seq}."), code="format"
            ) from None
        if "{seq" not in value:
            raise forms.ValidationError(
                _("The format needs the sequence {seq} to keep numbers unique."), code="seq"
            )
        return value
