"""Forms of the degree pages: starting an audit, the lists' filters, degree records."""

from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from cems.admissions.reader import EXTENSIONS
from cems.catalog.models import EARLIEST_YEAR, LATEST_YEAR
from cems.core.forms import limit_upload_size
from cems.core.uploads import check_spreadsheet
from cems.graduation.models import LanguageExam
from cems.organization.models import Station

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO = [("", _("All")), ("yes", _("Yes")), ("no", _("No"))]


def _cohort(label: Any = None) -> forms.IntegerField:
    return forms.IntegerField(
        label=label or _("Cohort"), required=False, min_value=EARLIEST_YEAR, max_value=LATEST_YEAR
    )


class _StationForm(forms.Form):
    """A form with a station field limited to the user's stations."""

    station = forms.ModelChoiceField(
        label=_("Station"), queryset=Station.objects.none(), required=False, empty_label=_("All")
    )

    def __init__(self, *args: Any, stations: QuerySet[Station], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["station"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = stations


class AuditStartForm(_StationForm):
    cohort_year = _cohort()

    field_order = ["cohort_year", "station"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].empty_label = _("All stations")  # type: ignore[attr-defined]
        self.fields["cohort_year"].help_text = _("Empty: every cohort.")


class ResultFilterForm(_StationForm):
    eligible = forms.ChoiceField(label=_("Eligible"), choices=YES_NO, required=False)
    approved = forms.ChoiceField(label=_("Approved"), choices=YES_NO, required=False)
    reason = forms.ChoiceField(label=_("Reason"), required=False)
    q = forms.CharField(label=_("Student"), required=False, max_length=50,
                        help_text=_("Student number or name"))  # fmt: skip

    def __init__(self, *args: Any, reasons: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("All")), *reasons]


class DegreeFilterForm(_StationForm):
    cohort_year = _cohort()
    year = forms.IntegerField(label=_("Year awarded"), required=False, min_value=EARLIEST_YEAR,
                              max_value=LATEST_YEAR)  # fmt: skip
    q = forms.CharField(label=_("Search"), required=False, max_length=50,
                        help_text=_("Student number, name or certificate number"))  # fmt: skip


class ThesisFilterForm(_StationForm):
    cohort_year = _cohort()
    state = forms.ChoiceField(
        label=_("Thesis"),
        required=False,
        choices=[
            ("", _("All")),
            ("missing", _("No grade yet")),
            ("recorded", _("Graded")),
            ("not_defended", _("Not defended")),
        ],
    )
    q = forms.CharField(label=_("Student"), required=False, max_length=50,
                        help_text=_("Student number or name"))  # fmt: skip


class DisciplinaryFilterForm(_StationForm):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All")), ("active", _("In force")), ("revoked", _("Revoked"))],
    )
    q = forms.CharField(label=_("Student"), required=False, max_length=50,
                        help_text=_("Student number or name"))  # fmt: skip


class LanguageFilterForm(_StationForm):
    exam = forms.ChoiceField(
        label=_("Exam"), required=False, choices=[("", _("All")), *LanguageExam.choices]
    )
    cohort_year = _cohort()
    q = forms.CharField(label=_("Student"), required=False, max_length=50,
                        help_text=_("Student number or name"))  # fmt: skip


class ThesisForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    score = forms.DecimalField(
        label=_("Grade"),
        required=False,
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("0–100; empty until graded."),
    )
    defended = forms.BooleanField(label=_("Defended"), required=False)
    defended_on = forms.DateField(label=_("Defence date"), required=False, widget=DATE)


class DisciplinaryForm(forms.Form):
    student_number = forms.CharField(label=_("Student number"), max_length=20)
    issued_on = forms.DateField(label=_("Date"), widget=DATE)
    description = forms.CharField(
        label=_("Description"), max_length=200, help_text=_("The sanction and its grounds.")
    )


class RevokeForm(forms.Form):
    revoked_on = forms.DateField(label=_("Revoked on"), widget=DATE)


class LanguageUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Results file"),
        help_text=_(
            "xlsx, xls, ods or csv with the columns 学号 or 身份证号, 姓名, 考试类别, 考试日期, "
            "成绩 and 证书编号."
        ),
    )

    def clean_file(self) -> UploadedFile:
        upload = limit_upload_size(self.cleaned_data["file"])
        if PurePath(upload.name or "").suffix.lower() not in set(EXTENSIONS) - {".dbf"}:
            raise forms.ValidationError(
                _("Upload an xlsx, xls, ods or csv file."), code="extension"
            )
        return check_spreadsheet(upload, ("xlsx", "xls", "ods", "csv"))
