"""Grade entry from Excel: download an offering's grade sheet, upload it filled in."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cems.accounts.access import (
    Capability,
    get_in_scope_or_404,
    gradable_offerings_for,
    require_capability,
    signed_in_user,
)
from cems.core.forms import limit_upload_size
from cems.teaching import grade_sheet
from cems.teaching.models import CourseOffering


class SheetUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled grade sheet"),
        help_text=gettext_lazy(
            "The .xlsx file downloaded from this page, with the grades filled in."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self) -> Any:
        upload = limit_upload_size(self.cleaned_data["file"])
        return upload


def _offering(request: HttpRequest, pk: int) -> CourseOffering:
    return get_in_scope_or_404(
        gradable_offerings_for(request.user).select_related(
            "term__academic_year", "student_class", "plan_course__course", "teacher"
        ),
        pk=pk,
    )


@require_capability(Capability.ENTER_GRADES)
def sheet_download(request: HttpRequest, pk: int) -> HttpResponse:
    offering = _offering(request, pk)
    sheet = grade_sheet.grade_sheet(offering)
    data = grade_sheet.workbook_bytes(sheet, grade_sheet.title_lines(offering, sheet))
    response = HttpResponse(data, content_type=grade_sheet.XLSX_CONTENT_TYPE)
    disposition = content_disposition_header(
        as_attachment=True, filename=grade_sheet.sheet_filename(offering, sheet)
    )
    response["Content-Disposition"] = disposition or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_capability(Capability.ENTER_GRADES)
def sheet_upload(request: HttpRequest, pk: int) -> HttpResponseBase:
    offering = _offering(request, pk)
    errors: list[grade_sheet.SheetCellError] = []
    status = 200
    if request.method == "POST":
        form = SheetUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                changed = grade_sheet.sheet_upload(
                    actor=signed_in_user(request),
                    offering=offering,
                    data=form.cleaned_data["file"].read(),
                )
            except grade_sheet.SheetRefused as refusal:
                form.add_error("file", refusal.message)
            except grade_sheet.SheetInvalid as invalid:
                errors = invalid.errors
            else:
                if changed:
                    messages.success(
                        request,
                        ngettext(
                            "%(count)d grade cell changed from the sheet.",
                            "%(count)d grade cells changed from the sheet.",
                            changed,
                        )
                        % {"count": changed},
                    )
                else:
                    messages.info(request, _("The sheet changes no grade."))
                return redirect("teaching:offering_detail", pk=offering.pk)
        status = 400
    else:
        form = SheetUploadForm()
    sheet_phase = grade_sheet.sheet_phase(offering)
    return render(
        request,
        "teaching/grades/sheet_upload.html",
        {
            "offering": offering,
            "form": form,
            "errors": errors,
            "makeup": sheet_phase == grade_sheet.MAKEUP,
            "locked": offering.makeup_locked,
            "max_mb": settings.CEMS_MAX_UPLOAD_BYTES // 2**20,
        },
        status=status,
    )
