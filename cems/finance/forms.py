from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cems.catalog.models import EARLIEST_YEAR, LATEST_YEAR, Program
from cems.core.forms import limit_upload_size
from cems.core.uploads import check_spreadsheet
from cems.finance.models import EntryKind, FeeItem, FeeKind, PaymentImport, RowStatus
from cems.finance.selectors import ALL_FILTER, WAITING_FILTER
from cems.organization.models import Station
from cems.students.models import Student

YEAR_HELP = _("The year it starts in: 2026 is 2026–2027.")
ALL = _("All")


def _year(label: Any = None, *, required: bool = True, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label or _("Academic year"),
        min_value=EARLIEST_YEAR,
        max_value=LATEST_YEAR,
        required=required,
        **kwargs,
    )


def _money(label: Any = None, *, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label or _("Amount"),
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=required,
    )


def _set_queryset(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


def _programs(form: forms.Form, programs: QuerySet[Program]) -> None:
    _set_queryset(form, "program", programs)


# --- Fee items and charges -------------------------------------------------------------------


class FeeItemFilterForm(forms.Form):
    academic_year = _year(required=False)
    program = forms.ModelChoiceField(
        label=_("Program"), queryset=Program.objects.none(), required=False, empty_label=ALL
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", ALL), *FeeKind.choices], required=False)

    def __init__(self, *args: Any, programs: QuerySet[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _programs(self, programs)


class FeeItemForm(forms.Form):
    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.none())
    academic_year = _year(help_text=YEAR_HELP)
    kind = forms.ChoiceField(label=_("Kind"), choices=FeeKind.choices)
    name = forms.CharField(
        label=_("Name"), max_length=50, help_text=_("As the student sees it: 学费, 教材费, ...")
    )
    amount = _money()

    def __init__(
        self,
        *args: Any,
        programs: QuerySet[Program],
        item: FeeItem | None = None,
        **kwargs: Any,
    ) -> None:
        if item is not None:
            kwargs.setdefault(
                "initial",
                {"program": item.program_id, "academic_year": item.academic_year,
                 "kind": item.kind, "name": item.name, "amount": item.amount},
            )  # fmt: skip
        super().__init__(*args, **kwargs)
        _programs(self, programs)


class ChargeForm(forms.Form):
    program = forms.ModelChoiceField(
        label=_("Program"),
        queryset=Program.objects.none(),
        required=False,
        empty_label=_("All programs"),
    )
    cohort_year = _year(_("Cohort"), help_text=_("The year the students were admitted."))
    academic_year = _year(help_text=YEAR_HELP)
    include_suspended = forms.BooleanField(
        label=_("Also charge suspended students"),
        required=False,
        help_text=_("Students in good standing are charged; those suspended only if ticked."),
    )
    booked_on = forms.DateField(
        label=_("Date of the charges"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, programs: QuerySet[Program], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"booked_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        _programs(self, programs)


# --- A student's account ---------------------------------------------------------------------


class EntryForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Record"),
        choices=[(k.value, k.label) for k in (EntryKind.PAYMENT, EntryKind.REFUND,
                                               EntryKind.WAIVER)],
    )  # fmt: skip
    academic_year = _year(help_text=YEAR_HELP)
    fee_kind = forms.ChoiceField(label=_("Fee"), choices=FeeKind.choices)
    amount = _money()
    booked_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(
        label=_("Transaction number"),
        max_length=64,
        required=False,
        help_text=_("Required for a payment: the bank's transaction number or the receipt's."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["initial"] = {"booked_on": timezone.localdate(), **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)


# --- Payment imports -------------------------------------------------------------------------


class PaymentUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Payment file"),
        help_text=_("The bank's or payment platform's export: xlsx, xls or csv (UTF-8 or GBK)."),
    )

    def clean_file(self) -> UploadedFile:
        upload = limit_upload_size(self.cleaned_data["file"])
        return check_spreadsheet(upload, ("xlsx", "xls", "ods", "csv"))


StudentLookup = Callable[[str], Student | None]


class ResolveForm(forms.Form):
    student_number = forms.CharField(label=_("Student number"), max_length=20)
    academic_year = _year(help_text=YEAR_HELP)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, find_student: StudentLookup, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.find_student = find_student

    def clean_student_number(self) -> str:
        number: str = self.cleaned_data["student_number"].strip().upper()
        student = self.find_student(number)
        if student is None:
            raise forms.ValidationError(
                _("No student of yours has the student number %(number)s."),
                params={"number": number},
            )
        self.cleaned_data["student"] = student
        return number


class DismissForm(forms.Form):
    note = forms.CharField(
        label=_("Why"),
        max_length=200,
        help_text=_("For example: not a payment to the school; refunded by the bank."),
    )


class PaymentRowFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(WAITING_FILTER, _("Waiting for a person")), (ALL_FILTER, ALL),
                 *RowStatus.choices],
        required=False,
    )  # fmt: skip
    payment_import = forms.ModelChoiceField(
        label=_("Import"), queryset=PaymentImport.objects.none(), required=False, empty_label=ALL
    )
    q = forms.CharField(
        label=_("Search"),
        max_length=64,
        required=False,
        help_text=_("Transaction number, student number or name"),
    )

    def __init__(self, *args: Any, imports: QuerySet[PaymentImport], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_queryset(self, "payment_import", imports)


# --- Arrears ---------------------------------------------------------------------------------


class StationArrearsFilterForm(forms.Form):
    academic_year = _year(required=False, help_text=_("Empty: all years"))
    program = forms.ModelChoiceField(
        label=_("Program"), queryset=Program.objects.none(), required=False, empty_label=ALL
    )
    cohort = _year(_("Cohort"), required=False)

    def __init__(self, *args: Any, programs: QuerySet[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _programs(self, programs)


class StudentArrearsFilterForm(StationArrearsFilterForm):
    station = forms.ModelChoiceField(
        label=_("Station"), queryset=Station.objects.none(), required=False, empty_label=ALL
    )
    min_amount = _money(_("Owing at least"), required=False)
    q = forms.CharField(
        label=_("Search"), max_length=50, required=False, help_text=_("Student number or name")
    )

    field_order = ["academic_year", "station", "program", "cohort", "min_amount", "q"]

    def __init__(
        self,
        *args: Any,
        programs: QuerySet[Program],
        stations: QuerySet[Station],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, programs=programs, **kwargs)
        _set_queryset(self, "station", stations)
