"""Forms of status change requests and registration: they shape input, the services rule."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cems.catalog.models import Level, Program
from cems.core import idcard
from cems.core.validators import validate_phone
from cems.organization.models import Station
from cems.students import status_selectors
from cems.students.models import (
    Gender,
    RequestState,
    StatusChangeKind,
    Student,
)
from cems.students.status import PENDING_STATES

Kind = StatusChangeKind
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _with_all(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


# --- Lists ------------------------------------------------------------------------------------


class RequestFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Student"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("Name, student number or ID number")}),
    )
    kind = forms.ChoiceField(label=_("Type"), choices=_with_all(Kind.choices), required=False)
    state = forms.ChoiceField(
        label=_("State"), choices=_with_all(RequestState.choices), required=False
    )
    station = forms.ModelChoiceField(
        label=_("Station"), queryset=Station.objects.none(), required=False, empty_label=_("All")
    )

    def __init__(self, *args: Any, stations: QuerySet[Station], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "station", stations)


class PendingFilterForm(RequestFilterForm):
    state = forms.ChoiceField(
        label=_("Step"),
        choices=_with_all([(s.value, s.label) for s in RequestState if s in PENDING_STATES]),
        required=False,
    )


# --- Filing -----------------------------------------------------------------------------------


class FileRequestForm(forms.Form):
    """A request with nothing but its reason (defer, resume, withdraw)."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the student asks for and why; supporting documents are kept on file."),
    )

    def __init__(self, *args: Any, student: Student, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.student = student
        self.kind = kind

    def payload(self) -> dict[str, Any]:
        return {}


class SuspendForm(FileRequestForm):
    start_date = forms.DateField(label=_("From"), widget=DATE)
    end_date = forms.DateField(
        label=_("Until"),
        widget=DATE,
        help_text=_("One year at a time at most; suspensions count in the maximum study period."),
    )

    def payload(self) -> dict[str, Any]:
        return {
            "start_date": self.cleaned_data["start_date"],
            "end_date": self.cleaned_data["end_date"],
        }


class ChangeProgramForm(FileRequestForm):
    new_program = forms.ModelChoiceField(label=_("New program"), queryset=Program.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(
            self, "new_program", status_selectors.programs_for_change(self.student, self.kind)
        )

    def payload(self) -> dict[str, Any]:
        return {"new_program": self.cleaned_data["new_program"]}


class ChangeStationForm(FileRequestForm):
    new_station = forms.ModelChoiceField(
        label=_("Receiving station"),
        queryset=Station.objects.none(),
        help_text=_("The receiving station consents after this station, then academic affairs."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "new_station", status_selectors.receiving_stations(self.student))

    def payload(self) -> dict[str, Any]:
        return {"new_station": self.cleaned_data["new_station"]}


class TransferForm(FileRequestForm):
    target_school = forms.CharField(label=_("Receiving school"), max_length=100)
    target_level = forms.ChoiceField(
        label=_("Level at the receiving school"),
        choices=[("", "—"), *Level.choices],
        help_text=_("Not in the first term, not across levels, not in the graduating year."),
    )

    def payload(self) -> dict[str, Any]:
        return {
            "target_school": self.cleaned_data["target_school"],
            "target_level": self.cleaned_data["target_level"],
        }


class CorrectDataForm(FileRequestForm):
    """Only the values that change are entered, so that the form shows no personal data."""

    intro = _("Fill in only what changes; the rest of the record stays as it is.")

    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50, required=False)
    gender = forms.ChoiceField(
        label=_("Gender"), choices=[("", _("unchanged")), *Gender.choices], required=False
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=18,
        required=False,
        validators=[idcard.validate_id_number],
        help_text=_("Checked against the birth date and gender (the new ones if given)."),
    )
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DATE)
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=20, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=20, required=False, validators=[validate_phone]
    )

    FIELDS = ("name", "gender", "id_number", "birth_date", "ethnicity", "phone")

    def clean_id_number(self) -> str:
        return idcard.normalize(self.cleaned_data.get("id_number") or "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not any(cleaned.get(field) for field in self.FIELDS):
            raise forms.ValidationError(_("Enter at least one corrected value."))
        return cleaned

    def payload(self) -> dict[str, Any]:
        corrections = {
            field: self.cleaned_data[field]
            for field in self.FIELDS
            if self.cleaned_data.get(field) not in (None, "")
        }
        return {"corrections": corrections}


FORMS: dict[str, type[FileRequestForm]] = {
    Kind.SUSPEND: SuspendForm,
    Kind.CHANGE_MAJOR: ChangeProgramForm,
    Kind.CHANGE_MODE: ChangeProgramForm,
    Kind.CHANGE_STATION: ChangeStationForm,
    Kind.TRANSFER: TransferForm,
    Kind.CORRECT_DATA: CorrectDataForm,
}


def filing_form(
    kind: str, student: Student, data: Any = None, *, auto_id: str = "id_%s"
) -> FileRequestForm:
    """The form of one kind of request (auto_id keeps ids apart on a page with several)."""
    form_class = FORMS.get(kind, FileRequestForm)
    return form_class(data, student=student, kind=kind, auto_id=auto_id)


# --- Decisions --------------------------------------------------------------------------------


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when rejecting: the reason is shown to the filer and the student."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "reject" and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("A rejection needs its reason."))
        return cleaned


# --- Registration -----------------------------------------------------------------------------


class RegistrationFilterForm(forms.Form):
    year = forms.IntegerField(
        label=_("Academic year"),
        min_value=1990,
        max_value=2100,
        required=False,
        help_text=_("The year it starts in: 2026 is 2026–2027."),
    )
    show = forms.ChoiceField(
        label=_("Show"),
        choices=[("", _("Not registered yet")), ("registered", _("Registered for that year"))],
        required=False,
    )
    station = forms.ModelChoiceField(
        label=_("Station"), queryset=Station.objects.none(), required=False, empty_label=_("All")
    )
    cohort = forms.IntegerField(label=_("Cohort"), required=False, min_value=1950, max_value=2100)
    program = forms.ModelChoiceField(
        label=_("Program"),
        queryset=Program.objects.select_related("major"),
        required=False,
        empty_label=_("All"),
    )

    def __init__(self, *args: Any, stations: QuerySet[Station], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "station", stations)


class RegisterForm(forms.Form):
    """The students ticked as paid, registered in one action."""

    year = forms.IntegerField(min_value=1990, max_value=2100, widget=forms.HiddenInput)
    students = forms.ModelMultipleChoiceField(
        queryset=Student.objects.none(),
        error_messages={"required": _("Tick the students whose tuition is paid.")},
    )

    def __init__(self, *args: Any, students: QuerySet[Student], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "students", students)
