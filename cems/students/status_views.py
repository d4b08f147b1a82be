"""Pages of status changes (学籍异动), annual registration (缴费注册) and the student portal."""

import datetime as dt
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from cems.accounts.access import (
    Capability,
    has_capability,
    require_capability,
    sees_personal_data,
    signed_in_user,
    stations_for,
    students_for,
)
from cems.accounts.models import Role, User
from cems.catalog.models import Program
from cems.core.export import FORMATS, choice_labels, tabular_response
from cems.core.forms import valid_filters
from cems.core.masking import mask_birth_date, mask_id_number, mask_phone
from cems.core.services import export_filters, records_export_log
from cems.finance import selectors as fee_selectors
from cems.students import registration as registrations
from cems.students import status, status_selectors
from cems.students.models import (
    Gender,
    StatusChangeKind,
    StatusChangeRequest,
    Student,
)
from cems.students.status_forms import (
    DecisionForm,
    PendingFilterForm,
    RegisterForm,
    RegistrationFilterForm,
    RequestFilterForm,
    filing_form,
)

Kind = StatusChangeKind
View = Callable[..., HttpResponseBase]


def _approver_required(view: View) -> View:
    """Sign-in required; then 403 unless the role approves at a station or at the school."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not (
            has_capability(request.user, Capability.APPROVE_AS_STATION)
            or has_capability(request.user, Capability.APPROVE_AS_SCHOOL)
        ):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _add_errors(form: Form, error: ValidationError) -> None:
    """A service's errors beside the form's fields (those it has) or above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _page(request: HttpRequest, items: QuerySet[Any]) -> Any:
    return Paginator(items, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))


# --- Lists ------------------------------------------------------------------------------------


def _request_rows(requests: Iterable[StatusChangeRequest]) -> Iterable[list[object]]:
    for r in requests:
        yield [
            r.pk, r.filed_at, r.student.student_number, r.student.name, r.student.station.name,
            r.get_kind_display(), status_selectors.request_summary(r), r.get_state_display(),
            str(r.filed_by), r.decided_at, r.rejection_reason,
        ]  # fmt: skip


def _request_list_page(
    request: HttpRequest, form: RequestFilterForm, requests: QuerySet[StatusChangeRequest],
    *, pending: bool,
) -> HttpResponseBase:  # fmt: skip
    if (fmt := request.GET.get("format")) in FORMATS:
        columns = [
            _("No."), _("Filed at"), _("Student number"), pgettext("person", "Name"),
            _("Station"), _("Type"), _("Details"), _("State"), _("Filed by"), _("Decided at"),
            _("Reason for rejection"),
        ]  # fmt: skip
        filename = "pending-requests" if pending else "status-changes"
        records_export_log(
            actor=signed_in_user(request),
            subject="students.StatusChangeRequest",
            filters=export_filters(request.GET.dict()),
            row_count=requests.count(),
        )
        rows = _request_rows(requests.iterator(chunk_size=2000))
        return tabular_response(filename=filename, columns=columns, rows=rows, fmt=fmt)
    page = _page(request, requests)
    for item in page:
        item.summary = status_selectors.request_summary(item)
    return render(
        request, "students/status/list.html", {"form": form, "page": page, "pending": pending}
    )


@require_capability(Capability.VIEW_STATUS_REQUESTS)
def request_list(request: HttpRequest) -> HttpResponseBase:
    form = RequestFilterForm(request.GET or None, stations=stations_for(request.user))
    requests = status_selectors.request_list(user=request.user, filters=valid_filters(form))
    return _request_list_page(request, form, requests, pending=False)


@_approver_required
def pending(request: HttpRequest) -> HttpResponseBase:
    form = PendingFilterForm(request.GET or None, stations=stations_for(request.user))
    requests = status_selectors.pending_for(user=request.user, filters=valid_filters(form))
    return _request_list_page(request, form, requests, pending=True)


# --- One request ------------------------------------------------------------------------------

_PERSONAL_FIELDS = ("id_number", "phone", "birth_date")


def _shown(field: str, value: Any, *, full: bool) -> str:
    """A value of a correction as the page shows it: personal data masked unless unmasked."""
    if value in (None, ""):
        return "—"
    if field == "gender":
        return str(dict(Gender.choices).get(value, value))
    if field == "birth_date":
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
        return day.isoformat() if full else mask_birth_date(day)
    if field == "id_number" and not full:
        return mask_id_number(value)
    if field == "phone" and not full:
        return mask_phone(value)
    return str(value)


def _corrections(request: StatusChangeRequest, *, full: bool) -> list[dict[str, object]]:
    """The corrected fields with the value before (the record's until it is applied) and
    the corrected one."""
    if request.kind != Kind.CORRECT_DATA:
        return []
    previous = request.corrections.get("previous") or {}
    return [
        {
            "field": status.field_label(field),
            "before": _shown(
                field, previous.get(field, getattr(request.student, field)), full=full
            ),
            "after": _shown(field, request.corrections[field], full=full),
        }
        for field in status.CORRECTABLE_FIELDS
        if field in request.corrections
    ]


def _has_personal_corrections(request: StatusChangeRequest) -> bool:
    return request.kind == Kind.CORRECT_DATA and any(
        field in request.corrections for field in _PERSONAL_FIELDS
    )


def _detail(
    request: HttpRequest,
    item: StatusChangeRequest,
    *,
    decision_form: DecisionForm | None = None,
    full: bool = False,
) -> HttpResponse:
    user = signed_in_user(request)
    may_decide = status.may_decide(user, item)
    return render(
        request,
        "students/status/detail.html",
        {
            "item": item,
            "summary": status_selectors.request_summary(item),
            "progress": status_selectors.request_progress(item),
            "corrections": _corrections(item, full=full),
            "can_unmask": not full and _has_personal_corrections(item) and sees_personal_data(user),
            "may_decide": may_decide,
            "decision_form": decision_form or (DecisionForm() if may_decide else None),
            "may_cancel": status.may_cancel(user, item),
            "can_view_student": has_capability(user, Capability.VIEW_STUDENTS),
        },
    )


@require_capability(Capability.VIEW_STATUS_REQUESTS)
def request_detail(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The request, its chain and history; POST shows the corrected personal data in full
    (a deliberate action, logged)."""
    item = status_selectors.request_get(user=request.user, pk=pk)
    if request.method == "POST":
        if not (sees_personal_data(request.user) and _has_personal_corrections(item)):
            raise PermissionDenied
        status.request_unmask_log(actor=signed_in_user(request), request=item)
        return _detail(request, item, full=True)
    return _detail(request, item)


@require_POST
@_approver_required
def request_decide(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = status_selectors.request_get(user=request.user, pk=pk)
    user = signed_in_user(request)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        if not status.may_decide(user, item):
            raise PermissionDenied
        return _detail(request, item, decision_form=form)
    try:
        decided = status.status_request_decide(
            actor=user,
            request=item,
            approve=form.cleaned_data["decision"] == "approve",
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as error:
        # The rules are checked again on approval: the student may have changed since.
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Decision recorded: the request is now %(state)s.")
            % {"state": decided.get_state_display()},
        )
    return redirect("status_changes:detail", pk=item.pk)


@require_POST
@require_capability(Capability.VIEW_STATUS_REQUESTS)
def request_cancel(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = status_selectors.request_get(user=request.user, pk=pk)
    user = signed_in_user(request)
    try:
        status.status_request_cancel(actor=user, request=item)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The request has been cancelled."))
    if user.role == Role.STUDENT:
        return redirect("status_changes:portal")
    return redirect("status_changes:detail", pk=item.pk)


# --- Filing -----------------------------------------------------------------------------------


def _kind_choices(user: User, student: Student) -> list[dict[str, Any]]:
    kinds = status.STUDENT_KINDS if user.role == Role.STUDENT else tuple(Kind)
    return [
        {
            "value": kind.value,
            "label": kind.label,
            "possible": student.status in status.ALLOWED_STATUSES[kind],
        }
        for kind in kinds
    ]


@require_capability(Capability.FILE_STATUS_REQUESTS)
def request_file(request: HttpRequest, student_pk: int) -> HttpResponseBase:
    """File a request for a student: first its type (?kind=), then its details."""
    user = signed_in_user(request)
    student = status_selectors.student_for_request(user=user, pk=student_pk)
    kinds = _kind_choices(user, student)
    kind = request.GET.get("kind", "")
    if kind not in {choice["value"] for choice in kinds}:
        if request.method == "POST":
            raise PermissionDenied
        return render(
            request, "students/status/file.html", {"student": student, "kinds": kinds, "form": None}
        )
    form = filing_form(kind, student, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            filed = status.status_request_file(
                actor=user,
                student=student,
                kind=kind,
                reason=form.cleaned_data["reason"],
                **form.payload(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(kind)s filed for %(name)s; it now waits for the station.")
                % {"kind": filed.get_kind_display(), "name": student.name},
            )
            if user.role == Role.STUDENT:
                return redirect("status_changes:portal")
            return redirect("status_changes:detail", pk=filed.pk)
    return render(
        request,
        "students/status/file.html",
        {
            "student": student,
            "kinds": kinds,
            "kind": kind,
            "kind_label": Kind(kind).label,
            "form": form,
            "chain": [step.label for step in status.chain(kind)],
            "possible": student.status in status.ALLOWED_STATUSES[kind],
        },
    )


# --- Registration -----------------------------------------------------------------------------


def _registration_rows(students: Iterable[Student], *, registered: bool) -> Iterable[list[object]]:
    level, mode = choice_labels(Program, "level"), choice_labels(Program, "mode")
    status = choice_labels(Student, "status")
    for s in students:
        row: list[object] = [
            s.student_number, s.name, s.station.name, s.program.major.name,
            level(s.program.level), mode(s.program.mode), s.cohort_year,
            s.student_class.name if s.student_class else "", status(s.status),
        ]  # fmt: skip
        if registered:
            row.append(getattr(s, "registered_at", None))
        yield row


@require_capability(Capability.MANAGE_REGISTRATIONS)
def registration(request: HttpRequest) -> HttpResponseBase:
    """Who has not registered for an academic year yet, with what they owe of its tuition;
    the ticked students are registered in one action (those whose tuition is paid)."""
    form = RegistrationFilterForm(request.GET or None, stations=stations_for(request.user))
    filters = valid_filters(form)
    year = (filters or {}).get("year") or status.current_academic_year()
    registered = (filters or {}).get("show") == "registered"
    students = status_selectors.registration_list(
        user=request.user, academic_year=year, filters=filters, registered=registered
    )
    if request.method == "POST":
        register_form = RegisterForm(request.POST, students=students_for(request.user))
        if register_form.is_valid():
            chosen = list(register_form.cleaned_data["students"])
            try:
                registrations.registration_record_many(
                    actor=signed_in_user(request),
                    students=chosen,
                    academic_year=register_form.cleaned_data["year"],
                )
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(
                    request,
                    _("%(count)d students registered for %(year)s–%(next)s.")
                    % {
                        "count": len(chosen),
                        "year": register_form.cleaned_data["year"],
                        "next": register_form.cleaned_data["year"] + 1,
                    },
                )
                return redirect(request.get_full_path())
        else:
            for errors in register_form.errors.as_data().values():
                for problem in errors:
                    for message in problem.messages:
                        messages.error(request, message)
    if (fmt := request.GET.get("format")) in FORMATS:
        columns = [
            _("Student number"), pgettext("person", "Name"), _("Station"), _("Major"),
            _("Level"), _("Study mode"), _("Cohort"), _("Class"), _("Status"),
        ]  # fmt: skip
        if registered:
            columns.append(_("Registered at"))
        records_export_log(
            actor=signed_in_user(request),
            subject="students.Registration",
            filters=export_filters(request.GET.dict()),
            row_count=students.count(),
        )
        return tabular_response(
            filename=f"registration-{year}-{'done' if registered else 'missing'}",
            columns=columns,
            rows=_registration_rows(students.iterator(chunk_size=2000), registered=registered),
            fmt=fmt,
        )
    page = _page(request, students)
    if not registered:
        page.object_list = list(page.object_list)
        owed = fee_selectors.tuition_status(
            student_ids=[s.pk for s in page.object_list], academic_year=year
        )
        for student in page.object_list:
            # None: no tuition charged for the year; else what is still owed of it.
            student.tuition_owed = owed.get(student.pk)
    return render(
        request,
        "students/registration/list.html",
        {
            "form": form,
            "page": page,
            "year": year,
            "next_year": year + 1,
            "registered": registered,
        },
    )


# --- Portal -------------------------------------------------------------------------------------


@require_capability(Capability.USE_PORTAL)
def portal(request: HttpRequest) -> HttpResponse:
    """The student's own page: record (masked), registrations, status, requests and their
    progress, and the forms to ask for a suspension or withdrawal."""
    user = signed_in_user(request)
    year = status.current_academic_year()
    records = []
    for student in status_selectors.portal_records(user=user):
        requests = list(student.status_requests.all())
        pending_kinds = {r.kind for r in requests if r.state in status.PENDING_STATES}
        forms = [
            {
                "kind": kind.value,
                "label": kind.label,
                "form": filing_form(kind, student, auto_id=f"id_{kind.value}_%s"),
            }
            for kind in status.STUDENT_KINDS
            if student.status in status.ALLOWED_STATUSES[kind] and kind not in pending_kinds
        ]
        records.append(
            {
                "student": student,
                "registered_this_year": any(
                    r.academic_year == year for r in student.registrations.all()
                ),
                "requests": [
                    {
                        "item": r,
                        "summary": status_selectors.request_summary(r),
                        "progress": status_selectors.request_progress(r),
                        "may_cancel": status.may_cancel(user, r),
                    }
                    for r in requests
                ],
                "forms": forms,
            }
        )
    return render(
        request,
        "students/portal/portal.html",
        {"records": records, "year": year, "next_year": year + 1},
    )
