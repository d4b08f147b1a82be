from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cems.organization.models import Province, Station
from cems.organization.services import STATION_FIELDS


class StationForm(forms.ModelForm[Station]):
    class Meta:
        model = Station
        fields = STATION_FIELDS
        widgets = {
            "agreement_start": forms.DateInput(attrs={"type": "date"}),
            "agreement_end": forms.DateInput(attrs={"type": "date"}),
        }


class StationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    province = forms.ModelChoiceField(
        label=_("Province"), queryset=Province.objects.none(), required=False, empty_label=_("All")
    )
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("1", _("Active")), ("0", _("Inactive"))],
    )

    def __init__(self, *args: Any, provinces: QuerySet[Province], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        province_field = self.fields["province"]
        assert isinstance(province_field, forms.ModelChoiceField)
        province_field.queryset = provinces
