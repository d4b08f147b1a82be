from pathlib import PurePath
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cems.admissions.models import AdmissionImport, CandidateStatus
from cems.admissions.reader import EXTENSIONS
from cems.catalog.models import Level, Major, StudyMode
from cems.core.forms import limit_upload_size
from cems.core.uploads import check_spreadsheet
from cems.organization.models import Station


def _with_all(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


class CandidateFilterForm(forms.Form):
    """The candidate list's filters; the stations offered are the user's own."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("Name, candidate number or ID number")}),
    )
    year = forms.IntegerField(
        label=_("Admission year"), required=False, min_value=1950, max_value=2100
    )
    station = forms.ModelChoiceField(
        label=_("Station"), queryset=Station.objects.none(), required=False, empty_label=_("All")
    )
    major = forms.ModelChoiceField(
        label=_("Major"), queryset=Major.objects.all(), required=False, empty_label=_("All")
    )
    level = forms.ChoiceField(label=_("Level"), choices=_with_all(Level.choices), required=False)
    mode = forms.ChoiceField(
        label=_("Study mode"), choices=_with_all(StudyMode.choices), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=_with_all(CandidateStatus.choices), required=False
    )

    def __init__(self, *args: Any, stations: QuerySet[Station], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["station"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = stations

    def clean_q(self) -> str:
        return str(self.cleaned_data.get("q") or "").strip()


class ImportFilterForm(forms.Form):
    year = forms.IntegerField(
        label=_("Admission year"), required=False, min_value=1950, max_value=2100
    )
    state = forms.ChoiceField(
        label=_("State"), choices=_with_all(AdmissionImport.State.choices), required=False
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Admission file"),
        help_text=_("xlsx, xls, ods, csv (UTF-8 or GBK) or dbf, as the exam authority sends it."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(EXTENSIONS))}),
    )
    admission_year = forms.IntegerField(label=_("Admission year"), min_value=1950, max_value=2100)
    all_or_nothing = forms.BooleanField(
        label=_("All or nothing"),
        required=False,
        help_text=_("Write nothing if any row is rejected."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["admission_year"].initial = timezone.localdate().year

    def clean_file(self) -> Any:
        upload = limit_upload_size(self.cleaned_data["file"])
        if PurePath(upload.name or "").suffix.lower() not in EXTENSIONS:
            raise forms.ValidationError(
                _("Upload an xlsx, xls, ods, csv or dbf file."), code="extension"
            )
        return check_spreadsheet(upload)
