from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
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
from cems.admissions import selectors, services
from cems.admissions.forms import CandidateFilterForm, ImportFilterForm, UploadForm
from cems.admissions.models import AdmissionImport, Candidate
from cems.admissions.report import report_xlsx
from cems.core.export import FORMATS, choice_labels, tabular_response
from cems.core.forms import valid_filters
from cems.core.masking import mask_birth_date, mask_id_number, mask_phone
from cems.core.services import export_filters, records_export_log

# --- Admitted candidates ----------------------------------------------------------------------


def _export_candidates(
    request: HttpRequest, candidates: QuerySet[Candidate], fmt: str
) -> HttpResponseBase:
    """The filtered list as a file, ID and phone numbers masked; the export is logged."""
    columns = [
        _("Exam candidate number"),
        pgettext("person", "Name"),
        _("Gender"),
        _("ID number"),
        _("Birth date"),
        _("Phone"),
        _("Station"),
        _("Major"),
        _("Level"),
        _("Study mode"),
        _("Admission year"),
        _("Total score"),
        _("Status"),
        _("Student number"),
    ]

    gender, status = choice_labels(Candidate, "gender"), choice_labels(Candidate, "status")
    level, mode = choice_labels(Candidate, "level"), choice_labels(Candidate, "mode")

    def rows() -> Any:
        for c in candidates.iterator(chunk_size=2000):
            yield [
                c.exam_number,
                c.name,
                gender(c.gender),
                mask_id_number(c.id_number),
                mask_birth_date(c.birth_date),
                mask_phone(c.phone),
                c.station.name,
                c.major.name,
                level(c.level),
                mode(c.mode),
                c.admission_year,
                c.total_score,
                status(c.status),
                c.student.student_number if c.student else "",
            ]

    records_export_log(
        actor=signed_in_user(request),
        subject="admissions.Candidate",
        filters=export_filters(request.GET.dict()),
        row_count=candidates.count(),
    )
    return tabular_response(filename="candidates", columns=columns, rows=rows(), fmt=fmt)


@require_capability(Capability.VIEW_CANDIDATES)
def candidate_list(request: HttpRequest) -> HttpResponseBase:
    form = CandidateFilterForm(request.GET or None, stations=stations_for(request.user))
    candidates = selectors.candidate_list(user=request.user, filters=valid_filters(form))
    if (fmt := request.GET.get("format")) in FORMATS:
        return _export_candidates(request, candidates, fmt)
    page = Paginator(candidates, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "admissions/candidate_list.html",
        {
            "form": form,
            "page": page,
            "can_import": has_capability(request.user, Capability.IMPORT_ADMISSIONS),
        },
    )


@require_capability(Capability.VIEW_CANDIDATES)
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = selectors.candidate_get(user=request.user, pk=pk)
    return render(
        request,
        "admissions/candidate_detail.html",
        {
            "candidate": candidate,
            "can_see_import": has_capability(request.user, Capability.IMPORT_ADMISSIONS),
            "can_see_student": has_capability(request.user, Capability.VIEW_STUDENTS),
        },
    )


# --- Imports: upload, preview, confirm --------------------------------------------------------


@require_capability(Capability.IMPORT_ADMISSIONS)
def import_list(request: HttpRequest) -> HttpResponseBase:
    form = ImportFilterForm(request.GET or None)
    imports = selectors.import_list(user=request.user, filters=valid_filters(form))
    if (fmt := request.GET.get("format")) in FORMATS:
        columns = [
            _("Uploaded at"),
            _("File name"),
            _("Format"),
            _("Admission year"),
            _("Uploaded by"),
            _("State"),
            _("Rows"),
            _("Created"),
            _("Updated"),
            _("Unchanged"),
            _("Rejected"),
        ]
        rows = (
            [
                i.created_at,
                i.file_name,
                i.file_format,
                i.admission_year,
                i.uploaded_by.username if i.uploaded_by else _("command line"),
                i.get_state_display(),
                i.rows,
                i.created,
                i.updated,
                i.unchanged,
                i.rejected,
            ]
            for i in imports
        )
        return tabular_response(filename="admission-imports", columns=columns, rows=rows, fmt=fmt)
    page = Paginator(imports, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "admissions/import_list.html", {"form": form, "page": page})


@require_capability(Capability.IMPORT_ADMISSIONS)
def import_upload(request: HttpRequest) -> HttpResponseBase:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.admission_upload(
                actor=signed_in_user(request),
                upload=form.cleaned_data["file"],
                admission_year=form.cleaned_data["admission_year"],
                all_or_nothing=form.cleaned_data["all_or_nothing"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("admissions:import_detail", pk=record.pk)
    return render(
        request,
        "admissions/import_upload.html",
        {"form": form, "max_mb": settings.CEMS_MAX_UPLOAD_BYTES // 2**20},
    )


@require_capability(Capability.IMPORT_ADMISSIONS)
def import_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The preview of an upload (every row, its errors and warnings) with confirm and
    discard; after that, the import's result and the rows it rejected or warned about."""
    record = selectors.import_get(user=request.user, pk=pk)
    show = request.GET.get("show", "all")
    if show not in selectors.SHOW:
        show = "all"
    rows = selectors.import_rows(record, show=show)
    page = Paginator(rows, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    previewed = record.state == AdmissionImport.State.PREVIEWED
    return render(
        request,
        "admissions/import_detail.html",
        {
            "record": record,
            "page": page,
            "show": show,
            "shows": [
                ("all", _("All rows")),
                ("problems", _("Rows with problems")),
                ("reject", _("Rejected")),
                ("create", _("New")),
                ("update", _("Changed")),
                ("unchanged", _("Unchanged")),
            ],
            "warnings": selectors.import_warnings(record),
            "previewed": previewed,
            "blocked": previewed and record.all_or_nothing and record.rejected > 0,
        },
    )


@require_POST
@require_capability(Capability.IMPORT_ADMISSIONS)
def import_confirm(request: HttpRequest, pk: int) -> HttpResponseBase:
    record = selectors.import_get(user=request.user, pk=pk)
    try:
        record = services.admission_confirm(actor=signed_in_user(request), record=record)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if record.state == AdmissionImport.State.CONFIRMED:
            messages.success(
                request,
                _(
                    "Imported: %(created)d new, %(updated)d changed, %(unchanged)d unchanged, "
                    "%(rejected)d rejected."
                )
                % {
                    "created": record.created,
                    "updated": record.updated,
                    "unchanged": record.unchanged,
                    "rejected": record.rejected,
                },
            )
        else:
            messages.error(
                request,
                _(
                    "Nothing was imported: %(rejected)d rows were rejected and the import was "
                    "all or nothing."
                )
                % {"rejected": record.rejected},
            )
    return redirect("admissions:import_detail", pk=record.pk)


@require_POST
@require_capability(Capability.IMPORT_ADMISSIONS)
def import_discard(request: HttpRequest, pk: int) -> HttpResponseBase:
    record = selectors.import_get(user=request.user, pk=pk)
    try:
        services.admission_discard(actor=signed_in_user(request), record=record)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The upload was discarded; nothing was imported."))
    return redirect("admissions:import_list")


@require_capability(Capability.IMPORT_ADMISSIONS)
def import_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The rejected rows and warnings of an import as an xlsx file."""
    record = selectors.import_get(user=request.user, pk=pk)
    response = HttpResponse(
        report_xlsx(record.report if isinstance(record.report, dict) else {}),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f'attachment; filename="admission-import-{record.pk}-report-{stamp}.xlsx"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
