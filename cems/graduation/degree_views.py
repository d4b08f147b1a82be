"""Degree pages (学位): audits, their results and approval, degrees awarded, and the
records the audit reads — theses, disciplinary records, foreign-language results.

Readers (VIEW_AUDITS) see their students only (station staff: their stations'); academic
affairs start audits and approve (RUN_AUDITS) and keep the records (MANAGE_DEGREE_RECORDS).
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cems.accounts.access import (
    Capability,
    audited_students_for,
    get_in_scope_or_404,
    has_capability,
    require_capability,
    signed_in_user,
    stations_for,
)
from cems.admissions.issues import ImportStopped
from cems.core.export import FORMATS, tabular_response
from cems.core.forms import valid_filters
from cems.graduation import degree, degree_records, degree_selectors, run_progress
from cems.graduation.degree_forms import (
    AuditStartForm,
    DegreeFilterForm,
    DisciplinaryFilterForm,
    DisciplinaryForm,
    LanguageFilterForm,
    LanguageUploadForm,
    ResultFilterForm,
    RevokeForm,
    ThesisFilterForm,
    ThesisForm,
)
from cems.graduation.models import AuditResult, DegreeAward, RunStatus, Thesis
from cems.students.models import Student


def _page(request: HttpRequest, queryset: QuerySet[Any]) -> Page[Any]:
    return Paginator(queryset, settings.CEMS_PAGE_SIZE).get_page(request.GET.get("page"))


def _stations(request: HttpRequest) -> Any:
    return stations_for(request.user).order_by("code")


def _posted(request: HttpRequest) -> tuple[Any, Any]:
    """A form's data and files: bound on a POST even when it is empty (then invalid)."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def _related(obj: Any, name: str) -> Any:
    """A reverse one-to-one (a student's thesis, graduation, degree) or None."""
    try:
        return getattr(obj, name)
    except ObjectDoesNotExist:
        return None


# --- Audits ----------------------------------------------------------------------------------


def _runs(request: HttpRequest) -> QuerySet[Any]:
    """The user's degree audits with the counts of their own students' results."""
    mine = Q(results__student__in=audited_students_for(request.user))
    return (
        degree_selectors.degree_runs_for(request.user)
        .select_related("station", "started_by")
        .annotate(
            student_count=Count("results", filter=mine),
            eligible_count=Count("results", filter=mine & Q(results__eligible=True)),
            approved_count=Count("results", filter=mine & Q(results__approved=True)),
        )
        .order_by("-started_at", "-pk")
    )


@require_capability(Capability.VIEW_AUDITS)
def audit_list(request: HttpRequest) -> HttpResponseBase:
    can_run = has_capability(request.user, Capability.RUN_AUDITS)
    return render(
        request,
        "graduation/degree_audit_list.html",
        {
            "page": _page(request, _runs(request)),
            "form": AuditStartForm(stations=_stations(request)) if can_run else None,
        },
    )


@require_capability(Capability.RUN_AUDITS)
def audit_start(request: HttpRequest) -> HttpResponseBase:
    form = AuditStartForm(_posted(request)[0], stations=_stations(request))
    if request.method == "POST" and form.is_valid():
        try:
            run = degree.degree_audit_start(
                actor=signed_in_user(request),
                cohort_year=form.cleaned_data["cohort_year"],
                station=form.cleaned_data["station"],
                background=True,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            run_progress.tell_started(
                request,
                run,
                lambda counts: (
                    _("Degree audit done: %(eligible)d of %(students)d students eligible.")
                    % {"eligible": counts["eligible"], "students": counts["students"]}
                ),
            )
            return redirect("graduation:degree_audit_results", run.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "graduation/degree_audit_start.html", {"form": form}, status=status)


def _result_rows(results: Iterable[AuditResult]) -> tuple[list[str], list[list[object]]]:
    columns = [
        _("Student number"), _("Name"), _("Station"), _("Major"), _("Level"), _("Cohort"),
        _("Graduation date"), _("Eligible"), _("Average score"), _("Credits earned"),
        _("Reasons"), _("Approved"), _("Degree certificate number"),
    ]  # fmt: skip
    rows: list[list[object]] = []
    for result in results:
        student = result.student
        graduation = _related(student, "graduation")
        award = _related(student, "degree")
        rows.append([
            student.student_number, student.name, student.station.name,
            student.program.major.name, student.program.get_level_display(), student.cohort_year,
            graduation.graduated_on if graduation else None, result.eligible, result.average,
            result.credits_earned, " ".join(degree_selectors.reason_texts(result.reasons)),
            result.approved, award.certificate_number if award else "",
        ])  # fmt: skip
    return columns, rows


@require_capability(Capability.VIEW_AUDITS)
def audit_results(request: HttpRequest, pk: int) -> HttpResponseBase:
    run = get_in_scope_or_404(_runs(request), pk=pk)
    if run_progress.asked(request):
        return run_progress.panel(request, run)
    form = ResultFilterForm(
        request.GET or None,
        stations=_stations(request),
        reasons=degree_selectors.reason_choices(),
    )
    results = degree_selectors.degree_results(
        user=request.user, run=run, filters=valid_filters(form)
    )
    if (fmt := request.GET.get("format")) in FORMATS:
        columns, rows = _result_rows(results.iterator(chunk_size=2000))
        return tabular_response(
            filename=f"degree-audit-{run.pk}", columns=columns, rows=rows, fmt=fmt
        )
    page = _page(request, results)
    for result in page.object_list:
        result.reason_texts = degree_selectors.reason_texts(result.reasons)
        result.award = _related(result.student, "degree")
        result.graduation = _related(result.student, "graduation")
        result.awaiting = result.eligible and not result.approved and result.award is None
    can_approve = has_capability(request.user, Capability.RUN_AUDITS) and (
        run.status == RunStatus.DONE
    )
    return render(
        request,
        "graduation/degree_results.html",
        {
            "run": run,
            "form": form,
            "page": page,
            "reason_counts": degree_selectors.grouped_counts(run.counts),
            "can_approve": can_approve,
            "awaiting": can_approve and any(r.awaiting for r in page.object_list),
        },
    )


@require_capability(Capability.RUN_AUDITS)
@require_POST
def audit_approve(request: HttpRequest, pk: int) -> HttpResponseBase:
    run = get_in_scope_or_404(degree_selectors.degree_runs_for(request.user), pk=pk)
    back = reverse("graduation:degree_audit_results", args=[run.pk])
    ids: list[int] | None = None
    if request.POST.get("all") != "1":
        chosen = request.POST.getlist("result")
        if not chosen or not all(value.isdigit() for value in chosen):
            messages.error(request, _("Choose the students to approve."))
            return redirect(back)
        ids = [int(value) for value in chosen]
    try:
        awards = degree.degree_approve(actor=signed_in_user(request), run=run, result_ids=ids)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(
        request,
        # Two messages, not ngettext: the singular names no range, so the two forms
        # would not share their placeholders.
        (
            _("One degree awarded: %(first)s.")
            if len(awards) == 1
            else _("%(count)d degrees awarded: %(first)s to %(last)s.")
        )
        % {
            "count": len(awards),
            "first": awards[0].certificate_number,
            "last": awards[-1].certificate_number,
        },
    )
    return redirect(back)


# --- Degrees awarded -------------------------------------------------------------------------


def _degree_rows(awards: Iterable[DegreeAward]) -> tuple[list[str], list[list[object]]]:
    columns = [
        _("Degree certificate number"), _("Student number"), _("Name"), _("Station"),
        _("Major"), _("Level"), _("Cohort"), _("Diploma number"), _("Award date"),
    ]  # fmt: skip
    rows: list[list[object]] = []
    for award in awards:
        student = award.student
        graduation = _related(student, "graduation")
        rows.append([
            award.certificate_number, student.student_number, student.name, student.station.name,
            student.program.major.name, student.program.get_level_display(), student.cohort_year,
            graduation.diploma_number if graduation else "", award.awarded_on,
        ])  # fmt: skip
    return columns, rows


@require_capability(Capability.VIEW_AUDITS)
def degree_list(request: HttpRequest) -> HttpResponseBase:
    form = DegreeFilterForm(request.GET or None, stations=_stations(request))
    awards = degree_selectors.degree_awards(user=request.user, filters=valid_filters(form))
    if (fmt := request.GET.get("format")) in FORMATS:
        columns, rows = _degree_rows(awards.iterator(chunk_size=2000))
        return tabular_response(filename="degrees", columns=columns, rows=rows, fmt=fmt)
    page = _page(request, awards)
    for award in page.object_list:
        award.graduation = _related(award.student, "graduation")
    return render(request, "graduation/degree_list.html", {"form": form, "page": page})


# --- Theses ----------------------------------------------------------------------------------


def _thesis_rows(students: Iterable[Student]) -> tuple[list[str], list[list[object]]]:
    columns = [
        _("Student number"), _("Name"), _("Station"), _("Major"), _("Cohort"), _("Title"),
        _("Grade"), _("Defended"), _("Defence date"),
    ]  # fmt: skip
    rows: list[list[object]] = []
    for student in students:
        thesis: Thesis | None = _related(student, "thesis")
        rows.append([
            student.student_number, student.name, student.station.name,
            student.program.major.name, student.cohort_year,
            thesis.title if thesis else "", thesis.score if thesis else None,
            thesis.defended if thesis else False, thesis.defended_on if thesis else None,
        ])  # fmt: skip
    return columns, rows


@require_capability(Capability.VIEW_AUDITS)
def thesis_list(request: HttpRequest) -> HttpResponseBase:
    form = ThesisFilterForm(request.GET or None, stations=_stations(request))
    students = degree_selectors.thesis_students(user=request.user, filters=valid_filters(form))
    if (fmt := request.GET.get("format")) in FORMATS:
        columns, rows = _thesis_rows(students.iterator(chunk_size=2000))
        return tabular_response(filename="theses", columns=columns, rows=rows, fmt=fmt)
    page = _page(request, students)
    for student in page.object_list:
        student.thesis_record = _related(student, "thesis")
    return render(
        request,
        "graduation/degree_thesis_list.html",
        {
            "form": form,
            "page": page,
            "can_manage": has_capability(request.user, Capability.MANAGE_DEGREE_RECORDS),
        },
    )


@require_capability(Capability.MANAGE_DEGREE_RECORDS)
def thesis_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    student = get_in_scope_or_404(
        degree_selectors.bachelor_students(request.user).select_related("program__major"), pk=pk
    )
    thesis: Thesis | None = _related(student, "thesis")
    initial = {}
    if thesis is not None:
        initial = {"title": thesis.title, "score": thesis.score, "defended": thesis.defended,
                   "defended_on": thesis.defended_on}  # fmt: skip
    form = ThesisForm(_posted(request)[0], initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            degree_records.thesis_record(
                actor=signed_in_user(request), student=student, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The thesis of %(name)s is recorded.") % {"name": student.name},
            )
            return redirect("graduation:degree_thesis_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "graduation/degree_thesis_form.html",
        {"form": form, "student": student},
        status=status,
    )


# --- Disciplinary records --------------------------------------------------------------------


def _discipline_rows(records: Iterable[Any]) -> tuple[list[str], list[list[object]]]:
    columns = [
        _("Student number"), _("Name"), _("Station"), _("Date"), _("Description"),
        _("Revoked on"), _("Recorded by"),
    ]  # fmt: skip
    rows: list[list[object]] = [
        [
            r.student.student_number, r.student.name, r.student.station.name, r.issued_on,
            r.description, r.revoked_on, r.recorded_by.display_name if r.recorded_by else "",
        ]
        for r in records
    ]  # fmt: skip
    return columns, rows


@require_capability(Capability.VIEW_AUDITS)
def discipline_list(request: HttpRequest) -> HttpResponseBase:
    form = DisciplinaryFilterForm(request.GET or None, stations=_stations(request))
    records = degree_selectors.disciplinary_records(user=request.user, filters=valid_filters(form))
    if (fmt := request.GET.get("format")) in FORMATS:
        columns, rows = _discipline_rows(records.iterator(chunk_size=2000))
        return tabular_response(filename="disciplinary", columns=columns, rows=rows, fmt=fmt)
    return render(
        request,
        "graduation/degree_discipline_list.html",
        {
            "form": form,
            "page": _page(request, records),
            "can_manage": has_capability(request.user, Capability.MANAGE_DEGREE_RECORDS),
        },
    )


@require_capability(Capability.MANAGE_DEGREE_RECORDS)
def discipline_add(request: HttpRequest) -> HttpResponseBase:
    form = DisciplinaryForm(_posted(request)[0])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        student = (
            audited_students_for(request.user)
            .filter(student_number=data["student_number"].strip())
            .first()
        )
        if student is None:
            form.add_error("student_number", _("No student has this number."))
        else:
            try:
                degree_records.disciplinary_add(
                    actor=signed_in_user(request),
                    student=student,
                    issued_on=data["issued_on"],
                    description=data["description"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("A disciplinary record of %(name)s is recorded.") % {"name": student.name},
                )
                return redirect("graduation:degree_discipline_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "graduation/degree_discipline_form.html", {"form": form}, status=status)


@require_capability(Capability.MANAGE_DEGREE_RECORDS)
def discipline_revoke(request: HttpRequest, pk: int) -> HttpResponseBase:
    record = get_in_scope_or_404(
        degree_selectors.disciplinary_records(user=request.user, filters={}), pk=pk
    )
    form = RevokeForm(_posted(request)[0])
    if request.method == "POST" and form.is_valid():
        try:
            degree_records.disciplinary_revoke(
                actor=signed_in_user(request),
                record=record,
                revoked_on=form.cleaned_data["revoked_on"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The disciplinary record is revoked."))
            return redirect("graduation:degree_discipline_list")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "graduation/degree_discipline_revoke.html",
        {"form": form, "record": record},
        status=status,
    )


# --- Foreign-language results ----------------------------------------------------------------


def _language_rows(results: Iterable[Any]) -> tuple[list[str], list[list[object]]]:
    columns = [
        _("Student number"), _("Name"), _("Station"), _("Exam"), _("Exam date"), _("Score"),
        _("Certificate number"),
    ]  # fmt: skip
    rows: list[list[object]] = [
        [
            r.student.student_number, r.student.name, r.student.station.name,
            r.get_exam_display(), r.exam_date, r.score, r.certificate_number,
        ]
        for r in results
    ]  # fmt: skip
    return columns, rows


@require_capability(Capability.VIEW_AUDITS)
def language_list(request: HttpRequest) -> HttpResponseBase:
    form = LanguageFilterForm(request.GET or None, stations=_stations(request))
    results = degree_selectors.language_results(user=request.user, filters=valid_filters(form))
    if (fmt := request.GET.get("format")) in FORMATS:
        columns, rows = _language_rows(results.iterator(chunk_size=2000))
        return tabular_response(filename="language-results", columns=columns, rows=rows, fmt=fmt)
    return render(
        request,
        "graduation/degree_language_list.html",
        {
            "form": form,
            "page": _page(request, results),
            "can_manage": has_capability(request.user, Capability.MANAGE_DEGREE_RECORDS),
        },
    )


@require_capability(Capability.MANAGE_DEGREE_RECORDS)
def language_import(request: HttpRequest) -> HttpResponse:
    form = LanguageUploadForm(*_posted(request))
    outcome = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                outcome = degree_records.language_results_import(
                    data=upload.read(), file_name=upload.name or "", actor=signed_in_user(request)
                )
            except ImportStopped as stopped:
                form.add_error("file", stopped.text())
            else:
                if outcome.written:
                    counts = outcome.counts()
                    messages.success(
                        request,
                        _(
                            "%(rows)d rows imported: %(created)d new results, %(updated)d "
                            "corrected, %(unchanged)d already recorded."
                        )
                        % counts,
                    )
                    return redirect("graduation:degree_language_list")
    return render(
        request,
        "graduation/degree_language_import.html",
        {"form": form, "outcome": outcome},
        status=status,
    )
