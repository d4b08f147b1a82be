"""Fee pages: fee items and charges, students' fee accounts (and the student's own), payment
imports and their waiting rows, arrears per station and per student."""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from cems.accounts.access import (
    Capability,
    has_capability,
    require_capability,
    signed_in_user,
    stations_for,
)
from cems.admissions.issues import ImportStopped
from cems.core.export import FORMATS, tabular_response
from cems.core.forms import valid_filters
from cems.core.masking import mask_id_number
from cems.core.services import export_filters, records_export_log
from cems.finance import payments, selectors, services
from cems.finance.forms import (
    ChargeForm,
    DismissForm,
    EntryForm,
    FeeItemFilterForm,
    FeeItemForm,
    PaymentRowFilterForm,
    PaymentUploadForm,
    ResolveForm,
    StationArrearsFilterForm,
    StudentArrearsFilterForm,
)
from cems.finance.models import FeeItem, PaymentImport, PaymentRow
from cems.students.models import Student
from cems.students.status import current_academic_year


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """A fee page; its tabs show the managers' pages to those who manage fees."""
    context.setdefault("can_manage", has_capability(request.user, Capability.MANAGE_FEES))
    return render(request, template, context, status=status)


def _page(request: HttpRequest, items: Any) -> Any:
    return Paginator(items, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))


def _log_download(request: HttpRequest, subject: str, row_count: int) -> None:
    records_export_log(
        actor=signed_in_user(request),
        subject=subject,
        filters=export_filters(request.GET.dict()),
        row_count=row_count,
    )


# --- Fee items -------------------------------------------------------------------------------


def _item_rows(items: Iterable[FeeItem]) -> tuple[list[str], list[list[object]]]:
    columns = [_("Academic year"), _("Program"), _("Kind"), _("Name"), _("Amount"),
               _("Students charged")]  # fmt: skip
    rows: list[list[object]] = [
        [payments.year_label(i.academic_year), str(i.program), i.get_kind_display(), i.name,
         i.amount, getattr(i, "charged", 0)]
        for i in items
    ]  # fmt: skip
    return columns, rows


@require_capability(Capability.VIEW_FEES)
def item_list(request: HttpRequest) -> HttpResponseBase:
    form = FeeItemFilterForm(request.GET or None, programs=selectors.programs())
    items = selectors.fee_item_list(user=request.user, filters=valid_filters(form))
    if (fmt := request.GET.get("format")) in FORMATS:
        columns, rows = _item_rows(items)
        return tabular_response(filename="fee-items", columns=columns, rows=rows, fmt=fmt)
    return _render(
        request,
        "finance/item_list.html",
        {
            "form": form,
            "page": _page(request, items),
        },
    )


@require_capability(Capability.MANAGE_FEES)
def item_create(request: HttpRequest) -> HttpResponseBase:
    form = FeeItemForm(request.POST or None, programs=selectors.programs())
    if request.method == "POST" and form.is_valid():
        try:
            item = services.fee_item_create(actor=signed_in_user(request), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Fee item %(item)s created.") % {"item": item.name})
            return redirect("finance:item_list")
    return _render(request, "finance/item_form.html", {"form": form, "item": None})


@require_capability(Capability.MANAGE_FEES)
def item_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = selectors.fee_item_get(user=request.user, pk=pk)
    form = FeeItemForm(request.POST or None, programs=selectors.programs(), item=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.fee_item_update(
                actor=signed_in_user(request), item=item, data=form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Fee item %(item)s saved.") % {"item": item.name})
            return redirect("finance:item_list")
    return _render(request, "finance/item_form.html", {"form": form, "item": item})


@require_capability(Capability.MANAGE_FEES)
def charge_raise(request: HttpRequest) -> HttpResponseBase:
    """Charge a cohort its fee items of an academic year; raising them again adds only what
    is missing (students who joined since, items added since)."""
    form = ChargeForm(request.POST or None, programs=selectors.programs())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = services.charges_raise(
            actor=signed_in_user(request),
            program=data["program"],
            cohort_year=data["cohort_year"],
            academic_year=data["academic_year"],
            include_suspended=data["include_suspended"],
            booked_on=data["booked_on"],
        )
        return _render(
            request,
            "finance/charge_result.html",
            {"result": result, "data": data, "year": payments.year_label(data["academic_year"])},
        )
    return _render(request, "finance/charge_form.html", {"form": form})


# --- Fee accounts ----------------------------------------------------------------------------


def _account_rows(account: selectors.Account) -> tuple[list[str], list[list[object]]]:
    columns = [_("Academic year"), _("Date"), _("Entry"), _("Fee"), _("Fee item"),
               _("Transaction number"), _("Note"), _("Amount"), _("Owed after")]  # fmt: skip
    rows: list[list[object]] = [
        [year.label, line.entry.booked_on, line.entry.get_kind_display(),
         line.entry.get_fee_kind_display(), line.entry.fee_item.name if line.entry.fee_item else "",
         line.entry.reference, line.entry.note, line.signed, line.running]
        for year in account.years
        for line in year.lines
    ]  # fmt: skip
    return columns, rows


def _account_page(
    request: HttpRequest, student: Student, form: EntryForm | None, status: int = 200
) -> HttpResponse:
    can_manage = has_capability(request.user, Capability.MANAGE_FEES)
    account = selectors.account(student=student)
    if can_manage and form is None:
        # The year a payment most likely is for: the oldest owing, else the current one.
        owing = account.owing_years
        year = owing[0].academic_year if owing else current_academic_year()
        form = EntryForm(initial={"academic_year": year})
    return _render(
        request,
        "finance/account.html",
        {
            "student": student,
            "account": account,
            "form": form if can_manage else None,
            "can_view_student": has_capability(request.user, Capability.VIEW_STUDENTS),
        },
        status=status,
    )


@require_capability(Capability.VIEW_FEES)
def account(request: HttpRequest, pk: int) -> HttpResponseBase:
    student = selectors.fee_student_get(user=request.user, pk=pk)
    if (fmt := request.GET.get("format")) in FORMATS:
        columns, rows = _account_rows(selectors.account(student=student))
        _log_download(request, "finance.FeeEntry", len(rows))
        return tabular_response(
            filename=f"fees-{student.student_number}", columns=columns, rows=rows, fmt=fmt
        )
    return _account_page(request, student, None)


@require_capability(Capability.MANAGE_FEES)
@require_POST
def entry_record(request: HttpRequest, pk: int) -> HttpResponseBase:
    student = selectors.fee_student_get(user=request.user, pk=pk)
    form = EntryForm(request.POST)
    if form.is_valid():
        try:
            entry = services.entry_record(
                actor=signed_in_user(request), student=student, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(kind)s of %(amount)s for %(year)s recorded.")
                % {"kind": entry.get_kind_display(), "amount": payments.money(entry.amount),
                   "year": payments.year_label(entry.academic_year)},
            )  # fmt: skip
            return redirect("finance:account", pk=student.pk)
    return _account_page(request, student, form, status=400)


@require_capability(Capability.USE_PORTAL)
def my_account(request: HttpRequest) -> HttpResponse:
    """The student's own fee account, read-only."""
    accounts = [
        selectors.account(student=student)
        for student in selectors.portal_students(user=request.user)
    ]
    return _render(request, "finance/my_account.html", {"accounts": accounts})


# --- Payment imports -------------------------------------------------------------------------


@require_capability(Capability.MANAGE_FEES)
def import_upload(request: HttpRequest) -> HttpResponseBase:
    form = PaymentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record = services.payment_import(
                data=upload.read(), file_name=upload.name or "upload", actor=signed_in_user(request)
            )
        except ImportStopped as stopped:
            form.add_error("file", stopped.text())
        else:
            counts = record.counts
            waiting = services.waiting_count(counts)
            text = _(
                "%(rows)d rows: %(matched)d payments recorded, %(duplicate)d already recorded, "
                "%(waiting)d left for a person."
            ) % {"rows": counts["rows"], "matched": counts["matched"],
                 "duplicate": counts["duplicate"], "waiting": waiting}  # fmt: skip
            messages.add_message(request, messages.WARNING if waiting else messages.SUCCESS, text)
            return redirect(f"{reverse('finance:row_list')}?payment_import={record.pk}&status=all")
    return _render(
        request,
        "finance/import_upload.html",
        {"form": form, "max_mb": settings.CEMS_MAX_UPLOAD_BYTES // 2**20},
        status=400 if request.method == "POST" else 200,
    )


def _import_rows(imports: Iterable[PaymentImport]) -> tuple[list[str], list[list[object]]]:
    columns = [_("Imported at"), _("File name"), _("Imported by"), _("Rows"), _("Recorded"),
               _("Already recorded"), _("Waiting"), _("Amount recorded")]  # fmt: skip
    rows: list[list[object]] = []
    for i in imports:
        counts = i.counts
        rows.append([
            i.imported_at, i.file_name, i.imported_by.display_name, counts.get("rows", 0),
            counts.get("matched", 0), counts.get("duplicate", 0), services.waiting_count(counts),
            Decimal(counts.get("recorded_amount", "0")),
        ])  # fmt: skip
    return columns, rows


@require_capability(Capability.MANAGE_FEES)
def import_list(request: HttpRequest) -> HttpResponseBase:
    imports = selectors.payment_imports(user=request.user)
    if (fmt := request.GET.get("format")) in FORMATS:
        columns, rows = _import_rows(imports)
        return tabular_response(filename="payment-imports", columns=columns, rows=rows, fmt=fmt)
    page = _page(request, imports)
    return _render(
        request,
        "finance/import_list.html",
        {"page": page, "rows": list(zip(page, _import_rows(page)[1], strict=True))},
    )


def _payment_row_rows(rows: Iterable[PaymentRow]) -> tuple[list[str], list[list[object]]]:
    columns = [_("Import"), _("Row"), _("Transaction number"), _("Student number"),
               _("ID number"), pgettext("person", "Name"), _("Amount"), _("Date"), _("Status"),
               _("Message"), _("Student"), _("Note")]  # fmt: skip
    table: list[list[object]] = [
        [r.payment_import.file_name, r.row_number, r.reference, r.student_number,
         mask_id_number(r.id_number) if r.id_number else "", r.name, r.amount, r.paid_on,
         r.get_status_display(), r.message,
         f"{r.student.student_number} {r.student.name}" if r.student else "", r.note]
        for r in rows
    ]  # fmt: skip
    return columns, table


@require_capability(Capability.MANAGE_FEES)
def row_list(request: HttpRequest) -> HttpResponseBase:
    imports = selectors.payment_imports(user=request.user)
    form = PaymentRowFilterForm(request.GET or None, imports=imports)
    rows = selectors.payment_row_list(user=request.user, filters=valid_filters(form))
    if (fmt := request.GET.get("format")) in FORMATS:
        columns, table = _payment_row_rows(rows.iterator(chunk_size=2000))
        _log_download(request, "finance.PaymentRow", len(table))
        return tabular_response(filename="payment-rows", columns=columns, rows=table, fmt=fmt)
    return _render(
        request,
        "finance/row_list.html",
        {"form": form, "page": _page(request, rows), "waiting": list(payments.WAITING)},
    )


def _row_page(
    request: HttpRequest,
    row: PaymentRow,
    resolve: ResolveForm | None = None,
    dismiss: DismissForm | None = None,
    status: int = 200,
) -> HttpResponse:
    initial: dict[str, Any] = {}
    if row.student is not None:
        initial["student_number"] = row.student.student_number
        owing = selectors.account(student=row.student).owing_years
        if owing:
            initial["academic_year"] = owing[0].academic_year
    return _render(
        request,
        "finance/row_detail.html",
        {
            "row": row,
            "entries": selectors.row_entries(row=row),
            "resolvable": row.status in payments.RESOLVABLE,
            "waiting": row.status in payments.WAITING,
            "resolve": resolve or ResolveForm(initial=initial, find_student=_finder(request)),
            "dismiss": dismiss or DismissForm(),
        },
        status=status,
    )


def _finder(request: HttpRequest) -> Any:
    def find(number: str) -> Student | None:
        return selectors.fee_student_by_number(user=request.user, student_number=number)

    return find


@require_capability(Capability.MANAGE_FEES)
def row_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _row_page(request, selectors.payment_row_get(user=request.user, pk=pk))


@require_capability(Capability.MANAGE_FEES)
@require_POST
def row_resolve(request: HttpRequest, pk: int) -> HttpResponseBase:
    row = selectors.payment_row_get(user=request.user, pk=pk)
    form = ResolveForm(request.POST, find_student=_finder(request))
    if form.is_valid():
        try:
            services.payment_row_resolve(
                actor=signed_in_user(request),
                row=row,
                student=form.cleaned_data["student"],
                academic_year=form.cleaned_data["academic_year"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The payment of %(amount)s is recorded for %(name)s.")
                % {"amount": row.amount, "name": form.cleaned_data["student"].name},
            )
            return redirect("finance:row_list")
    return _row_page(request, row, resolve=form, status=400)


@require_capability(Capability.MANAGE_FEES)
@require_POST
def row_dismiss(request: HttpRequest, pk: int) -> HttpResponseBase:
    row = selectors.payment_row_get(user=request.user, pk=pk)
    form = DismissForm(request.POST)
    if form.is_valid():
        try:
            services.payment_row_dismiss(
                actor=signed_in_user(request), row=row, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The row is dismissed."))
            return redirect("finance:row_list")
    return _row_page(request, row, dismiss=form, status=400)


# --- Arrears ---------------------------------------------------------------------------------


def _station_rows(report: selectors.StationReport) -> tuple[list[str], list[list[object]]]:
    columns = [_("Station code"), _("Station"), _("Students owing"), _("Owed")]
    for year in report.years:
        label = payments.year_label(year)
        columns += [_("Students owing %(year)s") % {"year": label},
                    _("Owed %(year)s") % {"year": label}]  # fmt: skip
    rows: list[list[object]] = []
    for row in report.stations:
        cells: list[object] = [row.station.code, row.station.name, row.students, row.owed]
        for count, owed in row.year_cells(report.years):
            cells += [count, owed]
        rows.append(cells)
    total: list[object] = ["", _("Total"), report.students, report.owed]
    for count, owed in report.year_cells():
        total += [count, owed]
    rows.append(total)
    return columns, rows


@require_capability(Capability.VIEW_FEES)
def arrears_stations(request: HttpRequest) -> HttpResponseBase:
    form = StationArrearsFilterForm(request.GET or None, programs=selectors.programs())
    report = selectors.arrears_by_station(user=request.user, filters=valid_filters(form))
    if (fmt := request.GET.get("format")) in FORMATS:
        columns, rows = _station_rows(report)
        return tabular_response(filename="arrears-stations", columns=columns, rows=rows, fmt=fmt)
    page = _page(request, report.stations)
    return _render(
        request,
        "finance/arrears_stations.html",
        {
            "form": form,
            "page": page,
            "report": report,
            "lines": [(row, row.year_cells(report.years)) for row in page],
            "years": [payments.year_label(year) for year in report.years],
        },
    )


def _student_rows(students: Iterable[Student]) -> tuple[list[str], list[list[object]]]:
    columns = [_("Student number"), pgettext("person", "Name"), _("Station"), _("Program"),
               _("Cohort"), _("Status"), _("Charged"), _("Paid"), _("Waived"),
               _("Owed")]  # fmt: skip
    rows: list[list[object]] = [
        [s.student_number, s.name, s.station.name, str(s.program), s.cohort_year,
         s.get_status_display(), getattr(s, "charged", None), getattr(s, "paid", None),
         getattr(s, "waived", None), getattr(s, "owed", None)]
        for s in students
    ]  # fmt: skip
    return columns, rows


@require_capability(Capability.VIEW_FEES)
def arrears_students(request: HttpRequest) -> HttpResponseBase:
    form = StudentArrearsFilterForm(
        request.GET or None,
        programs=selectors.programs(),
        stations=stations_for(request.user).order_by("code"),
    )
    students = selectors.arrears_students(user=request.user, filters=valid_filters(form))
    if (fmt := request.GET.get("format")) in FORMATS:
        columns, rows = _student_rows(students.iterator(chunk_size=2000))
        _log_download(request, "finance.arrears", len(rows))
        return tabular_response(filename="arrears", columns=columns, rows=rows, fmt=fmt)
    return _render(
        request, "finance/arrears_students.html", {"form": form, "page": _page(request, students)}
    )
