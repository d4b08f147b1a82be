"""The student list and record, the deliberate (logged) showing of personal data, downloads of
the list (logged), and the enrollment of admitted candidates."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cems.accounts.access import (
    Capability,
    classes_for,
    has_capability,
    require_capability,
    sees_personal_data,
    signed_in_user,
    stations_for,
)
from cems.admissions.models import Candidate
from cems.core.export import FORMATS, tabular_response
from cems.core.forms import valid_filters
from cems.organization.selectors import provinces_for
from cems.students import selectors, services
from cems.students.forms import CandidateFilterForm, ExportForm, StudentFilterForm, UnmaskForm
from cems.students.models import Student

CURSOR_LENGTH = 20  # a student number's length: longer cursors are cut, never looked up
# A ticked id longer than this could not be a primary key (a 64-bit integer); it is ignored.
MAX_ID_DIGITS = 18


def _is_fragment(request: HttpRequest) -> bool:
    # htmx swaps in a part of the page; a history restore (back button after a cache miss)
    # also says HX-Request but needs the whole page.
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def _filtered_students(
    request: HttpRequest,
) -> tuple[StudentFilterForm, dict[str, Any] | None, QuerySet[Student]]:
    user = request.user
    params = request.GET.copy()
    for key in ("after", "before", "last", "format", "count"):
        params.pop(key, None)
    form = StudentFilterForm(
        params or None,
        stations=stations_for(user),
        provinces=provinces_for(user),
        classes=classes_for(user),
    )
    filters = valid_filters(form)
    return form, filters, selectors.student_list(user=user, filters=filters)


def _download(
    request: HttpRequest,
    students: QuerySet[Student],
    filters: dict[str, Any] | None,
    *,
    fmt: str,
    full: bool = False,
    reason: str = "",
) -> HttpResponseBase:
    """Every download is logged, with its filters and its number of rows, before it starts."""
    services.personal_data_export(
        actor=signed_in_user(request),
        filters=selectors.filters_for_log(filters),
        row_count=students.count(),
        full=full,
        reason=reason,
    )
    columns, rows = selectors.student_export_rows(students, full=full)
    response = tabular_response(filename="students", columns=columns, rows=rows, fmt=fmt)
    if full:
        add_never_cache_headers(response)
    return response


def _cursor(request: HttpRequest, name: str) -> str:
    """A page's cursor from the query string, cut to a student number's length and without
    NUL characters (which PostgreSQL refuses in a comparison with text)."""
    return request.GET.get(name, "").replace("\x00", "")[:CURSOR_LENGTH]


@require_capability(Capability.LIST_STUDENTS)
def student_list(request: HttpRequest) -> HttpResponseBase:
    form, filters, students = _filtered_students(request)
    if (fmt := request.GET.get("format")) in FORMATS:
        return _download(request, students, filters, fmt=fmt)
    if request.GET.get("count") == "1":
        # The pager asks for the total after the page has come: counting never delays it.
        count, exact = selectors.bounded_count(students)
        return render(request, "students/_count.html", {"count": count, "exact": exact})
    page = selectors.student_page(
        students,
        after=_cursor(request, "after"),
        before=_cursor(request, "before"),
        last=request.GET.get("last") == "1",
    )
    selected = (filters or {}).get("student_class")
    classes, more = selectors.class_choices(user=request.user, filters=filters, selected=selected)
    form.offer_classes(classes, more=more)
    fragment = _is_fragment(request)
    context = {
        "form": form,
        "page": page,
        "fragment": fragment,
        "can_unmask": sees_personal_data(request.user),
        "export_form": ExportForm(),
    }
    template = "students/_table.html" if fragment else "students/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    return response


@require_capability(Capability.LIST_STUDENTS)
@require_POST
def student_export(request: HttpRequest) -> HttpResponseBase:
    """A download of the filtered list (the filters in the query string), with full ID and
    phone numbers for a user who may see them, ticks the option and gives a reason."""
    _form, filters, students = _filtered_students(request)
    export = ExportForm(request.POST)
    if not export.is_valid():
        for errors in export.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(f"{reverse('students:list')}?{request.GET.urlencode()}")
    full: bool = export.cleaned_data["full"]
    if full and not sees_personal_data(request.user):
        raise PermissionDenied
    return _download(
        request,
        students,
        filters,
        fmt=export.cleaned_data["format"],
        full=full,
        reason=export.cleaned_data["reason"],
    )


def _detail(
    request: HttpRequest, student: Student, *, show_personal: bool, unmask_form: UnmaskForm
) -> HttpResponse:
    return render(
        request,
        "students/detail.html",
        {
            "student": student,
            "timeline": selectors.student_timeline(student=student),
            "show_personal": show_personal,
            "can_unmask": sees_personal_data(request.user),
            "can_file_request": has_capability(request.user, Capability.FILE_STATUS_REQUESTS),
            "can_print_transcript": has_capability(request.user, Capability.PRINT_TRANSCRIPTS),
            "can_view_fees": has_capability(request.user, Capability.VIEW_FEES),
            "unmask_form": unmask_form,
        },
    )


@require_capability(Capability.VIEW_STUDENTS)
def student_detail(request: HttpRequest, pk: int) -> HttpResponse:
    student = selectors.student_get(user=request.user, pk=pk)
    return _detail(request, student, show_personal=False, unmask_form=UnmaskForm())


@require_capability(Capability.SEE_PERSONAL_DATA)
@require_POST
def student_unmask(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one student's ID number, phone and birth date in full, for this response only;
    logged with the reason given."""
    student = selectors.student_get(user=request.user, pk=pk)
    form = UnmaskForm(request.POST)
    shown = form.is_valid()
    if shown:
        services.personal_data_unmask(
            actor=signed_in_user(request), student=student, reason=form.cleaned_data["reason"]
        )
    if _is_fragment(request):
        response = render(
            request,
            "students/_personal.html",
            {"student": student, "show_personal": shown, "can_unmask": True, "unmask_form": form},
        )
    else:
        response = _detail(request, student, show_personal=shown, unmask_form=form)
    add_never_cache_headers(response)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- Enrollment ------------------------------------------------------------------------------


def _enroll(request: HttpRequest, candidates: QuerySet[Candidate]) -> HttpResponseBase:
    if request.POST.get("action") == "all":
        chosen = candidates
    else:
        ids = [
            int(value)
            for value in request.POST.getlist("candidate")
            if value.isascii() and value.isdigit() and len(value) <= MAX_ID_DIGITS
        ]
        chosen = candidates.filter(pk__in=ids)
    if not chosen.exists():
        messages.error(request, _("Tick the candidates to enroll, or enroll all of them."))
        return redirect(request.get_full_path())
    try:
        students = services.students_enroll(actor=signed_in_user(request), candidates=chosen)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        classes = len({student.student_class_id for student in students})
        messages.success(
            request,
            _("Enrolled: %(students)d students in %(classes)d classes.")
            % {"students": len(students), "classes": classes},
        )
    return redirect(request.get_full_path())


@require_capability(Capability.ENROLL_STUDENTS)
def enrollment(request: HttpRequest) -> HttpResponseBase:
    """Admitted candidates, filtered to a batch, enrolled in one action: the ticked ones or
    all that match the filters."""
    form = CandidateFilterForm(request.GET or None, stations=stations_for(request.user))
    candidates = selectors.enrollable_candidates(user=request.user, filters=valid_filters(form))
    if request.method == "POST":
        return _enroll(request, candidates)
    page = Paginator(candidates, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    first = page.object_list[0] if page.object_list else None
    example = (
        services.next_student_number(
            program=first.program, year=first.admission_year, station=first.station
        )
        if first
        else ""
    )
    return render(
        request,
        "students/enroll.html",
        {
            "form": form,
            "page": page,
            "first": first,
            "example": example,
            "pattern": settings.CEMS_STUDENT_NUMBER_PATTERN,
            "college": settings.CEMS_COLLEGE_CODE,
            "waiting": selectors.candidates_waiting_by_year(user=request.user),
        },
    )
