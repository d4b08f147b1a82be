from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cems.accounts.access import Capability, require_capability, sees_personal_data, stations_for
from cems.core.export import FORMATS, tabular_response
from cems.core.forms import valid_filters
from cems.core.masking import mask_birth_date, mask_id_number, mask_phone
from cems.organization.selectors import provinces_for
from cems.students import selectors
from cems.students.forms import StudentFilterForm
from cems.students.models import Student


def _export(students: QuerySet[Student], *, personal: bool, fmt: str) -> HttpResponseBase:
    columns = [
        _("Student number"), _("Exam candidate number"), pgettext("person", "Name"), _("Gender"),
        _("ID number"), _("Birth date"), _("Ethnicity"), _("Phone"), _("Province"),
        _("Station"), _("Major"), _("Level"), _("Study mode"), _("Cohort"), _("Status"),
    ]  # fmt: skip

    def rows() -> Any:
        for s in students.iterator(chunk_size=2000):
            yield [
                s.student_number, s.exam_number, s.name, s.get_gender_display(),
                s.id_number if personal else mask_id_number(s.id_number),
                s.birth_date if personal else mask_birth_date(s.birth_date),
                s.ethnicity, s.phone if personal else mask_phone(s.phone),
                s.station.province.name, s.station.name, s.program.major.name,
                s.program.get_level_display(), s.program.get_mode_display(), s.cohort_year,
                s.get_status_display(),
            ]  # fmt: skip

    return tabular_response(filename="students", columns=columns, rows=rows(), fmt=fmt)


@require_capability(Capability.LIST_STUDENTS)
def student_list(request: HttpRequest) -> HttpResponseBase:
    form = StudentFilterForm(
        request.GET or None,
        stations=stations_for(request.user),
        provinces=provinces_for(request.user),
    )
    students = selectors.student_list(user=request.user, filters=valid_filters(form))
    personal = sees_personal_data(request.user)
    if (fmt := request.GET.get("format")) in FORMATS:
        return _export(students, personal=personal, fmt=fmt)
    page = Paginator(students, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    # htmx swaps in the table alone; a history restore (back button after a cache miss) also
    # says HX-Request but needs the whole page.
    fragment = request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )
    template = "students/_table.html" if fragment else "students/list.html"
    response = render(request, template, {"form": form, "page": page, "personal": personal})
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    return response


@require_capability(Capability.VIEW_STUDENTS)
def student_detail(request: HttpRequest, pk: int) -> HttpResponse:
    student = selectors.student_get(user=request.user, pk=pk)
    return render(
        request,
        "students/detail.html",
        {"student": student, "personal": sees_personal_data(request.user)},
    )
